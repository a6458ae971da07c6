"""The codes of bookings' refusals (``gridgov.errors``: one status per code). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "date_past": (400, "The visit's date and slot have already begun or passed."),
    "date_too_far": (400, "Bookings open a limited number of days ahead."),
    "base_closed": (400, "The base does not receive visitors on that day."),
    "too_many_people": (400, "More people than the slot holds (or none)."),
    "unknown_slot": (400, "The slot is not one of the plan's base."),
    "slot_full": (409, "Not enough places are left in that slot."),
    "already_booked": (409, "The organisation has already booked that slot."),
    "past_cutoff": (409, "Too close to the visit to cancel or move it."),
    "not_attendee": (403, "Only members of the visiting organisation may rate a visit they attended."),
    "already_rated": (409, "This person has already rated this visit."),
    "invalid_rating": (400, "A rating is a whole number from 1 to 5."),
    "invalid_token": (400, "The rating code is not valid or has expired."),
    "reason_required": (400, "A reason is required for this decision."),
    "invalid_liaison": (400, "This person is not in the plan's liaison pool."),
})
