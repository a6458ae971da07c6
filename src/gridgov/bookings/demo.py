"""Demo seeder: 34 bases in 4 sections and 12 routes around the demo street, and a season of bookings.

The catalogue is written row by row (a hundred rows); the season (about a thousand bookings over four months,
some pending, some late for the base's answer, most visited, many rated) is written with ``bulk_create``, as
the history real use would have left, so the whole demo stays quick. A booking's places are summed into its
slot's ``SlotDay`` row, as the services keep them. The base names are illustrative, not the seed's.
"""

import random
from collections import defaultdict
from datetime import time, timedelta

from django.utils import timezone

from gridgov.bookings.models import (
    Attendance,
    Base,
    BaseSlot,
    Booking,
    BookingEvent,
    BookingState,
    Plan,
    Rating,
    ReviewRule,
    Route,
    RouteStop,
    Section,
    SlotDay,
)
from gridgov.bookings.schedule import add_working_hours, slot_start
from gridgov.orgs.models import Node, NodeKind, Person, Role
from gridgov.orgs.tree import path_length, role_holders

STREET_CODE = "FY"
SECTIONS = [
    ("party", "党性教育", ["革命烈士纪念馆", "红军挺进师纪念园", "党史学习教育馆", "初心广场", "廉政文化教育基地",
                          "老党员口述史馆", "红色交通站旧址", "入党誓词墙", "党建主题公园", "红色家书陈列室"]),
    ("revival", "乡村振兴", ["木玩小镇共富工坊", "高山茶园党员示范基地", "民宿党建联盟", "梯田农耕文化园",
                           "菊花茶生产线", "电商直播共富中心", "生态果园党员先锋岗", "强村公司展示馆", "五美乡村客厅"]),
    ("governance", "基层治理", ["网格治理指挥中心", "村民说事议事厅", "矛盾纠纷调解中心", "善治积分超市",
                              "社区党群服务中心", "平安建设体验馆", "清廉村居示范点", "邻里中心"]),
    ("city", "印象缑城", ["古城墙遗址", "老街记忆馆", "非遗传承馆", "城市书房", "古镇党建基地", "滨江红色步道",
                        "县城规划展示馆"]),
]
THEMES = [
    ("重温入党誓词", "入党誓词的由来\n党章学习\n老党员讲述入党经历", "参观展陈，集体重温入党誓词，交流入党初心"),
    ("红色故事会", "革命先辈的故事\n本地红色历史", "听讲解员讲红色故事，支部党员分享学习体会"),
    ("共富实践课", "共同富裕的基层探索\n村集体经济发展", "实地走访，座谈交流，为村庄发展出点子"),
    ("志愿服务日", "党员志愿服务的要求\n服务群众的方法", "开展一次志愿服务，结束后集体总结"),
    ("廉政教育课", "典型案例警示\n廉洁自律准则", "观看警示片，撰写廉政心得"),
    ("治理观摩课", "网格化治理的做法\n村民说事制度", "观摩议事过程，交流本支部的治理经验"),
]
ROUTE_NAMES = ["初心之旅·红色足迹", "初心之旅·共富路上", "初心之旅·善治之道", "初心之旅·古城印记",
               "初心之旅·廉洁之风", "初心之旅·山水茶香", "初心之旅·老街新韵", "初心之旅·网格同心",
               "初心之旅·乡愁旅居", "初心之旅·非遗匠心", "初心之旅·先锋引领", "初心之旅·一日研学"]
MONTHS_BACK = 3  # a season behind
DAYS_AHEAD = 30
BOOKINGS_PER_OPEN_DAY = 11  # about 250 a month over 34 bases
UNIT_PATH = path_length(3)  # the community or village above a node (district, street, unit)


