"""A reviewer's decision on an inspector's record: approve it, or return it with a comment.

A decision names the revision the reviewer saw and is one conditional UPDATE
(``store.claim_revision``), so of two reviewers deciding at once exactly one wins, and a page
opened before the inspector resubmitted decides nothing.  What follows a decision happens in the
layers above, after the commit: ``record_approved`` opens an improvement case when the score is
low, ``record_returned`` tells the inspector.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from webapp.capture import store
from webapp.capture.records import log_event
from webapp.capture.submissions import Submission
from webapp.platform import audit
from webapp.platform.events import Event
from webapp.platform.extensions import db
from webapp.platform.hooks import Hook

OUTCOMES = ("approved", "returned")
#: the statuses a reviewer sees (a draft is the inspector's own)
DECIDED = ("submitted", "returned", "approved")

record_approved = Event("record_approved", "record_id: an inspector's record was approved")
record_returned = Event("record_returned",
                        "record_id, comment: a record went back to its inspector with a comment")
#: what the layers above tell the reviewer once an approval is committed, instead of a plain
#: "approved" (the case it opened): each function takes the record's id and returns a sentence
#: that says the record was approved and what followed, or "" for nothing
after_approval = Hook("after_approval", "record_id -> a sentence for the reviewer, or ''")


def next_waiting(reviewer_id: int) -> Submission | None:
    """The record the queue puts first for this reviewer: the earliest sent of those awaiting
    a decision, not their own (nobody decides on a record they filed)."""
    return db.session.scalar(
        select(Submission).where(Submission.channel == "inspector",
                                 Submission.status == "submitted",
                                 or_(Submission.inspector_id.is_(None),
                                     Submission.inspector_id != reviewer_id))
        .order_by(Submission.submitted_at, Submission.id).limit(1))


class Stale(Exception):
    """The record changed since the reviewer opened it (resubmitted, or decided by another)."""


def decide(record: Submission, outcome: str, comment: str | None, seen: int) -> None:
    """Approve or return ``record`` as of revision ``seen``, in the caller's transaction;
    ``Stale`` when it is no longer that revision awaiting a decision."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if not store.claim_revision(record, seen, ("submitted",), status=outcome,
                                review_comment=comment or None):
        raise Stale
    audit.record(outcome, "submission", record.id, {"comment": comment or None,
                                                    "score": record.score})
    log_event(record, outcome, comment or None)
    if outcome == "approved":
        record_approved.publish(record_id=record.id)
    else:
        record_returned.publish(record_id=record.id, comment=comment or "")
