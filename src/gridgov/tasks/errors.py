"""The codes of the task flow's refusals (``gridgov.errors``: one status per code). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "task_closed": (409, "The task takes no more claims."),
    "task_expired": (409, "The task's deadline has passed."),
    "task_full": (409, "Every place of the task is taken."),
    "already_claimed": (409, "You hold an active claim on this task already."),
    "evidence_missing": (400, "The task requires text, a photo or a location that the submission lacks."),
    "not_your_claim": (403, "Only the worker who claimed the task may do this."),
    "self_approval": (403, "Nobody evaluates or audits their own work, nor audits what they evaluated."),
    "adjustment_out_of_range": (400, "The evaluator's adjustment is beyond the allowed share of the points."),
    "reason_required": (400, "A reason is required for this decision."),
    "areas_overlap": (400, "Two of the areas chosen for one publication lie one inside the other."),
    "places_below_taken": (409, "A task cannot have fewer places than are taken."),
    "deadline_earlier": (409, "Workers claimed the task under its deadline: it may only move later."),
    "requirements_tightened": (409, "Workers claimed the task: what its evidence must include may only be loosened."),
})
