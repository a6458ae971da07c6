"""Patrols with check-in (巡查打卡): windows of the day when grid workers (or another role) patrol their grid and
check in on the phone.

A window (``PatrolWindow``) covers a node's subtree and a role, on chosen weekdays, e.g. 08:30–09:30 and
16:00–17:00 in the installation's time zone. Each day the deadline scan's follow-up (``rounds_due``) gives every
person holding the role there one round per window (``PatrolRound``), due at the window's end: set-based, one
insert per window, idempotent (one round per window, person and day). A round nobody checked in is late at the
window's end: the scan alerts the worker, then, after the grace, the cadre they answer to. A check-in closes it.

A check-in is refused, with nothing written, outside an open window, a second time in the same window, or at a
place outside the worker's grid where its boundary is drawn; a retry with the same idempotency key returns the
first check-in.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record, snapshot
from gridgov.deadlines.scan import close_alerts
from gridgov.errors import Invalid, NotFound, refusal
from gridgov.geo.selectors import covers_point
from gridgov.households.models import PatrolRound, PatrolWindow
from gridgov.limits import location, text_within
from gridgov.media import process_photo
from gridgov.orgs.models import Node, Person, Role
from gridgov.orgs.permissions import grant_for, require
from gridgov.orgs.tree import ancestor_at, role_holders

PATROL_ITEM = "hh_patrol"  # the item type of patrols' alerts
DUE, DONE = "due", "done"
MAX_NOTE = PatrolRound._meta.get_field("note").max_length
MAX_LABEL = PatrolWindow._meta.get_field("label").max_length


def _local(now: datetime) -> datetime:
    return timezone.localtime(now)


def window_bounds(window: PatrolWindow, day: date) -> tuple[datetime, datetime]:
    """The window's start and end on ``day``, as aware moments in the installation's time zone."""
    return (timezone.make_aware(datetime.combine(day, window.starts)),
            timezone.make_aware(datetime.combine(day, window.ends)))


def _holders_query(window: PatrolWindow):
    """``(person id, node id, node path)`` of every active holder of the window's role in its area."""
    return role_holders([window.role], paths=[window.node.path])


def _holders(holders) -> dict[int, int]:
    """Each person of ``holders`` (rows of ``_holders_query``) once, at their deepest node there (their grid)."""
    deepest: dict[int, tuple[int, int]] = {}
    for person_id, node_id, path in holders:
        if person_id not in deepest or len(path) > deepest[person_id][1]:
            deepest[person_id] = (node_id, len(path))
    return {person_id: node_id for person_id, (node_id, _length) in deepest.items()}


def windows_on(day: date):
    return PatrolWindow.objects.filter(is_active=True, weekdays__contains=str(day.isoweekday())).select_related("node")


def rounds_due(now) -> int:
    """The deadline scan's follow-up: today's rounds of every window that applies today, for everyone holding
    its role in its area who has none yet — so someone given the role during the day gets theirs at the next
    scan, even when someone else lost it the same day (the count of rounds is no guide). Once everyone has
    theirs, a later scan (every 20 seconds for ``gridgov deadlines watch``) costs one query per window: does a
    holder lack a round? A window created after its end today starts tomorrow. Returns the rounds added."""
    today = _local(now).date()
    added = 0
    for window in windows_on(today):
        _start, end = window_bounds(window, today)
        if window.created_at > end:
            continue
        given = PatrolRound.objects.filter(window=window, day=today)
        lacking = _holders_query(window).exclude(person_id__in=given.values("worker_id"))
        rows = [PatrolRound(window=window, worker_id=person_id, node_id=node_id, day=today, state=DUE, due_at=end)
                for person_id, node_id in _holders(lacking).items()]
        if not rows:
            continue
        before = given.count()
        PatrolRound.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)  # a concurrent scan's stay
        added += given.count() - before
    return added


