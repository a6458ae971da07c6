"""The codes of the audit archive's refusals (``gridgov.errors``: one status per code). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "audit_retention": (400, "Audit records are kept for the legal minimum; choose an earlier date."),
    "audit_archive_exists": (409, "An archive file of that name exists already."),
    "audit_archive_mismatch": (409, "The archive and the records to delete differ; nothing was deleted."),
})
