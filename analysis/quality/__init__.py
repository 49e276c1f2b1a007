"""Data-quality flags for the citizen survey (the screens are being split into modules)."""

from analysis.quality.negatives import (
    OUTLIER_Z,
    BurstsResult,
    BurstWindow,
    NegativeAnswersResult,
    OfficeNegatives,
    PatternFlag,
    RepeatedPatternsResult,
    bursts,
    no_negative_answers,
    repeated_patterns,
)

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
