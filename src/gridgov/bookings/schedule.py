"""Time arithmetic of bookings: working hours for the reviewers' time limits, and when a slot starts.

Working hours are Monday to Friday, 08:30–12:00 and 13:30–17:30 local time (the county offices' day); a
request made on Friday evening is due on Monday. Public holidays are not known here (an installation that
needs them sets longer limits).
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

WORKING_PERIODS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` of working time after ``start`` (aware; the answer is aware, in local time)."""
    moment = timezone.localtime(start)
    left = timedelta(hours=hours)
    for _day in range(400):  # at most a year and some of days: hours are bounded by the models
        if moment.isoweekday() <= 5:
            for begin, end in WORKING_PERIODS:
                period_start = moment.replace(hour=begin.hour, minute=begin.minute, second=0, microsecond=0)
                period_end = moment.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
                if moment >= period_end:
                    continue
                from_time = max(moment, period_start)
                available = period_end - from_time
                if left <= available:
                    return from_time + left
                left -= available
                moment = period_end
        following = (moment + timedelta(days=1)).date()
        moment = timezone.make_aware(datetime.combine(following, time(0, 0)))
    return moment


def slot_start(day, slot) -> datetime:
    return timezone.make_aware(datetime.combine(day, slot.starts_at))


def slot_end(day, slot) -> datetime:
    return timezone.make_aware(datetime.combine(day, slot.ends_at))
