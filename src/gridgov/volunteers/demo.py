"""Demo seeder: a year of volunteer service in 浮云街道 (志愿汇, the "3812" standard).

Volunteers: every grid worker and leader (most of them party members) and about a third of the residents,
at their home node, some with a skill. The season: about two needs a day since January, busiest in the last
week of June (志愿服务周), each claimed, served and confirmed, its helpers' minutes credited to their hours
accounts through the ledger (so the hours ledger verifies like the points); a few were claimed late, past the
8-minute window. This week: needs still waiting for helpers in the demo resident's micro-grid (two of them
past their claim window, whose alerts the deadline scan raises), one waiting for a cadre's review, one the
demo worker claimed, one served and waiting for the resident's confirmation. One past call-out (a flood in
July) with its answers. The three calendar rules (weekly group service days, the 20th, 志愿服务周 in June), their
next needs posted. History is written with ``bulk_create``, as real use would have left it; what is
under way goes through the services, so its messages and audit records are real.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from gridgov.deadlines.scan import scan_deadlines
from gridgov.geo.selectors import point_inside
from gridgov.ledger.services import hours_credit
from gridgov.orgs.demo import STREET_CODE
from gridgov.orgs.models import Node, NodeKind, Person, Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.orgs.tree import home_nodes
from gridgov.volunteers import calendar, services, totals
from gridgov.volunteers.models import (
    Answer,
    Cadence,
    Callout,
    CalloutAnswer,
    CalloutKind,
    Category,
    Claim,
    ClaimState,
    Need,
    NeedState,
    RequesterKind,
    Volunteer,
)
from gridgov.volunteers.selectors import grid_centre

WISHES = {
    "wish": ["帮独居老人买药", "陪老人去医院复诊", "给留守儿童辅导作业", "帮忙代缴水电费", "为困难家庭送米面油"],
    "elderly": ["助老理发", "陪伴空巢老人聊天", "帮残疾人推轮椅去社区卫生站", "老年人智能手机教学"],
    "company": ["木玩厂招工宣传帮手", "企业防疫消杀", "园区道路清扫", "企业政策宣讲协助"],
    "environment": ["河道垃圾清理", "小区楼道堆物清理", "垃圾分类督导", "背街小巷卫生整治"],
    "medical": ["社区义诊测血压", "为卧床老人上门换药"],
    "repair": ["帮老人修理洗衣机", "楼道路灯维修", "修理漏水龙头"],
}
SKILLS = ["医护", "维修", "驾驶", "法律", "心理疏导"]
RESIDENT_SHARE = 12  # one resident in this many volunteers
NEEDS_PER_DAY = 2
SERVICE_DAY_WEEKS = 1  # each community's group service day (组团服务日), every Saturday


def seed(*, rng: random.Random, out) -> None:
    street = Node.objects.filter(code=STREET_CODE).first()
    if street is None:
        return
    now = timezone.now()
    volunteers = _volunteers(rng, street)
    if not volunteers:
        return
    categories = list(Category.objects.filter(is_active=True))
    _season(rng, street=street, volunteers=volunteers, categories=categories, now=now)
    _callout(rng, street=street, volunteers=volunteers, now=now)
    _this_week(rng, street=street, now=now)
    _service_days(street=street, now=now)
    scan_deadlines(now=now, minute_precision_only=True)


def _volunteers(rng, street) -> list[Volunteer]:
    """Register the volunteers in bulk, at their home nodes, with a location inside it where boundaries exist."""
    workers = set(Person.objects.filter(roles__node__path__startswith=street.path,
                                        roles__role__in=[Role.GRID_WORKER, Role.GRID_LEADER])
                  .values_list("pk", flat=True))
    residents = list(Person.objects.filter(roles__node__path__startswith=street.path, roles__role=Role.RESIDENT)
                     .exclude(pk__in=workers).order_by("pk").values_list("pk", flat=True))
    demo_resident = Person.objects.filter(user__username="resident").values_list("pk", flat=True).first()
    chosen = sorted(workers) + [pk for pk in residents if pk != demo_resident and rng.randrange(RESIDENT_SHARE) == 0]
    homes = home_nodes(chosen)
    nodes = {node.pk: node for node in Node.objects.filter(pk__in=set(homes.values()))}
    places: dict[int, tuple | None] = {}
    rows = []
    for person_id in chosen:
        node_id = homes.get(person_id)
        if node_id is None:
            continue
        if node_id not in places:
            places[node_id] = point_inside(nodes[node_id], rng)
        place = places[node_id]
        lat = lon = None
        if place is not None:
            lon, lat = round(place[0] + rng.uniform(-0.0008, 0.0008), 6), round(place[1] + rng.uniform(-0.0008, 0.0008), 6)
        is_worker = person_id in workers
        rows.append(Volunteer(person_id=person_id, node_id=node_id, latitude=lat, longitude=lon,
                              is_party_member=rng.random() < (0.8 if is_worker else 0.35),
                              skills=",".join(rng.sample(SKILLS, rng.choice([0, 0, 0, 1, 1, 2])))))
    Volunteer.objects.bulk_create(rows, batch_size=2000)
    return list(Volunteer.objects.filter(node__path__startswith=street.path).select_related("node", "person"))


def _season(rng, *, street, volunteers, categories, now) -> None:
    """Needs since January, each served and confirmed; hours credited through the ledger."""
    year_start = timezone.make_aware(datetime(now.year, 1, 1, 8))
    by_unit: dict[str, list[Volunteer]] = {}
    for volunteer in volunteers:
        by_unit.setdefault(volunteer.node.path[: len(street.path) + 4], []).append(volunteer)
    keen = {v.person_id: rng.lognormvariate(0, 0.6) * (3 if v.is_party_member else 1) for v in volunteers}

    def helpers_from(pool, count):  # a weighted draw without replacement: the keen ones serve more
        return sorted(pool, key=lambda v: rng.random() ** (1 / keen[v.person_id]), reverse=True)[:count]

    requesters = {unit: list(group) for unit, group in by_unit.items()}
    units = [unit for unit, group in by_unit.items() if len(group) >= 10]
    unit_nodes = {node.path: node for node in Node.objects.filter(path__in=units)}
    days = max((now - year_start).days - 7, 0)
    needs, plans = [], []
    for day in range(days):
        date = year_start + timedelta(days=day)
        week_of_service = date.month == 6 and date.day >= 24  # 志愿服务周: the last week of June
        if date.weekday() == 5 and (day // 7) % SERVICE_DAY_WEEKS == 0:
            for unit in units:
                helpers = rng.randint(6, 10)
                cadre = requesters[unit][0]
                start = date + timedelta(hours=1, minutes=30)
                minutes = rng.choice([120, 150, 180])
                needs.append(Need(
                    category=categories[0], node=unit_nodes[unit], requester_id=cadre.person_id,
                    requester_kind=RequesterKind.CADRE, title=f"{unit_nodes[unit].name}组团服务日",
                    place=f"{unit_nodes[unit].name}党群服务中心", starts_at=start, helpers=helpers, claimed=helpers,
                    state=NeedState.CONFIRMED, submitted_at=date - timedelta(days=2), published_at=date - timedelta(days=2),
                    claimed_at=date - timedelta(days=1), served_at=start + timedelta(minutes=minutes),
                    closed_at=start + timedelta(minutes=minutes + 60), wave=1))
                pool = [v for v in by_unit[unit] if v.person_id != cadre.person_id]
                plans.append((helpers_from(pool, helpers), date - timedelta(days=1), start, minutes))
        for _index in range(NEEDS_PER_DAY * (5 if week_of_service else 1) + rng.choice([-1, 0, 0, 1])):
            unit = rng.choice(units)
            category = rng.choice(categories)
            helpers = rng.choice([1, 1, 1, 2, 2, 3])
            pool = [v for v in by_unit[unit] if not category.skill or category.skill in v.skill_list()]
            requester = rng.choice(requesters[unit])
            pool = [v for v in pool if v.person_id != requester.person_id]
            if len(pool) < helpers:
                continue
            submitted = date + timedelta(minutes=rng.randint(0, 11 * 60))
            late = rng.random() < 0.08  # claimed after the 8-minute window
            claimed = submitted + timedelta(minutes=rng.randint(9, 40) if late else rng.randint(1, 7))
            start = claimed + timedelta(minutes=rng.randint(10, 240))
            minutes = rng.choice([30, 45, 60, 60, 90, 90, 120, 150, 180, 240])
            needs.append(Need(
                category=category, node=requester.node, requester_id=requester.person_id,
                requester_kind=RequesterKind.COMPANY if category.code == "company" else RequesterKind.RESIDENT,
                company="云和木玩产业园" if category.code == "company" else "",
                title=rng.choice(WISHES.get(category.code, ["志愿服务"])), place=f"{requester.node.name}",
                latitude=requester.latitude, longitude=requester.longitude, starts_at=start, helpers=helpers,
                claimed=helpers, state=NeedState.CONFIRMED, submitted_at=submitted, published_at=submitted,
                claimed_at=claimed, served_at=start + timedelta(minutes=minutes),
                closed_at=start + timedelta(minutes=minutes + rng.randint(20, 600)), wave=1))
            plans.append((helpers_from(pool, helpers), claimed, start, minutes))
    Need.objects.bulk_create(needs, batch_size=1000)
    claims = []
    for need, (helpers, claimed, start, minutes) in zip(needs, plans):
        for helper in helpers:
            served = max(15, minutes + rng.choice([-15, 0, 0, 0, 15]))
            claims.append(Claim(need=need, volunteer_id=helper.person_id, state=ClaimState.CONFIRMED,
                                claimed_at=claimed, checked_in_at=start, checked_out_at=start + timedelta(minutes=served),
                                check_in_latitude=need.latitude, check_in_longitude=need.longitude,
                                check_out_latitude=need.latitude, check_out_longitude=need.longitude,
                                minutes=served, rating=rng.choice([None, 4, 5, 5])))
    Claim.objects.bulk_create(claims, batch_size=2000)
    people = {v.person_id: v.person for v in volunteers}
    titles = {need.pk: need.title for need in needs}
    hours_credit(actor=SYSTEM, role="system", credits=[{
        "person": people[claim.volunteer_id], "minutes": claim.minutes, "source": claim,
        "reason": f"志愿服务：{titles[claim.need_id]}", "idempotency_key": f"volunteers:claim:{claim.pk}",
        "period": timezone.localtime(claim.checked_in_at).strftime("%Y-%m")} for claim in claims])
    totals.fill()  # the claims above were written without the confirmation service: their totals, set-based


def _callout(rng, *, street, volunteers, now) -> None:
    community = Node.objects.filter(path__startswith=street.path, kind=NodeKind.COMMUNITY).order_by("path").first()
    cadre = Person.objects.filter(roles__role=Role.STREET_CADRE, roles__node=street).order_by("pk").first()
    if community is None or cadre is None:
        return
    raised = timezone.make_aware(datetime(now.year, 7, 12, 21, 40))
    reached = [v for v in volunteers if v.node.path.startswith(community.path)]
    phones = random.Random("callout-phones")  # its own sequence: the rest of the demo stays as it was
    centre = point_inside(community, phones)
    callout = Callout.objects.create(node=community, kind=CalloutKind.FLOOD, title="浮云溪水位超警戒，转移沿河群众",
                                     target=30, assembly_point="东门社区党群服务中心", raised_by=cadre,
                                     latitude=centre[1] if centre else None, longitude=centre[0] if centre else None,
                                     raised_at=raised, told=len(reached), closed_at=raised + timedelta(hours=4))
    answers, centres = [], {}
    for volunteer in reached:
        if rng.random() < 0.7:
            coming = rng.random() < 0.8
            shared = coming and volunteer.latitude is not None and phones.random() < 0.4  # the phone's place
            centre = None
            if coming and volunteer.latitude is None:  # as ``callout_answer`` keeps it: their grid's centre
                if volunteer.node_id not in centres:
                    centres[volunteer.node_id] = grid_centre(community, volunteer.node)
                centre = centres[volunteer.node_id]
            answers.append(CalloutAnswer(callout=callout, person_id=volunteer.person_id,
                                         centre_latitude=centre[0] if centre else None,
                                         centre_longitude=centre[1] if centre else None,
                                         answer=Answer.COMING if coming else Answer.CANNOT,
                                         latitude=round(float(volunteer.latitude) + phones.uniform(-.003, .003), 6)
                                         if shared else None,
                                         longitude=round(float(volunteer.longitude) + phones.uniform(-.003, .003), 6)
                                         if shared else None,
                                         answered_at=raised + timedelta(minutes=rng.randint(1, 25))))
    CalloutAnswer.objects.bulk_create(answers)


def _service_days(*, street, now) -> None:
    """The three calendar rules, through the services (so their first needs are posted and told now): each
    community's weekly group service day on Saturday, the street's 20th of the month, 志愿服务周 in June."""
    category = Category.objects.filter(code="service").first()
    street_cadre = Person.objects.filter(roles__role=Role.STREET_CADRE, roles__node=street).order_by("pk").first()
    if category is None or street_cadre is None:
        return
    for community in Node.objects.filter(path__startswith=street.path, kind=NodeKind.COMMUNITY).order_by("path"):
        cadre = (Person.objects.filter(roles__role=Role.COMMUNITY_CADRE, roles__node=community).order_by("pk").first()
                 or street_cadre)
        calendar.service_day_save(actor=cadre, node=community, name=f"{community.name}每周组团服务日",
                                  category=category, cadence=Cadence.WEEKLY, weekday=5, title="组团服务日",
                                  place=f"{community.name}党群服务中心", start_time=time(9, 0), helpers=8, now=now)
    calendar.service_day_save(actor=street_cadre, node=street, name="每月20日志愿服务日", category=category,
                              cadence=Cadence.MONTHLY, day_of_month=20, title="每月20日志愿服务日",
                              place="浮云街道新时代文明实践站", start_time=time(8, 30), helpers=20, lead_days=10, now=now)
    calendar.service_day_save(actor=street_cadre, node=street, name="志愿服务周", category=category,
                              cadence=Cadence.LAST_WEEK, month=6, title="志愿服务周·便民服务",
                              place="浮云街道新时代文明实践站", start_time=time(9, 0), helpers=15, lead_days=14, now=now)
    calendar.generate(now=now)


def _this_week(rng, *, street, now) -> None:
    """Needs under way, through the services (their messages, alerts and audit records are real)."""
    resident = Person.objects.filter(user__username="resident").first()
    worker = Person.objects.filter(user__username="worker").first()
    if resident is None:
        return
    home = Node.objects.filter(pk=home_nodes([resident.pk]).get(resident.pk)).first()
    if home is None:
        return
    if worker is not None and not Volunteer.objects.filter(person=worker).exists():
        services.volunteer_register(actor=SYSTEM, person=worker, node=Node.objects.get(
            pk=home_nodes([worker.pk])[worker.pk]), is_party_member=True, skills="维修")
    wish, company = Category.objects.get(code="wish"), Category.objects.get(code="company")

    def post(title, *, ago, category=wish, helpers=1, **extra):
        submitted = now - ago
        return services.need_submit(actor=resident, category=category, node=home, title=title, place=f"{home.name}",
                                    starts_at=now + timedelta(hours=rng.randint(2, 30)), helpers=helpers,
                                    now=submitted, **extra)

    post("帮忙把旧家具搬到楼下", ago=timedelta(minutes=25), helpers=2)  # past its 8-minute window
    post("陪母亲去县医院复查", ago=timedelta(minutes=14))  # past it too
    post("给孩子辅导数学作业", ago=timedelta(minutes=2))
    post("小区门口共享单车整理", ago=timedelta(minutes=1), helpers=3)
    post("木玩厂门口道路清扫", ago=timedelta(minutes=2), category=company, requester_kind=RequesterKind.COMPANY,
         company="云和木玩产业园")
    if worker is not None:
        claimed = post("帮忙修理漏水的龙头", ago=timedelta(hours=3))
        services.need_claim(actor=worker, need=claimed, now=now - timedelta(hours=3) + timedelta(minutes=4))
        served = post("帮忙代缴这个月的水电费", ago=timedelta(hours=5))
        claim = services.need_claim(actor=worker, need=served, now=now - timedelta(hours=5) + timedelta(minutes=3))
        Need.objects.filter(pk=served.pk).update(starts_at=now - timedelta(hours=2))
        services.claim_check_in(actor=worker, claim=claim, latitude=claim.need.latitude or "28.12",
                                longitude=claim.need.longitude or "119.57", now=now - timedelta(hours=2))
        services.claim_check_out(actor=worker, claim=claim, latitude=claim.need.latitude or "28.12",
                                 longitude=claim.need.longitude or "119.57", now=now - timedelta(hours=1))
