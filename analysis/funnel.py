"""Funnel plot for satisfaction rates: which offices are outside what chance alone explains.

League tables invite readers to rank offices, but a small office's rate moves by several points
from one half-year to the next by chance alone.  A funnel plot (Spiegelhalter 2005, "Funnel
plots for comparing institutional performance", Stat Med 24:1185-1202) draws each office's rate
against its number of answers, with control limits around a target that narrow as ``n`` grows;
only offices outside the limits are called different.  Real surveys are usually
*overdispersed*: offices differ by more than binomial chance even when none is "special"
(different clienteles, different counters), and then far too many offices fall outside plain
binomial limits.  The paper's remedy, implemented here, is to estimate the overdispersion from
Winsorised z-scores and, if it is significant, widen the limits with an additive random-effects
variance ``tau^2``.

Limits use the normal approximation ``p0 +- z sqrt(p0 (1 - p0) / n + tau^2)`` (the paper's
equations for the additive model), so an office is outside a limit exactly when its adjusted
z-score is.  Offices without answers have no point on the plot: NaN z, no flags, and they are
not counted among the I offices the overdispersion is estimated from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_float_array, as_successes_and_trials
from analysis.wilson import z_for

__all__ = [
    "FunnelResult", "control_limits", "funnel"]


@dataclass(frozen=True, slots=True, eq=False)
class FunnelResult:
    """Funnel-plot assessment of every office against a target rate.

    Attributes
    ----------
    z : numpy.ndarray, shape (k,)
        ``(y/n - p0) / sqrt(p0 (1 - p0) / n + tau^2)``: the z-score adjusted for
        overdispersion (the plain binomial z-score when ``tau2 = 0``).  NaN for offices
        without answers; 0 for offices exactly at a ``p0`` of 0 or 1 (``+-inf`` off it).
    outside : list of {"above", "below", None}
        Office beyond the widest limit (99.8 % by default): a clear difference.
    alert : list of {"above", "below", None}
        Office beyond the narrowest limit (95 % by default): worth a look.
    rates : numpy.ndarray, shape (k,)
        ``y / n`` (NaN without answers).
    n : numpy.ndarray, shape (k,)
        Answers per office.
    target : float
        ``p0``, the rate the offices are compared with (NaN if no office has answers).
    phi : float
        Winsorised overdispersion estimate ``(1/I) sum z_w^2`` of the binomial z-scores (1 is
        what binomial variation alone gives); NaN with fewer than two offices.
    tau2 : float
        Additive random-effects variance used in ``z`` and the limits; 0 unless the
        overdispersion test rejects.
    overdispersion_p : float
        Upper tail of ``I * phi`` in chi-square with ``I - 1`` degrees of freedom.
    overdispersed : bool
        ``overdispersion_p < alpha_overdispersion``.
    n_offices : int
        ``I``, offices with answers.
    levels : tuple of float
        Two-sided levels of the control limits, ascending.
    binomial_outside : list of {"above", "below", None}
        Beyond the widest *plain binomial* limit (``tau^2 = 0``): differs from the target by
        more than chance alone.  With overdispersion an office can be here and not in
        ``outside``: really different, yet within the normal spread among offices.
    """

    z: np.ndarray
    outside: list[str | None]
    alert: list[str | None]
    rates: np.ndarray
    n: np.ndarray
    target: float
    phi: float
    tau2: float
    overdispersion_p: float
    overdispersed: bool
    n_offices: int
    levels: tuple[float, ...]
    binomial_outside: list[str | None]

    def limits(self, n_grid: ArrayLike) -> dict[float, tuple[np.ndarray, np.ndarray]]:
        """Control limits to draw the funnel: see :func:`control_limits`."""
        return control_limits(self.target, self.tau2, n_grid, self.levels)


def control_limits(target: float, tau2: float, n_grid: ArrayLike,
                   levels: Sequence[float] = (0.95, 0.998)
                   ) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Control limits to draw a funnel: ``{level: (lower, upper)}`` along ``n_grid``.

    ``p0 +- z_level * sqrt(p0 (1 - p0) / n + tau^2)``, clipped to [0, 1]: what a report
    stored as JSON (target, tau2, levels) needs to draw its funnel again.

    Parameters
    ----------
    target : float
        ``p0``.
    tau2 : float
        The additive random-effects variance (0 without overdispersion).
    n_grid : array_like
        Sample sizes (need not be whole numbers); NaN limits where ``n_grid = 0``.
    levels : sequence of float
        Two-sided levels.

    Raises
    ------
    ValueError
        If ``n_grid`` is negative, not finite or not 1-D.
    """
    g = as_float_array(n_grid, "n_grid")
    if np.any(g < 0):
        raise ValueError("n_grid must not contain negative values")
    p0 = float(target)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.where(g > 0, np.sqrt(p0 * (1.0 - p0) / g + float(tau2)), np.nan)
    out: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    for level in _check_levels(levels):
        half = z_for(level) * sd
        out[level] = (np.clip(p0 - half, 0.0, 1.0), np.clip(p0 + half, 0.0, 1.0))
    return out


def _flags(z: np.ndarray, level: float) -> list[str | None]:
    crit = z_for(level)
    return ["above" if v > crit else "below" if v < -crit else None for v in z.tolist()]