def seed(*, rng: random.Random, out) -> None:
    street = Node.objects.filter(code=STREET_CODE).first()
    if street is None:
        return
    units = list(Node.objects.filter(path__startswith=street.path, kind__in=[
        NodeKind.COMMUNITY, NodeKind.VILLAGE]).order_by("path"))
    organisations = units + list(Node.objects.filter(path__startswith=street.path, kind=NodeKind.GRID)
                                 .order_by("path"))
    cadres = _holders(street, [Role.COMMUNITY_CADRE])
    liaisons = _holders(street, [Role.GRID_LEADER, Role.GRID_WORKER])
    bookers = _holders(street, [Role.COMMUNITY_CADRE, Role.GRID_LEADER])
    street_cadre = (Person.objects.filter(roles__role=Role.STREET_CADRE, roles__node=street, user__username="street")
                    .first() or Person.objects.filter(roles__role=Role.STREET_CADRE, roles__node=street).first())
    bases, plans = _catalogue(rng, units=units, cadres=cadres, liaisons=liaisons, street_cadre=street_cadre)
    _routes(rng, bases)
    rules = _rules(street)
    if street_cadre is not None:
        _season(rng, bases=bases, plans=plans, organisations=organisations, bookers=bookers, rules=rules,
                street=street, second_reviewer=street_cadre)


def _holders(street, roles) -> dict[str, list[int]]:
    """Person ids holding one of ``roles`` per node path (under the street)."""
    held = defaultdict(list)
    for person_id, _node_id, path in role_holders(roles, paths=[street.path]):
        held[path].append(person_id)
    return held


def _under(held: dict, path: str) -> list[int]:
    return sorted({pk for node_path, ids in held.items() if node_path.startswith(path) for pk in ids})


def _catalogue(rng, *, units, cadres, liaisons, street_cadre):
    bases, plans = [], {}
    number = 0
    dongmen = next((unit for unit in units if unit.name == "东门社区"), None)
    demo_cadre = Person.objects.filter(user__username="dongmen").first()
    demo_worker = Person.objects.filter(user__username="worker").first()
    for order, (code, name, names) in enumerate(SECTIONS):
        section = Section.objects.create(code=code, name=name, order=order)
        for position, base_name in enumerate(names):
            number += 1
            unit = dongmen if number == 1 else units[(number - 1) % len(units)] if units else None
            base = Base.objects.create(
                section=section, code=f"base-{number:02d}", name=f"{unit.name if unit else ''}{base_name}",
                node=unit, address=f"{unit.name if unit else '浮云街道'}{rng.randint(1, 99)}号",
                description=f"{base_name}集中展示本地党建与发展成果，可接待支部主题党日活动。",
                open_weekdays=rng.choice(["12345", "12345", "123456", "234567"]),
                accessibility=rng.choice(["无障碍通道，可借用轮椅", "展馆一层可通行轮椅，二层无电梯", ""]),
                phone=f"0578-55{number:05d}", review_hours=2, cutoff_hours=24, order=position,
            )
            staff = _under(cadres, unit.path)[:2] if unit else []
            if number == 1 and demo_cadre:
                staff = [demo_cadre.pk]
            staff = staff or ([street_cadre.pk] if street_cadre else [])
            base.staff.set(staff)
            base.demo_staff = staff
            capacity = rng.choice([30, 40, 50, 60, 80])
            slots = [BaseSlot.objects.create(base=base, label="上午", starts_at=time(9), ends_at=time(11, 30),
                                             capacity=capacity),
                     BaseSlot.objects.create(base=base, label="下午", starts_at=time(14), ends_at=time(16, 30),
                                             capacity=capacity)]
            pool = _under(liaisons, unit.path)[:3] if unit else []
            if number == 1 and demo_worker:
                pool = [demo_worker.pk, *pool[:2]]
            for theme_number, (theme, teaching, activities) in enumerate(rng.sample(THEMES, 2)):
                plan = Plan.objects.create(base=base, theme=theme, duration_minutes=rng.choice([90, 120, 150]),
                                           teaching=teaching, activities=activities, order=theme_number)
                plan.liaisons.set(pool)
                plans.setdefault(base.pk, []).append((plan, pool))
            base.demo_slots = slots
            bases.append(base)
    return bases, plans


