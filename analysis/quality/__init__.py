"""Data-quality flags for the citizen survey: covered buttons, stuffing bursts, copied patterns.

This package gathers the three screens behind one import (``from analysis import quality``),
one module per question, with what they share beside them:

* :mod:`~analysis.quality.negatives`: covered negative buttons (:func:`no_negative_answers`);
* :mod:`~analysis.quality.timing`: bursts of submissions from one tablet (:func:`bursts`);
* :mod:`~analysis.quality.patterns`: one answer pattern copied again and again
  (:func:`repeated_patterns`);
* :mod:`~analysis.quality.reference`: the "new office like the others" both office-level
  screens compare with; :mod:`~analysis.quality.common`: argument checks and number formats.

Offices have been caught taping over the negative buttons of the counter tablet and filling in
surveys themselves.  The three screens here look for the traces those leave in aggregates that
SQL computes (no raw rows leave the database):

* :func:`no_negative_answers`: an office with many answers and (almost) no negative ones, when
  the other offices make that improbable.  Input: an office x level count table (of each
  submission's lowest answer, or of one item).
* :func:`bursts`: time windows in which one tablet received improbably many submissions, or
  more than a person can physically fill in.  Input: submissions per fixed window.
* :func:`repeated_patterns`: one answer pattern (the same button on every question) far more
  common at an office than at honest offices.  Input: the office's pattern counts and item
  marginals, and every other office's top-pattern count.

A flag is evidence for an analyst to look at, not a verdict: every flag carries the numbers
behind it and a ``reason`` in Traditional Chinese that can be shown as is.  Each screen adjusts
for everything it screens in one run (Bonferroni over offices, windows or offices x patterns),
so ``alpha = 0.001`` is the chance that an honest region produces any flag at all; the tests
check this on simulated honest regions.

Honest offices differ, and that is the main statistical trap.  A plain binomial test against
the pooled rate of the other offices assumes every office has the same true rate; with
hundreds of answers per office it then "detects" the ordinary difference between the best
office and the average one (in data like the demo data the best office's true negative rate
on an item is about 0.3% against a pooled 1.5%, and its most common answer pattern is several
times as common as the average office's).  Both office-level screens therefore compare an office with *a new
office drawn from the other offices*, between-office spread included:

* negative answers: a beta-binomial whose mean is the other offices' pooled rate and whose
  intraclass correlation ``rho`` is estimated from them (the ANOVA estimator for binary data,
  Fleiss 1981; Ridout, Demetrio & Firth 1999).  ``rho = 0`` is exactly the binomial;
* answer patterns: a prediction interval on the logit scale, where the spread of the top
  pattern's share between offices is roughly normal, with Student's t for a mean and SD
  estimated from a few offices.

The naive binomial probabilities are reported beside them, so the difference can be seen.

The aggregates, for one instrument and period, kiosk channel (``submissions.channel =
'kiosk'``, status ``submitted``):

* :func:`no_negative_answers`: per office, the number of submissions whose *lowest* Likert
  answer is 1, 2, ..., 5 (``MIN(answers.value)`` per submission over the Likert items, then
  ``GROUP BY office_id, lowest``), or the ``GROUP BY office_id, value`` counts of one item;
* :func:`bursts`: per tablet, ``COUNT(*)`` per window of ``submitted_at`` (e.g.
  ``floor(epoch / 300)``), with the empty windows of the opening hours filled in as zeros;
* :func:`repeated_patterns`: per office, the submissions pivoted to one row of answers
  (``MAX(CASE WHEN item_key = ... THEN value END)`` per item, NULL = no answer), then
  ``COUNT(*) GROUP BY office_id, q1, ..., qk``; the per-item ``GROUP BY value`` counts with
  no answer as its own column; and each office's largest pattern count and its total.

Malformed input raises ``ValueError``; empty input (no offices, no windows, an office without
submissions) gives a result with nothing tested, never an exception.
"""

# LEVEL_LABELS_5 and Model are not in __all__ (as before the split) but stay reachable here.
from analysis.quality.common import LEVEL_LABELS_5 as LEVEL_LABELS_5
from analysis.quality.negatives import Model as Model
from analysis.quality.negatives import NegativeAnswersResult, OfficeNegatives, no_negative_answers
from analysis.quality.patterns import PatternFlag, RepeatedPatternsResult, repeated_patterns
from analysis.quality.reference import OUTLIER_Z
from analysis.quality.timing import BurstsResult, BurstWindow, bursts

__all__ = [
    "BurstWindow",
    "BurstsResult",
    "NegativeAnswersResult",
    "OfficeNegatives",
    "OUTLIER_Z",
    "PatternFlag",
    "RepeatedPatternsResult",
    "bursts",
    "no_negative_answers",
    "repeated_patterns",
]
