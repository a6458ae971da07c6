"""The limits of what people may enter, checked by the services whoever calls them (page, API, command).

Text longer than its column is refused, never cut to fit; a location is two finite numbers in range; a
deadline lies ahead, at most ``MAX_DEADLINE_YEARS`` away; a date that records the past lies between
``EARLIEST_DATE`` and today. The API checks the same limits in its schemas (``gridgov.api_schemas``) and
the forms in their fields, so people see the refusal next to what they typed; these checks are what the
services still enforce for every other caller.

This module is foundation, like ``gridgov.errors``: apps import it, it imports none of them.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import Invalid

EARLIEST_DATE = date(2000, 1, 1)  # nothing gridgov records happened before
LATEST_DATE = date(2099, 12, 31)  # nothing it plans lies beyond; local times stay far from datetime's limits
MAX_DEADLINE_YEARS = 3
MAX_DEADLINE_DAYS = 366 * MAX_DEADLINE_YEARS
COORDINATE_STEP = Decimal("0.000001")
COUNT_MAX = 10_000_000  # counts people type (times a news item spread): whole numbers 0 … 10 million


def text_within(value, *, limit: int, label) -> str:
    """``value`` stripped, or a refusal naming ``label`` when it is longer than ``limit`` characters."""
    text = (value or "").strip()
    if len(text) > limit:
        raise Invalid(_("%(label)s is too long: at most %(limit)d characters, %(length)d given.")
                      % {"label": label, "limit": limit, "length": len(text)})
    return text


def rating(value) -> int:
    """A rating of 1 to 5 stars as a whole number; anything else is refused (``invalid_rating``, registered by
    the apps that take ratings)."""
    try:
        stars = int(value)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise Invalid(_("Give a rating from 1 to 5."), code="invalid_rating")
    return stars


def location(latitude, longitude) -> tuple[Decimal, Decimal] | None:
    """A (latitude, longitude) pair to the micro-degree, None when both are empty, else ``invalid_location``."""
    if latitude in (None, "") and longitude in (None, ""):
        return None
    try:
        pair = Decimal(str(latitude).strip()), Decimal(str(longitude).strip())
    except (InvalidOperation, ValueError):
        raise Invalid(_("The location is not a pair of numbers."), code="invalid_location") from None
    if not all(value.is_finite() for value in pair):
        raise Invalid(_("The location is not a pair of numbers."), code="invalid_location")
    latitude, longitude = pair
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Invalid(_("The location is out of range."), code="invalid_location")
    return latitude.quantize(COORDINATE_STEP), longitude.quantize(COORDINATE_STEP)


def aware(value: datetime) -> datetime:
    """A datetime without a UTC offset is wall-clock time in ``settings.TIME_ZONE``."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def check_deadline(deadline, *, now=None) -> datetime:
    """A deadline in the future and at most ``MAX_DEADLINE_YEARS`` ahead (an aware datetime)."""
    if not isinstance(deadline, datetime):
        raise Invalid(_("The deadline must be a date and time."))
    now = now or timezone.now()
    deadline = aware(deadline)
    if deadline <= now:
        raise Invalid(_("The deadline must be in the future."))
    if deadline > now + timedelta(days=MAX_DEADLINE_DAYS):
        raise Invalid(_("The deadline may be at most %(years)d years ahead.") % {"years": MAX_DEADLINE_YEARS})
    return deadline


def check_date(value, *, label, past: bool = False) -> date:
    """A date from ``EARLIEST_DATE``; when it records the past (``past``), not after today, else at most
    ``MAX_DEADLINE_YEARS`` ahead."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise Invalid(_("%(label)s must be a date.") % {"label": label})
    today = timezone.localdate()
    if value < EARLIEST_DATE:
        raise Invalid(_("%(label)s cannot be before %(earliest)s.") % {"label": label, "earliest": EARLIEST_DATE})
    if past and value > today:
        raise Invalid(_("%(label)s cannot be in the future.") % {"label": label})
    if value > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise Invalid(_("%(label)s may be at most %(years)d years ahead.")
                      % {"label": label, "years": MAX_DEADLINE_YEARS})
    return value


# ---------------------------------------------------------------------------------------------- form fields


class LimitedDateField(forms.DateField):
    """A form's date within ``check_date``'s limits, refused next to the field (``past``: not after today)."""

    def __init__(self, *, past: bool = False, **kwargs):
        self.past = past
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date", "min": EARLIEST_DATE.isoformat()}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values:
            _as_form_error(check_date, value, label=self.label or _("The date"), past=self.past)


class DeadlineField(forms.DateTimeField):
    """A form's deadline: in the future and at most ``MAX_DEADLINE_YEARS`` ahead (``check_deadline``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values:
            _as_form_error(check_deadline, value)


def _as_form_error(check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except Invalid as refused:
        raise forms.ValidationError(refused.message, code=refused.code) from None
