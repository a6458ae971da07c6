"""The village usage red/black list (红榜村 / 黑榜村): branches upload their records, a weekly bulletin ranks a
street's villages, and lagging branches are reminded.

A village's branch (the village or community node) uploads a record of 三会一课, 主题党日 or 三务公开: the day
held, how many attended, the minutes and a photo. A meeting or themed day fulfils the organisation's activity
of the indices (``indices.services.activity_held_elsewhere``), so the record is not kept twice. A record is on
time when uploaded within ``ON_TIME_DAYS`` of the day held.

The bulletin of a week (Monday to Sunday) scores each village of a street: ``ON_TIME_POINTS`` per record
uploaded on time that week, ``LATE_POINTS`` per late one, and one point per visit or household inspection made
in the village that week (platform use, at most ``USE_CAP``). The best ``RED_VILLAGES`` with a score are the
red list; the lowest ``BLACK_VILLAGES`` of the rest are the black list: their cadres get a message and a due
item (the deadline engine) that closes when the branch uploads its next record. One bulletin per street and
week: computing it again returns the first.
"""

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record, snapshot
from gridgov.errors import Invalid, refusal
from gridgov.households.models import (
    BranchRecord,
    BranchRecordKind,
    Bulletin,
    BulletinEntry,
    Inspection,
    Standing,
    Visit,
)
from gridgov.indices.services import activity_held_elsewhere
from gridgov.limits import check_date, text_within
from gridgov.media import process_photo
from gridgov.notifications.services import notify, phrase
from gridgov.orgs.models import Node, NodeKind, Person
from gridgov.orgs.permissions import CADRES, SYSTEM, require
from gridgov.orgs.tree import nearest_holder, people_at

VILLAGE_KINDS = (NodeKind.VILLAGE, NodeKind.COMMUNITY)
MEETINGS = ("支部党员大会", "支委会", "党小组会", "党课")  # 三会一课, as the indices name the activities
THEME_DAY = "主题党日"
ON_TIME_DAYS = 7
ON_TIME_POINTS, LATE_POINTS, USE_CAP = 10, 4, 30
RED_VILLAGES, BLACK_VILLAGES = 3, 3
CATCH_UP_DAYS = 7  # a black-listed branch's due item: a record within this many days of the bulletin
LAGGING = "lagging"
REMINDER_KIND = "hh_lagging"
MAX_MINUTES = BranchRecord._meta.get_field("minutes").max_length


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _bounds(week: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(week, time.min))
    return start, start + timedelta(days=7)


def record_upload(*, actor, node: Node, kind: str, held_on, attendees, minutes: str, activity: str = "",
                  photo=None, idempotency_key: str = "", now=None) -> BranchRecord:
    """The branch of ``node`` (a village or community) uploads one record; nothing is written on a refusal."""
    if not isinstance(node, Node) or node.kind not in VILLAGE_KINDS:
        raise refusal("branch_node", _("Branch records are uploaded for a village or a community."))
    grant = require(actor, "household.branch_record", node)
    now = now or timezone.now()
    key = str(idempotency_key or "")[:64]
    recorder = actor if isinstance(actor, Person) else None
    if key and recorder and (first := BranchRecord.objects.filter(recorded_by=recorder,
                                                                  idempotency_key=key).first()):
        return first
    if kind not in BranchRecordKind.values:
        raise Invalid(_("Choose what the record is: 三会一课, 主题党日 or 三务公开."))
    if kind == BranchRecordKind.THREE_MEETINGS:
        if activity not in MEETINGS:
            raise Invalid(_("Choose which meeting of 三会一课 was held."))
    else:
        activity = THEME_DAY if kind == BranchRecordKind.THEME_DAY else ""
    held_on = check_date(held_on, label=_("The date held"), past=True)
    if isinstance(attendees, bool) or not isinstance(attendees, int) or not 1 <= attendees <= 10000:
        raise Invalid(_("Attendees is a whole number from 1 to 10000."))
    minutes = text_within(minutes, limit=MAX_MINUTES, label=_("The minutes"))
    if not minutes:
        raise Invalid(_("A record needs its minutes."))
    processed = process_photo(photo, keep_location=False) if photo else None
    on_time = timezone.localdate(now) - held_on <= timedelta(days=ON_TIME_DAYS)
    try:
        with transaction.atomic():
            record = BranchRecord(node=node, kind=kind, activity=activity, held_on=held_on, attendees=attendees,
                                  minutes=minutes, uploaded_at=now, on_time=on_time, recorded_by=recorder,
                                  idempotency_key=key)
            if processed:
                record.photo = processed[0]
            if activity:
                record.activity_id = activity_held_elsewhere(
                    node=node, kind=activity, held_on=held_on, note=minutes[:200],
                    reason=_("Uploaded as a branch record")).pk
            record.save()
            audit_record(actor=actor, role=grant.role, action="household.branch_record", target=record,
                         after=snapshot(record, ["kind", "activity", "held_on", "attendees", "on_time"]))
            # A reminded branch has caught up: its due item closes.
            BulletinEntry.objects.filter(node=node, state=LAGGING).update(state="", due_at=None)
    except IntegrityError:  # the same key from two taps at once
        return BranchRecord.objects.get(recorded_by=recorder, idempotency_key=key)
    return record


