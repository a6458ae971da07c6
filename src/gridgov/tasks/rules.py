"""What every task service shares: the bounds of a task's and a claim's fields, the fields their audit
records snapshot, and how a refusal is recorded. Kept apart so that ``services`` (claims) and ``publishing``
(tasks) use one set of rules without importing each other."""

from gridgov.audit.services import audit_denied
from gridgov.errors import refusal
from gridgov.tasks.models import Claim, Grade, Task

TASK_FIELDS = ["node_id", "title", "work_type_id", "grade_id", "points", "places", "claimed_count", "deadline",
               "requires_photo", "requires_text", "requires_location", "recurrence", "status"]
CLAIM_FIELDS = ["state", "adjustment", "points_awarded", "reason", "evaluator_id", "auditor_id", "posting_id"]
ADJUSTMENT_LIMIT_PERCENT = 50
MAX_PHOTOS_PER_SUBMISSION = 9
MAX_PLACES = 500
MAX_POINTS = 100_000  # a task's points, and an evaluator's adjustment, are at most this
MAX_TEXT = 5000  # a task's description, a notice's body, a worker's evidence
MAX_TITLE = Task._meta.get_field("title").max_length
MAX_REASON = Claim._meta.get_field("reason").max_length
MAX_GRADE_NAME = Grade._meta.get_field("name").max_length
MAX_AREAS = 100  # nodes one publication may name (one task each)


def refuse(*, actor, action: str, target, message, code: str):
    """Record the refused attempt, then raise it with its code (which fixes its status)."""
    audit_denied(actor=actor, action=action, target=target, reason=f"{code}: {message}")
    raise refusal(code, message)
