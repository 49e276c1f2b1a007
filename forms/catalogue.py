"""The programme's instruments, in one registry: which exist, what kind each is, who fills it,
how often an inspection is planned, and whether the half-year report (and so the API and the
open data) compares offices on it.

Every list of instruments in the app reads this: the inspector's and reviewer's lists, the
plans, the paper pages, the report, the audit log's names and the OpenAPI document.  A
definition's own ``kind`` (``instruments/*.json``) must agree with its entry here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    key: str
    kind: str                 #: "survey" or "inspection"
    filled_by: str            #: "citizens", "staff" or "inspectors"
    name: dict[str, str]      #: how the audit log and messages name it
    cadence: str | None = None   #: an inspection's plan period: "Q" (quarters) or "H" (halves)
    reported: bool = False    #: compared across offices in the half-year report


CATALOGUE: dict[str, Entry] = {e.key: e for e in (
    Entry("satisfaction", "survey", "citizens",
          {"zh_TW": "民眾滿意度調查", "en": "the citizen survey"}, reported=True),
    Entry("phone", "inspection", "inspectors",
          {"zh_TW": "電話禮貌測試", "en": "phone test"}, cadence="Q", reported=True),
    Entry("mystery", "inspection", "inspectors",
          {"zh_TW": "神秘客查核", "en": "mystery visit"}, cadence="H", reported=True),
    Entry("staff", "survey", "staff",
          {"zh_TW": "內部同仁滿意度調查", "en": "the staff survey"}),
)}

KEYS = tuple(CATALOGUE)
INSPECTIONS = tuple(k for k, e in CATALOGUE.items() if e.kind == "inspection")
SURVEYS = tuple(k for k, e in CATALOGUE.items() if e.kind == "survey")
#: the surveys citizens fill: their free-text answers are the comments read into themes
CITIZEN_SURVEYS = tuple(k for k in SURVEYS if CATALOGUE[k].filled_by == "citizens")
REPORTED = tuple(k for k, e in CATALOGUE.items() if e.reported)
#: which period each inspection is planned in: phone tests per quarter, mystery visits per half
CADENCE = {k: e.cadence for k, e in CATALOGUE.items() if e.cadence}
