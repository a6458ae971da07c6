"""Demo seeder: the street's ~4,000 residents grouped into households, with files, care tags, links and a
month of visits.

The orgs seeder already places residents in households of one to three people sharing an address (three to
five households per micro-grid), the head's family name carried by the children; here each address becomes a
household whose first member is its head, the second (another family name) the spouse, the third a child.
Every micro-grid's grid worker serves its households (a few village households are left without a link, so
the coverage page has something to show); in each grid one resident, a party member, serves seven of them
(1人7户). Visits fall on working days of the past month; the grid worker's checked-in ones lie inside the
micro-grid's boundary. Rows are written with ``bulk_create`` (one audit record for the whole demo is
``gridgov.demo``'s).
"""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.utils import timezone

from gridgov.demo import at_work
from gridgov.geo.selectors import point_inside
from gridgov.households import services
from gridgov.households.models import (
    CareTag,
    ChecklistItem,
    FileEntry,
    FileField,
    Household,
    Inspection,
    InspectionItem,
    Link,
    LinkKind,
    Membership,
    PatrolRound,
    PersonTag,
    Relation,
    RuleBreach,
    VillageRule,
    Visit,
    VisitFrequency,
    VisitPoints,
)
from gridgov.households.services import DEFAULT_VISIT_DAYS
from gridgov.orgs.models import Node, NodeKind, Person, Role, RoleAssignment
from gridgov.reports.models import Report

STREET_CODE = "FY"
RELATIONS = [Relation.HEAD, Relation.SPOUSE, Relation.CHILD]
UNLINKED_SHARE = 0.04  # village households the micro-grid's worker has not taken on yet
VISITED_SHARE = 0.65  # links visited in the past month
TAG_SHARE = {CareTag.ELDERLY_ALONE: 0.06, CareTag.DISABILITY: 0.02, CareTag.LOW_INCOME: 0.03,
             CareTag.LEFT_BEHIND_CHILD: 0.02, CareTag.KEY_PERSON: 0.005}
FILE_VALUES = {
    "hukou_type": (1.0, ["农业户口", "非农业户口", "居民户口"]),
    "house_type": (0.9, ["自建房", "商品房", "安置房", "租住"]),
    "land_area": (0.5, ["0.8", "1.2", "1.5", "2.3", "3.0"]),
    "employment": (0.8, ["务农", "外出务工", "个体经营", "企业职工", "退休", "灵活就业"]),
    "fire_danger": (0.08, ["电线老化", "楼道堆放杂物", "电动车室内充电"]),
    "disputes": (0.04, ["宅基地边界纠纷，已调解", "邻里噪音纠纷，跟进中"]),
    "income": (0.6, ["3万元以下", "3-6万元", "6-10万元", "10万元以上"]),
    "major_events": (0.05, ["计划建房", "子女结婚", "老人过世"]),
}


def seed(*, rng: random.Random, out) -> None:
    street = Node.objects.filter(code=STREET_CODE).first()
    if street is None:
        return
    now = timezone.now()
    households, members = _households(street, rng)
    _file(households, rng, now)
    days = _tags(members, rng, now)
    links = _links(street, households, members, rng, now)
    visits = _visits(links, households, days, rng, now)
    _inspections(street, households, rng, now)
    _public_reports(street, rng)
    _branch_records(street, rng, now)
    _credit_consents(street, households, rng, now)
    _patrols(street, rng, now)
    _village_rules(street, households, rng, now)
    VisitPoints.objects.bulk_create([VisitPoints(tag="", points=2), VisitPoints(tag=CareTag.ELDERLY_ALONE, points=3),
                                     VisitPoints(tag=CareTag.DISABILITY, points=3)], ignore_conflicts=True)
    _visit_points(visits, households)


