"""Calendar rules: recurring service days (每周组团服务日, the 20th of each month, 志愿服务周 in the last week of
June) as data, and the generator that posts their needs.

A rule (``ServiceDay``) is managed by a cadre of its node and posts, as that cadre, one need a day it falls on,
``lead_days`` ahead, through ``services.need_submit`` (so the need is published and told in waves like any
other). Idempotent: each (rule, date) is one need under a unique constraint, and ``generated_until`` remembers
how far a rule was posted, so the generator — run by ``gridgov volunteers calendar`` and after every deadline
scan — reads one row per rule when there is nothing to do, and creates nothing twice however often or however
many times at once it runs.
"""

import calendar as months
import logging
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record, snapshot
from gridgov.errors import DomainError, Invalid, NotFound, refusal
from gridgov.limits import text_within
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import require
from gridgov.volunteers import services
from gridgov.volunteers.models import Cadence, Category, Need, RequesterKind, ServiceDay

log = logging.getLogger(__name__)

DAY_FIELDS = ["name", "node_id", "category_id", "cadence", "weekday", "day_of_month", "month", "title", "place",
              "start_time", "helpers", "lead_days", "is_active"]
MAX_LEAD_DAYS = 60
MAX_RULES_PER_RUN = 1000


def falls_on(rule: ServiceDay, day: date) -> bool:
    """Whether ``rule`` has a service on ``day``. A monthly rule on the 29th to 31st falls on the last day of a
    shorter month."""
    if rule.cadence == Cadence.WEEKLY:
        return day.weekday() == rule.weekday
    last = months.monthrange(day.year, day.month)[1]
    if rule.cadence == Cadence.MONTHLY:
        return day.day == min(rule.day_of_month, last)
    if rule.cadence == Cadence.LAST_WEEK:
        return day.month == rule.month and day.day > last - 7
    return False