def _check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    lv = tuple(sorted(float(v) for v in levels))
    if not lv:
        raise ValueError("levels must hold at least one level")
    for v in lv:
        if not 0.0 < v < 1.0:
            raise ValueError(f"levels must be between 0 and 1, got {v!r}")
    return lv


def funnel(
    successes: ArrayLike,
    n: ArrayLike,
    *,
    target: float | None = None,
    levels: Sequence[float] = (0.95, 0.998),
    winsor: float = 0.1,
    alpha_overdispersion: float = 0.05,
) -> FunnelResult:
    """Compare every office's rate with a target, allowing for overdispersion.

    Following Spiegelhalter (2005): with ``s_i^2 = p0 (1 - p0) / n_i`` the binomial z-scores
    ``z_i = (y_i/n_i - p0) / s_i`` are Winsorised at their ``winsor`` and ``1 - winsor``
    quantiles (``numpy.quantile``'s default linear interpolation), ``phi = (1/I) sum z_w^2``,
    and ``I * phi`` is referred to chi-square on ``I - 1`` degrees of freedom.  If that test
    rejects at ``alpha_overdispersion``, the additive random-effects variance is
    ``tau^2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w))`` with ``w_i = 1/s_i^2``
    (the paper's eq. for the additive model, a DerSimonian-Laird estimate), else 0.

    Parameters
    ----------
    successes, n : array_like of int, shape (k,)
        Satisfied answers and answers per office.
    target : float, optional
        Benchmark rate ``p0`` in [0, 1] (e.g. an agency's goal, or the pooled rate of a wider
        set of offices).  Default: the pooled rate ``sum y / sum n`` of the offices with
        answers.
    levels : sequence of float
        Two-sided levels of the limits; ``alert`` uses the lowest, ``outside`` the highest.
    winsor : float
        Share Winsorised at each end, in [0, 0.5); 0 uses the z-scores as they are.
    alpha_overdispersion : float
        Level of the overdispersion test.

    Returns
    -------
    FunnelResult
        When ``p0`` is 0 or 1 there is no binomial variation and no division: with the pooled
        rate (every office at 0 %, or every office at 100 %) every office is on target, ``z =
        0``, nobody outside, ``phi = 0``; against a given target of 0 or 1, an office off it
        gets ``z = +-inf`` (outside) and ``phi`` and the test are NaN.  With fewer than two
        offices with answers ``phi`` and the test are NaN and ``tau2 = 0``.

    Raises
    ------
    ValueError
        On malformed counts, ``successes > n``, ``target`` outside [0, 1], levels outside
        (0, 1), or ``winsor`` outside [0, 0.5).
    """
    x, nn = as_successes_and_trials(successes, n)
    lv = _check_levels(levels)
    if not 0.0 <= winsor < 0.5:
        raise ValueError(f"winsor must be in [0, 0.5), got {winsor!r}")
    if not 0.0 < alpha_overdispersion < 1.0:
        raise ValueError(
            f"alpha_overdispersion must be between 0 and 1, got {alpha_overdispersion!r}"
        )
    if target is not None and not 0.0 <= float(target) <= 1.0:  # also rejects NaN
        raise ValueError(f"target must be between 0 and 1, got {target!r}")

    has = nn > 0
    big_i = int(has.sum())
    xf, nf = x.astype(np.float64), nn.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(has, xf / nf, np.nan)
    if target is not None:
        p0 = float(target)
    elif big_i:
        p0 = float(xf[has].sum() / nf[has].sum())
    else:
        p0 = float("nan")
    nan = float("nan")
    base = p0 * (1.0 - p0)
    phi = p_over = nan
    tau2 = 0.0
    z = np.full(x.shape, nan)
    z_plain = np.full(x.shape, nan)
    if big_i and base == 0.0:
        # p0 = 0 or 1 has no binomial variation: an office at the target is exactly on it (all
        # of them when p0 is the pooled rate), any other office infinitely far from it
        r = rates[has]
        z[has] = np.where(r == p0, 0.0, np.copysign(np.inf, r - p0))
        z_plain[has] = z[has]
        if big_i >= 2 and np.all(r == p0):
            phi, p_over = 0.0, 1.0
    elif big_i:
        r, m = rates[has], nf[has]
        s2 = base / m
        z0 = (r - p0) / np.sqrt(s2)
        z_plain[has] = z0
        if big_i >= 2:
            lo, hi = np.quantile(z0, [winsor, 1.0 - winsor])
            phi = float(np.mean(np.clip(z0, lo, hi) ** 2))
            p_over = float(stats.chi2.sf(big_i * phi, big_i - 1))
            if p_over < alpha_overdispersion:
                w = 1.0 / s2
                denom = float(w.sum() - (w**2).sum() / w.sum())
                if denom > 0:
                    tau2 = max(0.0, (big_i * phi - (big_i - 1)) / denom)
        z[has] = (r - p0) / np.sqrt(s2 + tau2)
    overdispersed = bool(p_over < alpha_overdispersion) if np.isfinite(p_over) else False
    return FunnelResult(
        z=z,
        outside=_flags(z, lv[-1]),
        alert=_flags(z, lv[0]),
        rates=rates,
        n=nn,
        target=p0,
        phi=phi,
        tau2=tau2,
        overdispersion_p=p_over,
        overdispersed=overdispersed,
        n_offices=big_i,
        levels=lv,
        binomial_outside=_flags(z_plain, lv[-1]),
    )