def _visit_points(visits: list[Visit], households) -> None:
    """The month's visits earn what the visit rules give (``VisitPoints``), as a recorded visit does: paid from
    the budget of the community (or street) over the household (``paying_node``), with the service's
    idempotency key per visit, so the statements show them. One ``grant_batch`` per paying budget (a batch has
    one budget; eight in the demo street) instead of one posting transaction per visit."""
    from gridgov.ledger.services import grant_batch
    from gridgov.orgs.permissions import SYSTEM
    from gridgov.orgs.tree import paying_node

    by_pk = {household.pk: household for household in households}
    points = services.points_per_visit_of(list({visit.household_id for visit in visits}))
    people = Person.objects.in_bulk({visit.visitor_id for visit in visits})
    payers, grants = {}, defaultdict(list)
    for visit in visits:
        if visit.node_id not in payers:
            payers[visit.node_id] = paying_node(Node.objects.get(pk=visit.node_id))
        payer, amount = payers[visit.node_id], points[visit.household_id]
        if payer is None or amount <= 0:
            continue
        grants[payer].append({"person": people[visit.visitor_id], "amount": amount, "source": visit,
                              "reason": services.visit_points_reason(by_pk[visit.household_id]),
                              "idempotency_key": services.visit_points_key(visit)})
    for payer, batch in grants.items():
        grant_batch(actor=SYSTEM, grants=batch, budget_node=payer,
                    idempotency_key=f"households:demo-visits:{payer.code}:points")


VILLAGE_RULES = [
    ("hygiene", "保持房前屋后整洁，不乱堆乱放"),
    ("sorting", "生活垃圾分类投放，不乱扔垃圾"),
    ("burning", "不焚烧秸秆和垃圾"),
    ("building", "建房须经审批，不违章搭建"),
    ("neighbours", "邻里和睦，有纠纷找村调解委员会"),
    ("frugal", "红白喜事从简，不大操大办"),
]
BREACH_SHARE = 0.03
BREACH_NOTES = ["", "已当面提醒", "房前堆放杂物", "垃圾未分类", "已整改"]


def _village_rules(street: Node, households, rng: random.Random, now) -> None:
    """Each village and community of the street keeps the same six articles (村规民约); about 3 % of its
    households have a breach in the past year, a few of them revoked."""
    from gridgov.households import villages

    units = list(Node.objects.filter(path__startswith=street.path, kind__in=villages.VILLAGE_KINDS))
    rules = VillageRule.objects.bulk_create([VillageRule(node=unit, code=code, text=text, order=order)
                                             for unit in units for order, (code, text) in enumerate(VILLAGE_RULES)])
    by_unit = defaultdict(list)
    for rule in rules:
        by_unit[rule.node.path].append(rule)
    recorder = Person.objects.filter(user__username="street").first()
    nodes = {node.pk: node for node in Node.objects.filter(pk__in={h.node_id for h in households})}
    breaches = []
    for household in households:
        unit = next((path for path in by_unit if nodes[household.node_id].path.startswith(path)), None)
        if unit is None or recorder is None or rng.random() > BREACH_SHARE:
            continue
        revoked = rng.random() < 0.15
        breaches.append(RuleBreach(household_id=household.pk, rule=rng.choice(by_unit[unit]), node_id=household.node_id,
                                   occurred_on=timezone.localdate(now) - timedelta(days=rng.randint(3, 330)),
                                   note=rng.choice(BREACH_NOTES), recorded_by=recorder, recorded_at=now,
                                   revoked_at=now if revoked else None, revoked_by=recorder if revoked else None,
                                   revoke_reason="核实后撤销：误记" if revoked else ""))
    RuleBreach.objects.bulk_create(breaches, batch_size=2000)


PATROL_DAYS = 5  # days of patrols behind today
PATROL_MISSED_SHARE = 0.12


