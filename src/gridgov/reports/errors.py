"""The codes of reports' refusals (``gridgov.errors``: one status per code). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "unknown_category": (400, "Choose one of the listed report categories."),
    "empty_report": (400, "A report needs a description or a photo."),
    "too_many_photos": (400, "More photos than a report takes."),
    "invalid_rating": (400, "A rating is a whole number from 1 to 5."),
    "invalid_handler": (400, "This person cannot handle the report (outside the area, or handles it already)."),
    "cannot_escalate": (409, "The report cannot go higher (already with the street, or nobody above)."),
})
