"""The tables, split by domain; import them from here (``from webapp.models import Office``).

Every feature reads and writes through these classes; none defines tables of its own, so one
Alembic history (``migrations/``) describes the whole schema.
"""

from .accounts import ROLE_LABELS, ROLES, User
from .api import API_SCOPES, ApiToken, ApiUsage
from .audit import AuditEvent
from .calibration import CalibrationRound, CalibrationScore
from .cases import ITEM_STATES, CaseItem, ImprovementCase
from .common import MAX_ROW_ID, TAIPEI, UTCDateTime, row_id, too_long, utcnow
from .evidence import ItemNote, Photo
from .notifications import Notification
from .offices import OFFICE_KINDS, Kiosk, Office
from .plans import Assignment, CheckPlan
from .publications import Publication
from .records import (
    CHANNEL_LABELS,
    CHANNELS,
    STATUSES,
    Answer,
    InstrumentVersion,
    RecordEvent,
    Submission,
    SurveyCode,
)
from .rollups import AnswerCount, RollupPeriod, ScaleSum

__all__ = ["API_SCOPES", "Assignment", "CalibrationRound", "CalibrationScore", "CheckPlan",
           "ItemNote", "Photo", "ApiToken", "ApiUsage", "CaseItem", "ImprovementCase", "ITEM_STATES",
           "CHANNEL_LABELS", "CHANNELS", "OFFICE_KINDS", "ROLE_LABELS", "ROLES", "STATUSES",
           "TAIPEI", "Answer", "AuditEvent",
           "AnswerCount", "InstrumentVersion", "Kiosk", "Notification", "Office", "Publication",
           "RecordEvent", "RollupPeriod",
           "ScaleSum", "Submission", "SurveyCode", "User",
           "UTCDateTime", "MAX_ROW_ID", "row_id", "too_long", "utcnow"]
