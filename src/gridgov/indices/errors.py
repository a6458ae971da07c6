"""The codes of the indices' refusals (``gridgov.errors``: one status per code). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "reason_required": (400, "A reason is required for this decision."),
    "frozen": (409, "The period is published (frozen) or not a draft; publish or correct instead."),
    "not_published": (409, "Only a published period is corrected."),
})
