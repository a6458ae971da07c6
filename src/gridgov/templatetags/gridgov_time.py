"""Dates as people say them, for every value a row may hold: ``{% load gridgov_time %}``.

``{{ value|when }}`` is ``12月3日 周四 18:00`` (with the year when it is not this year), ``{{ value|due }}`` is
``还剩 3 小时`` or ``已超时 2 天``, ``{{ value|iso }}`` is the machine-readable time for ``<time datetime>``.
Django's own ``date`` filter converts to local time first, which overflows for a value near the end of
the calendar (9999-12-31 UTC is in the year 10000 in Asia/Shanghai) and breaks the whole page; these
filters show such a value in UTC instead, so every stored value renders.
"""

from datetime import date, datetime, timezone

from django import template
from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

register = template.Library()

WEEKDAYS = (pgettext_lazy("weekday", "Mon"), pgettext_lazy("weekday", "Tue"), pgettext_lazy("weekday", "Wed"),
            pgettext_lazy("weekday", "Thu"), pgettext_lazy("weekday", "Fri"), pgettext_lazy("weekday", "Sat"),
            pgettext_lazy("weekday", "Sun"))


def _local(value: datetime) -> tuple[datetime, bool]:
    """``value`` in local time, or in UTC (and False) when local time lies outside the calendar."""
    if django_timezone.is_naive(value):
        return value, True
    try:
        return django_timezone.localtime(value), True
    except (OverflowError, ValueError):
        return value.astimezone(timezone.utc), False


@register.filter
def when(value) -> str:
    """``12月3日 周四 18:00``; a date alone has no time; another year is named; empty for no value."""
    if not isinstance(value, date):
        return ""
    moment, local = _local(value) if isinstance(value, datetime) else (value, True)
    weekday = WEEKDAYS[moment.weekday()]
    if moment.year == django_timezone.localdate().year:
        text = _("%(month)d/%(day)d %(weekday)s") % {"month": moment.month, "day": moment.day, "weekday": weekday}
    else:
        text = _("%(month)d/%(day)d/%(year)d %(weekday)s") % {"year": moment.year, "month": moment.month,
                                                              "day": moment.day, "weekday": weekday}
    if isinstance(value, datetime):
        text = f"{text} {moment:%H:%M}" + ("" if local else " UTC")
    return text


@register.filter
def due(value, now=None) -> str:
    """``还剩 3 小时`` before ``value``, ``已超时 2 天`` after it: days from two days on, else hours, else minutes."""
    if not isinstance(value, datetime) or django_timezone.is_naive(value):
        return ""
    now = now if isinstance(now, datetime) else django_timezone.now()
    seconds = (value - now).total_seconds()
    left, span = seconds >= 0, abs(seconds)
    if span >= 2 * 86400:
        amount = int(span // 86400)
        text = ngettext("%(count)d day", "%(count)d days", amount)
    elif span >= 3600:
        amount = int(span // 3600)
        text = ngettext("%(count)d hour", "%(count)d hours", amount)
    else:
        amount = max(int(span // 60), 1)
        text = ngettext("%(count)d minute", "%(count)d minutes", amount)
    text = text % {"count": amount}
    return _("%(span)s left") % {"span": text} if left else _("%(span)s overdue") % {"span": text}


@register.filter
def iso(value) -> str:
    """The ISO 8601 time (local, or UTC where local time overflows) for ``<time datetime=…>``."""
    if not isinstance(value, date):
        return ""
    moment = _local(value)[0] if isinstance(value, datetime) else value
    return moment.isoformat()