def records_of(node: Node):
    """The branch records of ``node``'s subtree, newest first."""
    return BranchRecord.objects.filter(node__path__startswith=node.path).select_related("node")


def _villages(street: Node) -> list[Node]:
    return list(Node.objects.filter(path__startswith=street.path, kind__in=VILLAGE_KINDS).order_by("path"))


def _count_by_village(queryset, villages, field: str) -> dict[int, int]:
    counts = {}
    for village in villages:
        counts[village.pk] = queryset.filter(**{f"{field}__path__startswith": village.path}).count()
    return counts


def bulletin_compute(*, actor, street: Node, week: date | None = None, now=None) -> tuple[Bulletin, bool]:
    """The bulletin of ``street`` for the week beginning ``week`` (default: last week); ``(bulletin, created)``.
    A week that has not ended cannot be computed; one computed before is returned as it was."""
    now = now or timezone.now()
    if not isinstance(street, Node) or street.kind != NodeKind.STREET:
        raise refusal("branch_node", _("A bulletin ranks the villages of a street."))
    grant = require(actor, "household.bulletin", street)
    week = week_of(week or (timezone.localdate(now) - timedelta(days=7)))
    start, end = _bounds(week)
    if end > now:
        raise Invalid(_("The week has not ended yet."))
    if (existing := Bulletin.objects.filter(node=street, week=week).first()) is not None:
        return existing, False
    villages = _villages(street)
    records = BranchRecord.objects.filter(uploaded_at__gte=start, uploaded_at__lt=end)
    counted = {row["node_id"]: row for row in records.filter(node__in=villages).values("node_id").order_by()
               .annotate(timely=Count("pk", filter=Q(on_time=True)), late=Count("pk", filter=Q(on_time=False)))}
    visits = _count_by_village(Visit.objects.filter(visited_at__gte=start, visited_at__lt=end), villages, "node")
    inspections = _count_by_village(Inspection.objects.filter(inspected_at__gte=start, inspected_at__lt=end),
                                    villages, "node")
    lines = []
    for village in villages:
        row = counted.get(village.pk, {"timely": 0, "late": 0})
        use = visits[village.pk] + inspections[village.pk]
        score = ON_TIME_POINTS * row["timely"] + LATE_POINTS * row["late"] + min(use, USE_CAP)
        lines.append([village, row["timely"], row["late"], use, score])
    lines.sort(key=lambda line: (-line[4], line[0].path))
    red = {line[0].pk for line in lines[:RED_VILLAGES] if line[4] > 0}
    black = {line[0].pk for line in [line for line in reversed(lines) if line[0].pk not in red][:BLACK_VILLAGES]}
    due = end + timedelta(days=CATCH_UP_DAYS)
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(node=street, week=week, computed_at=now)
            entries, rank, previous = [], 0, None
            for position, (village, on_time, late, use, score) in enumerate(lines, start=1):
                rank = rank if score == previous else position
                previous = score
                standing = Standing.RED if village.pk in red else Standing.BLACK if village.pk in black \
                    else Standing.MIDDLE
                entries.append(BulletinEntry(
                    bulletin=bulletin, node=village, rank=rank, on_time=on_time, late=late, use=use, score=score,
                    standing=standing, state=LAGGING if standing == Standing.BLACK else "",
                    due_at=due if standing == Standing.BLACK else None,
                    handler=nearest_holder(node=village, roles=list(CADRES)) if standing == Standing.BLACK else None))
            BulletinEntry.objects.bulk_create(entries)
            audit_record(actor=actor, role=grant.role, action="household.bulletin", target=bulletin,
                         after={"week": week, "red": sorted(red), "black": sorted(black)})
            for village in villages:
                if village.pk in black:
                    notify(kind=REMINDER_KIND, recipients=people_at(village, CADRES),
                           title=phrase(_("%(village)s is on this week's 黑榜村: upload the branch's records"),
                                        village=village.name),
                           url="/households/bulletin/", node=village)
    except IntegrityError:  # computed at the same moment elsewhere
        return Bulletin.objects.get(node=street, week=week), False
    return bulletin, True


def bulletins_due(now) -> int:
    """The periodic follow-up (the deadline scan's): last week's bulletin of every street whose branches upload
    records and that has none yet."""
    week = week_of(timezone.localdate(now) - timedelta(days=7))
    done = Bulletin.objects.filter(week=week).values("node_id")
    made = 0
    for street in Node.objects.filter(kind=NodeKind.STREET).exclude(pk__in=done):
        # Only where branches upload at all: an installation not using the records gets no black list.
        if BranchRecord.objects.filter(node__path__startswith=street.path).exists():
            made += bulletin_compute(actor=SYSTEM, street=street, week=week, now=now)[1]
    return made


def latest_entry(village: Node) -> BulletinEntry | None:
    """The village's line in the newest bulletin that ranks it (for the public board)."""
    return (BulletinEntry.objects.filter(node=village).select_related("bulletin")
            .order_by("-bulletin__week").first())


def bulletin_for(street: Node, week: date | None = None) -> Bulletin | None:
    found = Bulletin.objects.filter(node__path__startswith=street.path)
    if week:
        found = found.filter(week=week_of(week))
    return found.order_by("-week", "node__path").first()

