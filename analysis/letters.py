"""Compact letter display: which offices a report may call "not significantly different".

A table of 20 offices has 190 pairwise results; readers need them folded into letters beside
each office, where offices that share a letter do not differ significantly.  Finding few,
readable letters is a combinatorial problem of its own (the letters are maximal sets of
mutually non-different groups, and their number can explode), separate from the statistics
that decide which pairs differ (:mod:`analysis.pairwise`), so it lives here with its cost
budgets.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from analysis.pairwise import DunnResult

__all__ = ["compact_letter_sets", "compact_letters", "letters_from_dunn"]

_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Budget for insert-absorb's containment tests (about 10 ms of work); beyond it the greedy
#: cover is used instead.  Dunn results for 400 offices of similar size need ~50,000.
_MAX_WORK = 100_000
#: Budget for the greedy cover, in steps (about 0.15 s of work); pairs still uncovered then get
#: two-group letters.
_MAX_GREEDY_STEPS = 200_000
#: The redundancy sweep is skipped above this many letters (the display is unreadable anyway,
#: and the sweep's pair-coverage table grows with letters x groups^2).
_MAX_SWEEP_LETTERS = 4096


def _as_significance(significant: ArrayLike, k: int) -> np.ndarray:
    s = np.asarray(significant)
    if s.shape != (k, k):
        raise ValueError(f"significant must have shape ({k}, {k}), got {s.shape}")
    if s.dtype != bool:
        if s.dtype.kind not in "iu" or np.any((s != 0) & (s != 1)):
            raise ValueError("significant must be a boolean matrix")
        s = s.astype(bool)
    if not np.array_equal(s, s.T):
        raise ValueError("significant must be symmetric")
    s = s.copy()
    np.fill_diagonal(s, False)
    return s


def _bits_to_ints(member: np.ndarray) -> list[int]:
    """Bool ``(r, m)`` -> Python ints with bit ``g`` set when group ``g`` is a member."""
    m = member.shape[1]
    packed = np.packbits(member, axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed] if m else [0] * len(member)


def _ints_to_bits(sets: list[int], m: int) -> np.ndarray:
    """Inverse of :func:`_bits_to_ints`."""
    n_bytes = (m + 7) // 8
    buf = b"".join(s.to_bytes(n_bytes, "little") for s in sets)
    raw = np.frombuffer(buf, dtype=np.uint8).reshape(len(sets), n_bytes)
    return np.unpackbits(raw, axis=1, bitorder="little", count=m).astype(bool)


def _insert_absorb(sig: np.ndarray, max_columns: int, max_work: int) -> list[np.ndarray] | None:
    """Piepho's insert-absorb; returns the letters' member positions, or None over budget.

    Columns are sets of groups held as Python integers used as bit sets (subset test
    ``a & b == a`` is a few machine words for hundreds of groups).  The columns end up being
    exactly the maximal sets of mutually non-different groups.  Pairs are processed one group
    at a time: for group ``i`` and its significant partners ``J`` (``j > i``), every column
    holding ``i`` and a member of ``J`` is split into "without ``i``" and "without ``J``",
    which yields the same columns as splitting pair by pair.  Absorption (dropping a new column
    contained in another) only needs the columns that can contain it: a column without ``i``
    still holds a partner, so only columns lacking ``i`` can contain it; a column without
    ``J`` holds ``i``, so only columns holding ``i`` can.  Gives up when the columns exceed
    ``max_columns`` or the subset tests exceed ``max_work``.
    """
    m = sig.shape[0]
    partners = _bits_to_ints(np.triu(sig, 1))
    cols = [(1 << m) - 1]
    work = 0
    for i in range(m):
        pm = partners[i]
        if not pm:
            continue
        bit = 1 << i
        hit: list[int] = []
        with_i: list[int] = []
        without_i: list[int] = []
        for c in cols:
            if c & bit:
                (hit if c & pm else with_i).append(c)
            else:
                without_i.append(c)
        if not hit:
            continue
        work += len(hit) * (len(cols) + len(hit))
        if work > max_work:
            return None
        new: list[int] = []
        for cands, others in (
            ([h ^ bit for h in hit], without_i),
            ([h & ~pm for h in hit], with_i),
        ):
            for idx, a in enumerate(cands):
                if any(a & b == a for b in others):
                    continue
                # another new column containing it (of two equal ones, keep the first)
                if any(a & b == a and (a != b or j < idx) for j, b in enumerate(cands) if j != idx):
                    continue
                new.append(a)
        cols = without_i + with_i + new
        if len(cols) > max_columns:
            return None
    return [np.flatnonzero(row) for row in _ints_to_bits(cols, m)]


def _greedy_cover(sig: np.ndarray, max_steps: int) -> list[np.ndarray]:
    """Valid letters for any significance pattern at bounded cost (fallback).

    While a non-different pair shares no letter, the first such pair in score order seeds a new
    letter, which is grown one group at a time: among the groups not different from any member,
    the best-scoring one that brings in a still-uncovered pair, else the best-scoring one.  Sets
    are Python-integer bit sets, so a step costs a few word operations.  After ``max_steps``
    steps every pair still uncovered gets a two-group letter of its own, so the result is always
    valid (every non-different pair shares a letter, no letter holds a different pair).
    """
    m = sig.shape[0]
    alike_matrix = ~sig
    np.fill_diagonal(alike_matrix, False)
    alike = _bits_to_ints(alike_matrix)
    uncovered = list(alike)  # per group: partners it shares no letter with yet (symmetric)
    letters: list[np.ndarray] = []
    steps = 0
    row = 0
    while steps < max_steps:
        # rows only lose bits and are symmetric, so the first non-empty row holds the first
        # uncovered pair (i, j) with i < j
        while row < m and not uncovered[row]:
            row += 1
        if row == m:
            break
        i = row
        j = (uncovered[i] & -uncovered[i]).bit_length() - 1
        members = [i, j]
        mask = (1 << i) | (1 << j)
        cand = alike[i] & alike[j]
        brings_new = uncovered[i] | uncovered[j]
        while cand and steps < max_steps:
            pick = cand & brings_new or cand
            c = (pick & -pick).bit_length() - 1
            members.append(c)
            mask |= 1 << c
            cand &= alike[c]
            brings_new |= uncovered[c]
            steps += 1
        for a in members:
            uncovered[a] &= ~mask
        letters.append(np.array(sorted(members)))
        steps += 1
    for a in range(row, m):
        rest = uncovered[a] >> (a + 1)
        while rest:
            low = rest & -rest
            letters.append(np.array([a, a + low.bit_length()]))
            rest ^= low
    has_letter = np.zeros(m, dtype=bool)
    for idx in letters:
        has_letter[idx] = True
    letters.extend(np.array([g]) for g in np.flatnonzero(~has_letter))
    return letters


def _sweep(letters: list[np.ndarray], m: int) -> list[np.ndarray]:
    """Drop letters that are redundant, from the last letter backwards.

    A letter is redundant when every member keeps another letter and every pair inside it
    shares another letter (Piepho's sweeping step applied to whole letters).  The number of
    letters each pair of groups shares is a popcount of the AND of the groups' letter bit sets,
    computed in blocks of groups to keep memory at a few tens of megabytes.
    """
    n = len(letters)
    n_words = -(-n // 64)
    member = np.zeros((m, n_words * 64), dtype=bool)
    for c, idx in enumerate(letters):
        member[idx, c] = True
    words = np.packbits(member, axis=1, bitorder="little").view("<u8")  # (m, n_words)
    cover = np.empty((m, m), dtype=np.int64)
    needed_words = np.zeros(n_words, dtype="<u8")
    block = max(1, (4_000_000 // max(m * n_words, 1)))
    for start in range(0, m, block):
        both = words[start : start + block, None, :] & words[None, :, :]
        cover[start : start + block] = np.bitwise_count(both).sum(axis=2, dtype=np.int64)
        # a letter is needed if it is the only one shared by some pair (or a group's only one)
        unique = cover[start : start + block] == 1
        if unique.any():
            needed_words |= np.bitwise_or.reduce(both[unique], axis=0)
    needed = np.unpackbits(needed_words.view(np.uint8), bitorder="little", count=n).astype(bool)
    keep = np.ones(n, dtype=bool)
    for c in np.flatnonzero(~needed)[::-1]:
        sub = np.ix_(letters[c], letters[c])
        if cover[sub].min() >= 2:
            keep[c] = False
            cover[sub] -= 1
    return [idx for idx, k in zip(letters, keep, strict=True) if k]


def compact_letter_sets(
    scores: ArrayLike, significant: ArrayLike, *, max_letters: int | None = None
) -> list[tuple[int, ...]]:
    """Letter indices per group for a compact letter display (see :func:`compact_letters`).

    Returns a list with, for each group, the sorted tuple of letter indices (0 = "a"); groups
    with a NaN score get ``()``.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1 or s.size == 0:
        raise ValueError(f"scores must be a non-empty 1-D array, got shape {s.shape}")
    k = s.size
    sig = _as_significance(significant, k)
    if max_letters is not None and max_letters < 1:
        raise ValueError(f"max_letters must be at least 1, got {max_letters}")
    valid = np.flatnonzero(~np.isnan(s))
    out: list[tuple[int, ...]] = [()] * k
    if valid.size == 0:
        return out
    order = valid[np.argsort(-s[valid], kind="stable")]
    m = order.size
    sub = sig[np.ix_(order, order)]
    limit = max(52, 2 * m) if max_letters is None else max_letters
    letters = _insert_absorb(sub, limit, _MAX_WORK)
    if letters is None:
        letters = _greedy_cover(sub, _MAX_GREEDY_STEPS)
    # Letter order: lexicographic in the members' score positions, so "a" holds the best group.
    letters.sort(key=lambda idx: tuple(idx.tolist()))
    if len(letters) <= _MAX_SWEEP_LETTERS:
        letters = _sweep(letters, m)
    sizes = np.array([idx.size for idx in letters])
    pos = np.concatenate(letters)
    letter_id = np.repeat(np.arange(len(letters)), sizes)
    by_group = np.lexsort((letter_id, pos))
    per_group = np.split(letter_id[by_group], np.cumsum(np.bincount(pos, minlength=m))[:-1])
    for p, g in enumerate(order):
        out[int(g)] = tuple(per_group[p].tolist())
    return out


def compact_letters(
    scores: ArrayLike, significant: ArrayLike, *, max_letters: int | None = None
) -> list[str]:
    """Compact letter display: groups that share a letter are not significantly different.

    Uses Piepho's (2004) insert-absorb algorithm, whose letters are exactly the maximal sets of
    mutually non-different groups, followed by a sweep that drops letters whose every pair is
    also covered by another letter.  Letters are assigned in score order, so the group with
    the highest score (mean rank) gets "a".

    Parameters
    ----------
    scores : array_like, shape (k,)
        Ordering score per group, higher = better (mean ranks, or means).  NaN marks a group
        without answers; it gets ``""`` and takes no part.
    significant : array_like of bool, shape (k, k)
        Symmetric matrix, True where two groups differ significantly (diagonal ignored),
        e.g. :meth:`DunnResult.significant`.
    max_letters : int, optional
        Bound on the number of letter columns insert-absorb may hold while it runs (default
        ``max(52, 2 * k)``).

    Returns
    -------
    list of str
        One string per group.  Up to 52 letters: ``a-z`` then ``A-Z``, concatenated
        (``"ab"``).  Beyond 52 letters every letter becomes a token ``a``..``Z`` followed by a
        cycle number from the 53rd on (``a1``, ``b1``, ...) and tokens are joined with ``"."``
        so the string stays unambiguous (``"a.Z.c1"``); a display that long is hard to read, and
        a table of intervals serves readers better.

    Notes
    -----
    Cost.  Insert-absorb makes one pass per group and tests each new column for containment in
    the existing ones, with columns held as integer bit sets.  For Dunn results on 400 offices
    of similar size this takes 10-20 ms (plus ~10 ms for the sweep).  The number of maximal
    sets can, however, grow quickly (exponentially for contrived patterns; to several hundred
    when office sizes differ a lot), so insert-absorb runs under a budget: if its columns
    exceed ``max_letters`` or its containment tests exceed about 100,000 (~10 ms), the letters
    are built instead by a greedy clique cover: the first (in score order) non-different pair
    that shares no letter yet seeds a new letter, which is grown by the best-scoring compatible
    group that covers a new pair (else the best-scoring compatible group).  The greedy cover is
    valid too (every non-different pair shares a letter, no letter holds a different pair) and
    after the sweep usually needs no more letters than insert-absorb; on Dunn results it takes
    10-25 ms for 400 offices.  It is itself capped at 200,000 steps; pairs still uncovered then
    get two-group letters, so any 400 x 400 pattern, however contrived, is done in well under
    a second.  The sweep is skipped above 4,096 letters.
    """
    sets = compact_letter_sets(scores, significant, max_letters=max_letters)
    n_letters = 1 + max((max(t) for t in sets if t), default=-1)
    if n_letters <= len(_ALPHABET):
        return ["".join(_ALPHABET[i] for i in t) for t in sets]

    def token(i: int) -> str:
        cycle, r = divmod(i, len(_ALPHABET))
        return _ALPHABET[r] + (str(cycle) if cycle else "")

    return [".".join(token(i) for i in t) for t in sets]


def letters_from_dunn(dunn: DunnResult, alpha: float = 0.05) -> list[str]:
    """Compact letters from a Dunn result: mean ranks as scores, adjusted p < ``alpha``."""
    return compact_letters(dunn.mean_ranks, dunn.significant(alpha))