def _patrols(street: Node, rng: random.Random, now) -> None:
    """The street's two patrol windows (08:30–09:30, 16:00–17:00 on weekdays) for its grid workers, a few days
    of check-ins inside their grid with some windows missed, and the alerts the scan raised for those."""
    from gridgov.deadlines.scan import scan_deadlines
    from gridgov.households import patrols
    from gridgov.orgs.permissions import SYSTEM

    since = now - timedelta(days=PATROL_DAYS + 1)
    windows = [patrols.window_create(actor=SYSTEM, node=street, label=label, starts=starts, ends=ends,
                                     weekdays="12345", now=since)
               for label, starts, ends in (("早间巡查", time(8, 30), time(9, 30)), ("午后巡查", time(16), time(17)))]
    today = timezone.localdate(now)
    for back in range(PATROL_DAYS, -1, -1):
        day = today - timedelta(days=back)
        patrols.rounds_due(timezone.make_aware(datetime.combine(day, time(6))))
    places = {}
    done = []
    rounds = PatrolRound.objects.filter(window__in=windows).select_related("node", "window")
    for patrol in rounds:
        start, end = patrols.window_bounds(patrol.window, patrol.day)
        if end > now or rng.random() < PATROL_MISSED_SHARE:
            continue  # still open, or missed
        if patrol.node_id not in places:
            places[patrol.node_id] = point_inside(patrol.node, rng)
        lon, lat = places[patrol.node_id] or (None, None)
        patrol.state, patrol.due_at = patrols.DONE, None
        patrol.checked_in_at = start + timedelta(minutes=rng.randint(0, 55))
        patrol.latitude, patrol.longitude = lat, lon
        patrol.note = rng.choice(["", "", "道路畅通，无异常", "发现垃圾乱堆放，已提醒", "消防通道畅通"])
        done.append(patrol)
    PatrolRound.objects.bulk_update(done, ["state", "due_at", "checked_in_at", "latitude", "longitude", "note"],
                                    batch_size=2000)
    scan_deadlines(now=now, minute_precision_only=True)  # the missed windows' alerts


def _credit_consents(street: Node, households, rng: random.Random, now) -> None:
    """About one household in ten consents to the 积分授信 export for the partner bank (recorded by the street
    cadre, as one bulk insert: the demo writes no audit record per consent)."""
    from gridgov.households.models import CreditConsent

    cadre = Person.objects.filter(user__username="street").first()
    if cadre is None:
        return
    chosen = [household for household in households if rng.random() < 0.1]
    CreditConsent.objects.bulk_create([
        CreditConsent(household_id=household.pk, partner="泰隆银行", recorded_by=cadre, recorded_at=now,
                      given_on=timezone.localdate(now) - timedelta(days=rng.randint(1, 90))) for household in chosen])


def _branch_records(street: Node, rng: random.Random, now) -> None:
    """Four weeks of branch records (the first villages keep up, the last ones lag) and last week's bulletin."""
    from gridgov.households import villages
    from gridgov.households.models import Bulletin
    from gridgov.orgs.permissions import SYSTEM

    units = list(Node.objects.filter(path__startswith=street.path, kind__in=villages.VILLAGE_KINDS).order_by("path"))
    this_week = villages.week_of(timezone.localdate(now))
    for weeks_ago in range(4, 0, -1):
        monday = this_week - timedelta(weeks=weeks_ago)
        for position, unit in enumerate(units):
            for number in range(max(3 - position, 0) + rng.randint(0, 1)):
                held = monday + timedelta(days=number)
                kind = ("three_meetings", "theme_day", "affairs")[number % 3]
                late = position >= len(units) - 2 and number == 0
                uploaded = timezone.make_aware(datetime.combine(
                    held + timedelta(days=villages.ON_TIME_DAYS + 1 if late else 1), time(10)))
                if uploaded > now:
                    continue
                villages.record_upload(
                    actor=SYSTEM, node=unit, kind=kind, activity=villages.MEETINGS[number % 4], held_on=held,
                    attendees=rng.randint(8, 40), minutes=f"{unit.name}{held:%m月%d日}会议记录：学习传达上级精神，研究村务。",
                    now=uploaded)
    if units:
        # The demo's deadline scan ran before these records existed and computed an empty bulletin: seed it anew.
        Bulletin.objects.filter(node=street, week=this_week - timedelta(weeks=1)).delete()
        villages.bulletin_compute(actor=SYSTEM, street=street, week=this_week - timedelta(weeks=1), now=now)


