"""Validation of the arrays every analysis module takes, and the shape of what it returns.

Every number in a report is computed from aggregates that SQL returns (count tables, sums),
never from raw rows, so every module starts by checking the same things: counts are
non-negative whole numbers of the right dimension, level values increase, sums are finite.
The checks live here once so that malformed input gives the same ``ValueError`` everywhere.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["as_count_table", "as_float_array", "as_float_scalar_or_array", "as_level_values",
           "as_successes_and_trials", "mirrored"]


def as_count_table(counts: ArrayLike, *, ndim: int | None = 2, name: str = "counts") -> np.ndarray:
    """Validate a count array and return it as ``int64``.

    Parameters
    ----------
    counts : array_like
        Non-negative whole numbers (integer dtype, or floats that are whole numbers, as some
        database drivers return ``SUM`` results as decimals).
    ndim : int or None
        Required number of dimensions; ``None`` accepts any shape, including scalars.
    name : str
        Name used in error messages.

    Returns
    -------
    numpy.ndarray
        The counts as a new ``int64`` array.

    Raises
    ------
    ValueError
        If the array has the wrong number of dimensions, is empty, is not numeric, contains
        NaN / infinite / fractional values, or contains negative values.
    """
    arr = np.asarray(counts)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got {arr.ndim}-D shape {arr.shape}")
    if arr.ndim > 0 and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must contain numbers, got dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values")
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must contain whole numbers")
    if np.any(arr < 0):
        raise ValueError(f"{name} must not contain negative values")
    return arr.astype(np.int64)


def as_level_values(values: ArrayLike | None, n_levels: int) -> np.ndarray:
    """Return the numeric value of each scale level (default ``1..L``) as ``float64``.

    The levels must be strictly increasing because the count table's columns are in ascending
    value order, and "top-k box" and rank statistics rely on that order.

    Raises
    ------
    ValueError
        If ``values`` is not 1-D of length ``n_levels``, not finite, or not strictly increasing.
    """
    if values is None:
        return np.arange(1, n_levels + 1, dtype=np.float64)
    v = np.asarray(values)
    if v.dtype == bool or v.dtype.kind not in "iuf":
        raise ValueError(f"values must be numbers, got dtype {v.dtype}")
    v = v.astype(np.float64)
    if v.ndim != 1 or v.shape[0] != n_levels:
        raise ValueError(
            f"values must be a 1-D array with one value per column ({n_levels}), got shape "
            f"{v.shape}"
        )
    if not np.all(np.isfinite(v)):
        raise ValueError("values contains NaN or infinite values")
    if n_levels > 1 and not np.all(np.diff(v) > 0):
        raise ValueError("values must be strictly increasing (columns in ascending value order)")
    return v


def as_float_array(x: ArrayLike, name: str) -> np.ndarray:
    """Validate finite numbers (a scalar or 1-D array, e.g. SQL sums) as 1-D ``float64``."""
    a = np.asarray(x)
    if a.dtype == bool or a.dtype.kind not in "iuf":
        raise ValueError(f"{name} must contain numbers, got dtype {a.dtype}")
    a = np.atleast_1d(a.astype(np.float64))
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty scalar or 1-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def as_float_scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    """Turn 0-d results into Python floats so scalar callers get plain numbers."""
    return float(x) if np.ndim(x) == 0 else x


def as_successes_and_trials(successes: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Per office, how many answered "satisfied" out of how many answered: two 1-D count
    vectors of one length with ``0 <= successes <= n``."""
    x = as_count_table(successes, ndim=1, name="successes")
    nn = as_count_table(n, ndim=1, name="n")
    if x.shape != nn.shape:
        raise ValueError(f"successes and n must have the same shape, got {x.shape} and {nn.shape}")
    if np.any(x > nn):
        raise ValueError("successes must not exceed n")
    return x, nn


def mirrored(k: int, upper: np.ndarray) -> np.ndarray:
    """A symmetric k x k matrix from its upper triangle (``np.triu_indices(k, 1)`` order), NaN
    on the diagonal: each pair of offices is computed once."""
    full = np.full((k, k), np.nan)
    iu = np.triu_indices(k, 1)
    full[iu] = upper
    full.T[iu] = upper
    return full
