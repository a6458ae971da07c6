"""The codes of volunteers' refusals (``gridgov.errors``: one status per code). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "need_in_past": (400, "A need's time has already passed, or lies too far ahead."),
    "need_full": (409, "Enough helpers have already claimed this need."),
    "need_closed": (409, "The need is no longer open for claims (served, confirmed, cancelled)."),
    "already_claimed": (409, "This volunteer has already claimed this need."),
    "not_volunteer": (403, "Only a registered volunteer may do this (claim, check in, answer a call-out)."),
    "skill_missing": (403, "The need's category asks for a skill the volunteer has not registered."),
    "not_requester": (403, "Only the requester may confirm the service."),
    "location_required": (400, "Checking in and out records where: a location is required."),
    "checkout_before_checkin": (400, "A check-out must come after the check-in."),
    "hours_beyond_span": (400, "The time claimed is longer than the span from check-in to check-out."),
    "already_answered": (409, "This person has already answered this call-out."),
    "callout_closed": (409, "The call-out is over."),
    "release_too_late": (409, "A claim can be given back only before its check-in."),
})