def _routes(rng, bases) -> None:
    stops = []
    for order, name in enumerate(ROUTE_NAMES):
        route = Route.objects.create(code=f"route-{order + 1:02d}", name=name, order=order,
                                     description="一天内串联几个基地，上午参观学习，下午交流实践。")
        for position, base in enumerate(rng.sample(bases, rng.randint(3, 4))):
            stops.append(RouteStop(route=route, base=base, position=position + 1))
    RouteStop.objects.bulk_create(stops)


def _rules(street) -> dict:
    return {
        "second": ReviewRule.objects.create(name="40人以上由街道党工委复审", min_headcount=40, reviewer_node=street,
                                            reviewer_role=Role.STREET_CADRE, review_hours=8, priority=10),
        "hand_over": ReviewRule.objects.create(name="基地超时未处理转街道党工委", reviewer_node=street,
                                               reviewer_role=Role.STREET_CADRE, second_review=False, review_hours=4,
                                               priority=20),
    }


def _fate(rng, *, past: bool) -> str:
    draw = rng.random()
    if past:
        return (BookingState.ATTENDED if draw < 0.8 else BookingState.NO_SHOW if draw < 0.85
                else BookingState.CANCELLED if draw < 0.93 else BookingState.REJECTED)
    return (BookingState.APPROVED if draw < 0.6 else BookingState.PENDING_BASE if draw < 0.82
            else BookingState.PENDING_SECOND if draw < 0.88 else BookingState.CANCELLED)


def _season(rng, *, bases, plans, organisations, bookers, rules, street, second_reviewer) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    first = today - timedelta(days=30 * MONTHS_BACK)
    org_bookers = {org.pk: _under(bookers, org.path)[:1] for org in organisations}
    organisations = [org for org in organisations if org_bookers[org.pk]]
    members = _under_members(street)
    taken: dict = defaultdict(int)
    seen: set = set()
    bookings = []
    day = first
    while day <= today + timedelta(days=DAYS_AHEAD):
        open_bases = [base for base in bases if base.is_open_on(day)]
        for _number in range(BOOKINGS_PER_OPEN_DAY if open_bases else 0):
            base = rng.choice(open_bases)
            slot = rng.choice(base.demo_slots)
            organisation = rng.choice(organisations)
            headcount = rng.randint(8, min(slot.capacity, 50))
            key = (organisation.pk, slot.pk, day)
            if key in seen or taken[(slot.pk, day)] + headcount > slot.capacity:
                continue
            starts = slot_start(day, slot)
            state = _fate(rng, past=starts < now)
            plan, pool = rng.choice(plans[base.pk])
            created = min(starts - timedelta(days=rng.randint(2, 25), hours=rng.randint(0, 8)), now - timedelta(hours=1))
            booking = Booking(organisation=organisation, plan=plan, base=base, slot=slot, date=day, starts_at=starts,
                              headcount=headcount, booked_by_id=org_bookers[organisation.pk][0], state=state,
                              created_at=created, contact_phone=f"139{rng.randint(10_000_000, 99_999_999)}")
            _shape(booking, rng=rng, pool=pool, rules=rules, second_reviewer=second_reviewer, now=now)
            if state not in (BookingState.CANCELLED, BookingState.REJECTED):
                seen.add(key)
                taken[(slot.pk, day)] += headcount
            bookings.append(booking)
        day += timedelta(days=1)
    Booking.objects.bulk_create(bookings, batch_size=500)
    SlotDay.objects.bulk_create([SlotDay(slot_id=slot_id, date=date, capacity=_capacity(bases, slot_id),
                                         booked_people=people) for (slot_id, date), people in taken.items()],
                                batch_size=1000)
    _history(rng, bookings, members=members)


def _capacity(bases, slot_id) -> int:
    return next(slot.capacity for base in bases for slot in base.demo_slots if slot.pk == slot_id)