def _households(street: Node, rng: random.Random):
    """One household per (micro-grid, address) of the residents, in the order the orgs seeder wrote them."""
    rows = (RoleAssignment.objects.filter(role=Role.RESIDENT, node__path__startswith=street.path,
                                          node__kind=NodeKind.MICRO_GRID)
            .order_by("person_id").values_list("person_id", "person__address", "node_id", "node__code", "node__name"))
    grouped: dict[tuple, list[int]] = defaultdict(list)
    places = {}
    for person_id, address, node_id, code, name in rows:
        grouped[(node_id, address)].append(person_id)
        places[node_id] = (code, name.removesuffix("微网格"))
    numbers: dict[int, int] = defaultdict(int)
    households = []
    for (node_id, address), _people in grouped.items():
        numbers[node_id] += 1
        code, place = places[node_id]
        house_number = address.split(place, 1)[-1] or address
        households.append(Household(code=f"{code}-H{numbers[node_id]:02d}", node_id=node_id,
                                    house_number=house_number[:50], address=address))
    Household.objects.bulk_create(households)
    ids = dict(Household.objects.filter(code__in=[h.code for h in households]).values_list("code", "pk"))
    for household in households:
        household.pk = ids[household.code]
    today = timezone.localdate()
    memberships = []
    members: dict[int, list[int]] = {}
    for household, people in zip(households, grouped.values(), strict=True):
        moved_in = today - timedelta(days=rng.randint(200, 365 * 30))
        members[household.pk] = people
        for index, person_id in enumerate(people):
            memberships.append(Membership(
                household_id=household.pk, person_id=person_id, relation=RELATIONS[min(index, 2)],
                moved_in=moved_in if index < 2 else min(today, moved_in + timedelta(days=rng.randint(300, 3000)))))
    Membership.objects.bulk_create(memberships, batch_size=2000)
    return households, members


def _file(households, rng: random.Random, now) -> None:
    fields = {field.code: field for field in FileField.objects.all()}
    entries = []
    for household in households:
        for code, (share, values) in FILE_VALUES.items():
            if code in fields and rng.random() < share:
                entries.append(FileEntry(household_id=household.pk, field=fields[code], value=rng.choice(values),
                                         updated_at=now - timedelta(days=rng.randint(1, 300))))
    FileEntry.objects.bulk_create(entries, batch_size=2000)


def _tags(members: dict[int, list[int]], rng: random.Random, now) -> dict[int, int]:
    """Care tags on some residents; answers each household's days between visits (``services.visit_days``)."""
    frequency = dict(VisitFrequency.objects.values_list("tag", "days"))
    tags, days = [], {}
    for household_id, people in members.items():
        for person_id in people:
            for tag, share in TAG_SHARE.items():
                if rng.random() < share:
                    tags.append(PersonTag(person_id=person_id, tag=tag,
                                          added_at=now - timedelta(days=rng.randint(5, 400))))
                    days[household_id] = min(days.get(household_id, DEFAULT_VISIT_DAYS),
                                             frequency.get(tag, DEFAULT_VISIT_DAYS))
    PersonTag.objects.bulk_create(tags, batch_size=2000)
    return days


def _links(street: Node, households, members, rng: random.Random, now) -> list[Link]:
    workers = dict(RoleAssignment.objects.filter(role=Role.GRID_WORKER, node__kind=NodeKind.MICRO_GRID,
                                                 node__path__startswith=street.path).values_list("node_id", "person_id"))
    nodes = {node.pk: node for node in Node.objects.filter(pk__in={h.node_id for h in households})}
    village_paths = list(Node.objects.filter(kind=NodeKind.VILLAGE, path__startswith=street.path)
                         .values_list("path", flat=True))
    links = []
    by_grid = defaultdict(list)
    for household in households:
        node = nodes[household.node_id]
        by_grid[node.path[:-Node.steplen]].append(household)
        in_village = any(node.path.startswith(path) for path in village_paths)
        if household.node_id in workers and not (in_village and rng.random() < UNLINKED_SHARE):
            links.append(Link(household_id=household.pk, member_id=workers[household.node_id],
                              kind=LinkKind.GRID_WORKER, node_id=household.node_id,
                              created_at=now - timedelta(days=rng.randint(60, 400))))
    # In each grid one resident party member serves seven households of the grid (some grids have none yet).
    for grid_households in by_grid.values():
        if len(grid_households) < 8 or rng.random() < 0.15:
            continue
        served = rng.sample(grid_households, 7)
        member_id = rng.choice(members[rng.choice(grid_households).pk])
        count = 7 if rng.random() < 0.8 else rng.randint(4, 6)  # a few are still under the quota
        for household in served[:count]:
            links.append(Link(household_id=household.pk, member_id=member_id, kind=LinkKind.PARTY_MEMBER,
                              node_id=household.node_id, created_at=now - timedelta(days=rng.randint(30, 300))))
    Link.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    return list(Link.objects.filter(household__in=[h.pk for h in households]))