def dates_between(rule: ServiceDay, first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if falls_on(rule, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _number(value, *, low: int, high: int, message: str) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Invalid(message) from None
    if not low <= value <= high:
        raise Invalid(message)
    return value


def service_day_save(*, actor, node: Node, name: str, category: Category, cadence: str, title: str, place: str,
                     start_time, helpers=10, lead_days=7, weekday=None, day_of_month=None, month=None,
                     rule: ServiceDay | None = None, idempotency_key: str = "", now=None) -> ServiceDay:
    """Create a rule (or change ``rule``): a cadre of ``node``, who becomes the one its needs are posted by."""
    now = now or timezone.now()
    grant = require(actor, "volunteer.manage", node)
    if rule is not None:
        require(actor, "volunteer.manage", rule)
    key = str(idempotency_key or "")[:64]
    if rule is None and key and (first := ServiceDay.objects.filter(owner=actor, idempotency_key=key).first()):
        return first
    name = text_within(name, limit=50, label=_("The name"))
    title = text_within(title, limit=services.MAX_TITLE, label=_("What is needed"))
    place = text_within(place, limit=services.MAX_PLACE, label=_("The address"))
    if not name or not title or not place:
        raise Invalid(_("Name the service day, what is needed and where."))
    if not isinstance(category, Category) or not category.is_active:
        raise Invalid(_("Choose one of the categories in use."))
    if not isinstance(start_time, time) or start_time.tzinfo is not None:  # a time of day here, in local time
        raise Invalid(_("Say at what time the service starts."))
    helpers = _number(helpers, low=1, high=services.MAX_HELPERS,
                      message=_("Ask for 1 to %(max)d helpers.") % {"max": services.MAX_HELPERS})
    lead_days = _number(lead_days, low=1, high=MAX_LEAD_DAYS,
                        message=_("Post 1 to %(max)d days ahead.") % {"max": MAX_LEAD_DAYS})
    if cadence == Cadence.WEEKLY:
        weekday = _number(weekday, low=0, high=6, message=_("Choose the weekday of the service."))
        day_of_month = month = None
    elif cadence == Cadence.MONTHLY:
        day_of_month = _number(day_of_month, low=1, high=31, message=_("Choose a day of the month from 1 to 31."))
        weekday = month = None
    elif cadence == Cadence.LAST_WEEK:
        month = _number(month, low=1, high=12, message=_("Choose the month whose last week is the service week."))
        weekday = day_of_month = None
    else:
        raise Invalid(_("Choose how the service day repeats."))
    values = {"name": name, "node": node, "category": category, "cadence": cadence, "weekday": weekday,
              "day_of_month": day_of_month, "month": month, "title": title, "place": place,
              "start_time": start_time, "helpers": helpers, "lead_days": lead_days}
    try:
        with transaction.atomic():
            if rule is None:
                rule = ServiceDay.objects.create(owner=actor, created_at=now, idempotency_key=key, **values)
                before = None
            else:
                rule = ServiceDay.objects.select_for_update().get(pk=rule.pk)
                before = snapshot(rule, DAY_FIELDS)
                for field, value in values.items():
                    setattr(rule, field, value)
                rule.owner = actor
                rule.generated_until = None  # the new pattern is posted from today (posted dates stay once)
                rule.save()
            audit_record(actor=actor, role=grant.role, action="volunteer.service_day", target=rule, before=before,
                         after=snapshot(rule, DAY_FIELDS))
    except IntegrityError:
        if key and (first := ServiceDay.objects.filter(owner=actor, idempotency_key=key).first()):
            return first
        raise
    return rule


def service_day_switch(*, actor, rule: ServiceDay, active: bool) -> ServiceDay:
    """Stop a rule (its needs already posted stay) or start it again."""
    grant = require(actor, "volunteer.manage", rule)
    with transaction.atomic():
        rule = ServiceDay.objects.select_for_update().get(pk=rule.pk)
        if rule.is_active == bool(active):
            raise refusal("invalid_state", _("This service day is already %(state)s.")
                          % {"state": _("in use") if active else _("stopped")})
        before = snapshot(rule, DAY_FIELDS)
        rule.is_active = bool(active)
        if active:
            rule.generated_until = None
        rule.save(update_fields=["is_active", "generated_until"])
        audit_record(actor=actor, role=grant.role, action="volunteer.service_day", target=rule, before=before,
                     after=snapshot(rule, DAY_FIELDS))
    return rule


def rule_in_area(*, pk) -> ServiceDay:
    rule = ServiceDay.objects.select_related("node", "category", "owner").filter(pk=pk).first()
    if rule is None:
        raise NotFound(_("There is no such service day."))
    return rule


def generate(*, now=None) -> int:
    """Post the needs of every active rule up to ``lead_days`` ahead; how many were posted. Safe to run at any
    time, as often as wanted, in parallel: a date already posted is skipped (the unique constraint decides)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    posted = 0
    due = (ServiceDay.objects.filter(is_active=True).select_related("node", "category", "owner")
           .order_by("pk")[:MAX_RULES_PER_RUN])
    for rule in due:
        last = today + timedelta(days=rule.lead_days)
        if rule.generated_until is not None and rule.generated_until >= last:
            continue
        first = today if rule.generated_until is None else max(today, rule.generated_until + timedelta(days=1))
        days = dates_between(rule, first, last)
        done = set(Need.objects.filter(service_day=rule, service_date__in=days).values_list("service_date",
                                                                                            flat=True))
        for day in days:
            if day not in done and _post(rule, day, now=now):
                posted += 1
        ServiceDay.objects.filter(pk=rule.pk).update(generated_until=last)
    return posted


def _post(rule: ServiceDay, day: date, *, now) -> bool:
    starts_at = timezone.make_aware(datetime.combine(day, rule.start_time), timezone.get_default_timezone())
    if starts_at < now:
        return False  # today's service already began: nothing to ask for any more
    try:
        with transaction.atomic():
            need = services.need_submit(
                actor=rule.owner, category=rule.category, node=rule.node, title=rule.title, place=rule.place,
                starts_at=starts_at, helpers=rule.helpers, requester_kind=RequesterKind.CADRE,
                idempotency_key=f"day:{rule.pk}:{day.isoformat()}", now=now)
            updated = Need.objects.filter(pk=need.pk, service_day__isnull=True).update(service_day=rule,
                                                                                      service_date=day)
            if not updated:
                return False  # the same owner's key answered a need posted before
    except IntegrityError:
        return False  # another run posted this date first
    except DomainError as error:  # the owner lost the role, the category stopped…: audited by the service
        log.warning("service day %s could not post %s: %s", rule.pk, day, error.message)
        return False
    return True