def _shape(booking: Booking, *, rng, pool, rules, second_reviewer, now) -> None:
    """The review fields a booking in its state would have: who answers and by when, its liaison."""
    state = booking.state
    if booking.headcount >= rules["second"].min_headcount:
        booking.review_rule, booking.needs_second_review = rules["second"], True
    if state == BookingState.PENDING_BASE:
        booking.reviewer_id = booking.base.demo_staff[0] if booking.base.demo_staff else None
        late = rng.random() < 0.3  # the base has not answered in time: the next scan hands these over
        asked = now - timedelta(hours=rng.randint(5, 40)) if late else now - timedelta(minutes=rng.randint(5, 60))
        booking.created_at = min(booking.created_at, asked)
        booking.due_at = add_working_hours(asked, booking.base.review_hours)
    elif state == BookingState.PENDING_SECOND:
        booking.review_rule = booking.review_rule or rules["hand_over"]
        booking.handed_over = booking.review_rule == rules["hand_over"]
        booking.reviewer = second_reviewer
        booking.due_at = add_working_hours(now - timedelta(hours=rng.randint(1, 20)), booking.review_rule.review_hours)
    elif state in (BookingState.APPROVED, BookingState.ATTENDED, BookingState.NO_SHOW):
        booking.liaison_id = rng.choice(pool) if pool else None
        booking.decided_at = booking.created_at + timedelta(hours=rng.randint(1, 6))
    elif state == BookingState.REJECTED:
        booking.decision_reason = rng.choice(["当天基地布展，请改约其他日期", "人数超出讲解能力"])
        booking.decided_at = booking.created_at + timedelta(hours=rng.randint(1, 6))


def _under_members(street) -> list[tuple[str, int]]:
    roles = [Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_CADRE, Role.RESIDENT]
    return [(path, person_id) for person_id, _node_id, path in role_holders(roles, paths=[street.path])]


def _history(rng, bookings, *, members) -> None:
    """Timelines, attendance and ratings of the season."""
    by_unit = defaultdict(list)
    for path, person_id in members:
        by_unit[path[:UNIT_PATH]].append(person_id)
    events, attendances, ratings = [], [], []
    for booking in bookings:
        events.append(BookingEvent(booking=booking, event="book", to_state=BookingState.PENDING_BASE,
                                   created_at=booking.created_at))
        if booking.decided_at:
            events.append(BookingEvent(booking=booking, event="reject" if booking.state == BookingState.REJECTED
                                       else "approve", from_state=BookingState.PENDING_BASE,
                                       to_state=BookingState.REJECTED if booking.state == BookingState.REJECTED
                                       else BookingState.APPROVED, created_at=booking.decided_at))
        if booking.state in (BookingState.ATTENDED, BookingState.NO_SHOW) and booking.liaison_id:
            came = 0 if booking.state == BookingState.NO_SHOW else max(booking.headcount - rng.randint(0, 4), 1)
            attendances.append(Attendance(booking=booking, headcount=came, no_show=came == 0,
                                          recorded_by_id=booking.liaison_id,
                                          recorded_at=booking.starts_at + timedelta(hours=2)))
            events.append(BookingEvent(booking=booking, event="attend" if came else "no_show",
                                       from_state=BookingState.APPROVED, to_state=booking.state,
                                       created_at=booking.starts_at + timedelta(hours=2)))
            people = by_unit.get(booking.organisation.path[:UNIT_PATH], [])
            if came and people and rng.random() < 0.7:
                for person_id in rng.sample(people, min(len(people), rng.randint(1, min(came, 8)))):
                    ratings.append(Rating(booking=booking, person_id=person_id, score=rng.choice([5, 5, 5, 4, 4, 3]),
                                          comment=rng.choice(["很有教育意义", "讲解生动", "收获很大", ""]),
                                          created_at=booking.starts_at + timedelta(hours=3)))
        elif booking.state in (BookingState.ATTENDED, BookingState.NO_SHOW):
            booking.state = BookingState.APPROVED  # nobody to record it: leave it approved (rare)
    BookingEvent.objects.bulk_create(events, batch_size=1000)
    Attendance.objects.bulk_create(attendances, batch_size=1000)
    Rating.objects.bulk_create(ratings, batch_size=1000)