def _visits(links: list[Link], households, days: dict[int, int], rng: random.Random, now) -> list[Visit]:
    items = list(ChecklistItem.objects.values_list("code", flat=True))
    nodes = {node.pk: node for node in Node.objects.filter(pk__in={h.node_id for h in households})}
    places = {}
    visits, last = [], {}
    for link in links:
        if rng.random() > VISITED_SHARE:
            continue
        moment = at_work(now - timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8)), rng=rng, not_after=now)
        lon = lat = None
        if link.kind == LinkKind.GRID_WORKER:
            if link.node_id not in places:
                places[link.node_id] = point_inside(nodes[link.node_id], rng)
            lon, lat = places[link.node_id] or (None, None)
        visits.append(Visit(household_id=link.household_id, visitor_id=link.member_id, node_id=link.node_id,
                            visited_at=moment, latitude=lat, longitude=lon,
                            checked=sorted(rng.sample(items, rng.randint(4, len(items)))) if items else []))
        last[link.household_id] = max(moment, last.get(link.household_id, moment))
    Visit.objects.bulk_create(visits, batch_size=2000)  # the rows come back with their ids (PostgreSQL, SQLite)
    for link in links:
        start = last.get(link.household_id, link.created_at)
        link.visit_due_at = start + timedelta(days=days.get(link.household_id, DEFAULT_VISIT_DAYS))
    Link.objects.bulk_update(links, ["visit_due_at"], batch_size=2000)
    return visits



def _inspections(street: Node, households, rng: random.Random, now) -> None:
    """Last month's and this month's inspections of the village households (庭院卫生, 垃圾分类 …), by the
    micro-grid's worker; most households keep their yard well, a few do not."""
    items = list(InspectionItem.objects.filter(is_active=True))
    villages = [path for path in Node.objects.filter(kind=NodeKind.VILLAGE, path__startswith=street.path)
                .values_list("path", flat=True)]
    nodes = {node.pk: node for node in Node.objects.filter(pk__in={h.node_id for h in households})}
    workers = dict(RoleAssignment.objects.filter(role=Role.GRID_WORKER, node__in=nodes.keys())
                   .values_list("node_id", "person_id"))
    this_month = timezone.localdate(now).replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    rows = []
    for household in households:
        node = nodes[household.node_id]
        if household.node_id not in workers or not any(node.path.startswith(path) for path in villages):
            continue
        care = rng.betavariate(5, 1.6)  # how well this household keeps its yard, 0 … 1
        for month in (last_month, this_month):
            if month == this_month and rng.random() < 0.5:
                continue  # this month's round is half done
            scores = {item.code: max(0, min(item.max_score, round(item.max_score * (care + rng.uniform(-0.1, 0.1)))))
                      for item in items}
            rows.append(Inspection(household_id=household.pk, month=month, scores=scores, total=sum(scores.values()),
                                   inspector_id=workers[household.node_id], node_id=household.node_id,
                                   inspected_at=now if month == this_month else now - timedelta(days=20)))
    Inspection.objects.bulk_create(rows, batch_size=2000)


def _public_reports(street: Node, rng: random.Random) -> None:
    """About a third of the handled reports were made public by their reporters (the village board shows them)."""
    handled = list(Report.objects.filter(node__path__startswith=street.path, resolved_at__isnull=False)
                   .order_by("pk").values_list("pk", flat=True))
    chosen = [pk for pk in handled if rng.random() < 0.35]
    Report.objects.filter(pk__in=chosen).update(is_public=True)