def window_create(*, actor, node: Node, label: str, starts: time, ends: time, weekdays: str = "12345",
                  role: str = Role.GRID_WORKER, now=None) -> PatrolWindow:
    """A cadre sets a patrol window for their area."""
    grant = require(actor, "household.patrol_manage", node)
    label = text_within(label, limit=MAX_LABEL, label=_("The name"))
    if not label:
        raise Invalid(_("Give the patrol window a name."))
    if role not in Role.values:
        raise Invalid(_("Choose who patrols."))
    if not isinstance(starts, time) or not isinstance(ends, time) or ends <= starts:
        raise refusal("invalid_window", _("A patrol window ends after it starts, on the same day."))
    if starts.tzinfo is not None or ends.tzinfo is not None:
        raise refusal("invalid_window", _("Give the times without a time zone: the installation's is used."))
    days = "".join(sorted(set(str(weekdays or ""))))
    if not days or any(day not in "1234567" for day in days):
        raise refusal("invalid_window", _("Choose the weekdays as digits, 1 Monday to 7 Sunday."))
    with transaction.atomic():
        window = PatrolWindow.objects.create(node=node, role=role, label=label, starts=starts, ends=ends,
                                             weekdays=days, created_at=now or timezone.now())
        audit_record(actor=actor, role=grant.role, action="household.patrol_window", target=window,
                     after=snapshot(window, ["label", "role", "starts", "ends", "weekdays"]))
    return window


def _node_in(person: Person, window: PatrolWindow) -> int | None:
    """The id of the deepest node where ``person`` holds the window's role inside its area, else None."""
    return _holders(_holders_query(window).filter(person_id=person.pk)).get(person.pk)


def open_windows(person, now) -> list[PatrolWindow]:
    """The windows open right now for ``person`` (their role, their area, today's weekday)."""
    if not isinstance(person, Person):
        return []
    local = _local(now)
    found = []
    for window in windows_on(local.date()).filter(starts__lte=local.time(), ends__gt=local.time()):
        if _node_in(person, window) is not None:
            found.append(window)
    return found


def check_in(*, actor, window: PatrolWindow | None = None, latitude=None, longitude=None, photo=None,
             note: str = "", idempotency_key: str = "", now=None) -> PatrolRound:
    """``actor`` checks in their patrol in the window open now (``window``, when several are)."""
    now = now or timezone.now()
    key = str(idempotency_key or "")[:64]
    if not isinstance(actor, Person):
        raise refusal("outside_window", _("Only a person on patrol checks in."))
    if key and (first := PatrolRound.objects.filter(worker=actor, idempotency_key=key).first()):
        return first
    open_now = open_windows(actor, now)
    if window is not None:
        open_now = [each for each in open_now if each.pk == window.pk]
    if not open_now:
        raise refusal("outside_window", _("No patrol window of yours is open now. Check in during the window."))
    window = open_now[0]
    node = Node.objects.get(pk=_node_in(actor, window))
    note = text_within(note, limit=MAX_NOTE, label=_("The note"))
    place = location(latitude, longitude)
    if place is not None and covers_point(node, lon=place[1], lat=place[0]) is False:
        raise refusal("outside_grid", _("This location lies outside %(node)s, where you patrol. Check in from "
                                        "your grid.") % {"node": node.name})
    processed = process_photo(photo, keep_location=False) if photo else None
    day = _local(now).date()
    try:
        with transaction.atomic():
            found = PatrolRound.objects.select_for_update().filter(window=window, worker=actor, day=day).first()
            if found is not None and found.state == DONE:
                raise refusal("already_checked_in", _("You have already checked in for %(window)s today.")
                              % {"window": window.label})
            patrol = found or PatrolRound(window=window, worker=actor, node=node, day=day)
            patrol.state, patrol.due_at, patrol.checked_in_at, patrol.note = DONE, None, now, note
            patrol.idempotency_key = key
            patrol.latitude, patrol.longitude = (place if place else (None, None))
            if processed:
                patrol.photo = processed[0]
            patrol.save()
            audit_record(actor=actor, role=window.role, action="household.patrol", target=patrol,
                         after={"window": window.pk, "day": day, "located": place is not None,
                                "photo": bool(processed)})
            close_alerts(item_type=PATROL_ITEM, item_ids=[patrol.pk], now=now)
    except IntegrityError:  # two taps at once: the first one won
        if key and (first := PatrolRound.objects.filter(worker=actor, idempotency_key=key).first()):
            return first
        raise refusal("already_checked_in", _("You have already checked in for %(window)s today.")
                      % {"window": window.label}) from None
    return patrol


# ---------------------------------------------------------------- reading


@dataclass
class TodayWindow:
    window: PatrolWindow
    starts_at: datetime
    ends_at: datetime
    patrol: PatrolRound | None

    @property
    def done(self) -> bool:
        return self.patrol is not None and self.patrol.state == DONE

    def state(self, now) -> str:
        if self.done:
            return "done"
        if now < self.starts_at:
            return "later"
        return "open" if now < self.ends_at else "missed"


def today_for(person, *, now=None) -> list[TodayWindow]:
    """Today's windows of ``person`` with their round (checked in or not), in order of the day."""
    now = now or timezone.now()
    if not isinstance(person, Person):
        return []
    day = _local(now).date()
    windows = [window for window in windows_on(day) if _node_in(person, window) is not None]
    rounds = {patrol.window_id: patrol for patrol in PatrolRound.objects.filter(worker=person, day=day)}
    return [TodayWindow(window, *window_bounds(window, day), rounds.get(window.pk)) for window in windows]


def missed_in(node: Node, *, since: date, until: date):
    """The rounds of ``node``'s subtree between the two days that nobody checked in and whose window has ended,
    by grid, day and window (a queryset: the page and the API slice it)."""
    return (PatrolRound.objects.filter(node__path__startswith=node.path, day__gte=since, day__lte=until, state=DUE,
                                       due_at__lt=timezone.now())
            .select_related("worker", "window", "node").order_by("node__path", "-day", "window__starts", "pk"))


def by_child(node: Node, *, since: date, until: date) -> list[dict]:
    """Per child of ``node`` (a community, a grid …) with rounds in those days: its check-ins and missed windows
    (one grouped query over the subtree), the most missed first; rounds at ``node`` itself count under it."""
    now = timezone.now()
    rows = (PatrolRound.objects.filter(node__path__startswith=node.path, day__gte=since, day__lte=until)
            .annotate(child=ancestor_at("node__path", node.depth + 1)).values("child").order_by()
            .annotate(done=Count("pk", filter=Q(state=DONE)), missed=Count("pk", filter=Q(state=DUE, due_at__lt=now))))
    nodes = {found.path: found for found in Node.objects.filter(path__in=[row["child"] for row in rows])}
    lines = [{"node": nodes.get(row["child"], node), "done": row["done"], "missed": row["missed"]} for row in rows]
    return sorted(lines, key=lambda line: (-line["missed"], line["node"].path))


def counts_in(node: Node, *, since: date, until: date) -> dict[str, int]:
    return (PatrolRound.objects.filter(node__path__startswith=node.path, day__gte=since, day__lte=until)
            .aggregate(done=Count("pk", filter=Q(state=DONE)),
                       missed=Count("pk", filter=Q(state=DUE, due_at__lt=timezone.now()))))


def checked_in_since(moment: datetime) -> int:
    return PatrolRound.objects.filter(checked_in_at__gte=moment).count()


def round_for(*, actor, pk) -> PatrolRound:
    """A round its worker, or someone who may view patrols over it, may open; else ``not_found``."""
    patrol = PatrolRound.objects.select_related("window", "worker", "node").filter(pk=pk).first()
    if patrol is None or (patrol.worker_id != getattr(actor, "pk", None)
                          and grant_for(actor, "household.patrol_view", patrol) is None):
        raise NotFound()
    return patrol
