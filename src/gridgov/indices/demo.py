"""Demo seeder: three months of index events for 浮云街道, computed with every shipped scheme, so that each
colour (red, green, tea, grey), each tier and star count and a 直接降级 veto appear.

The plan is deliberate, not random, where the result must show something: units are ordered by code;
earlier units submit more news and serve more enterprises (so they rank higher); the last cooperative
misses an activity every month (tea, then grey), the one before misses only in the middle month (tea),
白岩村 has a veto item in the middle month. Events are written with ``bulk_create`` and one audit record;
computation goes through the services. The two finished months are published, the current one is a draft.
"""

import random
from datetime import timedelta

from django.utils import timezone

from gridgov.audit.services import audit_record
from gridgov.indices import schemes, services
from gridgov.indices.engine import insert_rows
from gridgov.indices.models import ActivityRecord, Assessment, Attendance, NewsItem, OrgCode
from gridgov.indices.sources import period_bounds, previous_period
from gridgov.orgs.demo import STREET_CODE
from gridgov.orgs.models import Node, Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.orgs.tree import role_holders

ACTIVITIES = ["支部党员大会", "支委会", "党小组会", "党课", "主题党日"]


def months() -> list[str]:
    current = timezone.localdate().strftime("%Y-%m")
    middle = previous_period(current)
    return [previous_period(middle), middle, current]


def seed(*, rng: random.Random, out) -> None:
    street = Node.objects.filter(code=STREET_CODE).first()
    if street is None:
        return
    services.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
    units = list(Node.objects.filter(path__startswith=street.path, kind__in=schemes.UNITS).order_by("code"))
    periods = months()
    members = [(person_id, path) for person_id, _node_id, path
               in role_holders([Role.GRID_WORKER, Role.GRID_LEADER], paths=[street.path])]
    activities, news, assessments = [], [], []
    now = timezone.now()
    for month, period in enumerate(periods):
        start, _end = period_bounds(period)
        day = min(start + timedelta(days=14), timezone.localdate())
        for position, unit in enumerate(units):
            missed = (position == len(units) - 1) or (position == len(units) - 2 and month == 1)
            for number, kind in enumerate(ACTIVITIES):
                held = None if (missed and number == 3) else day
                activities.append(ActivityRecord(node=unit, kind=kind, due_on=day, held_on=held))
            for number in range(max(len(units) - position, 1)):
                news.append(NewsItem(node=unit, title=f"{unit.name}{period}动态信息{number + 1}", submitted_on=day,
                                     adopted=number % 3 == 0, spread_count=rng.randint(0, 30)))
            assessments.append(Assessment(node=unit, item="serve-enterprise", value=max(len(units) - position, 1),
                                          evidence="走访联系企业记录", assessed_on=day))
            assessments.append(Assessment(node=unit, item="fortress", value=max(30 - 3 * position, 0),
                                          evidence="支部检修评定表", assessed_on=day))
            if month == 1 and unit.code.endswith("-BY"):
                assessments.append(Assessment(node=unit, item="fortress-veto", value=1,
                                              evidence="班子成员违纪，经查属实", assessed_on=day))
        for person_id, path in members:
            unit = next((u for u in units if path.startswith(u.path)), None)
            if unit is None:
                continue
            assessments.append(Assessment(node=unit, person_id=person_id, item="study", value=rng.randint(5, 45),
                                          evidence="学习强国学分", assessed_on=day))
            draw = rng.random()
            if draw < 0.1:
                assessments.append(Assessment(node=unit, person_id=person_id, item="bonus", value=rng.randint(5, 20),
                                              evidence="志愿服务先锋表现", assessed_on=day))
            elif draw < 0.15:
                assessments.append(Assessment(node=unit, person_id=person_id, item="deduction",
                                              value=rng.randint(3, 10), evidence="无故缺席组织生活",
                                              assessed_on=day))
            elif draw < 0.155:
                assessments.append(Assessment(node=unit, person_id=person_id, item="downgrade", value=1,
                                              evidence="违反党纪受处分", assessed_on=day))
    ActivityRecord.objects.bulk_create(activities, batch_size=1000)
    NewsItem.objects.bulk_create(news, batch_size=1000)
    # The two thousand assessments and attendance rows go in as plain rows: bulk_create's per-object model
    # set-up would be most of this seeder's time (see engine.insert_rows).
    insert_rows(Assessment, ["node_id", "person_id", "item", "value", "evidence", "assessed_on", "cadre_id",
                             "created_at"],
                [(a.node_id, a.person_id, a.item, a.value, a.evidence, a.assessed_on, None, now)
                 for a in assessments])
    _attendance(rng=rng, units=units, members=members)
    OrgCode.objects.bulk_create([OrgCode(node=node) for node in [street, *units]], ignore_conflicts=True)
    audit_record(actor=SYSTEM, role="system", action="indices.demo.seed", node=street,
                 after={"periods": periods, "activities": len(activities), "news": len(news),
                        "assessments": len(assessments)})
    for definition in schemes.DEFINITIONS:
        # The ledger's demo grants fall in the current month only: the points index needs no history.
        for period in periods[-1:] if definition["code"] == schemes.POINTS else periods:
            run = services.run_compute(actor=SYSTEM, scheme=definition["code"], period=period)
            if period != periods[-1]:
                services.run_publish(actor=SYSTEM, run=run)


def _attendance(*, rng, units, members) -> None:
    """Each member at their unit's 支部党员大会 of each month, present about nine times in ten."""
    meetings = ActivityRecord.objects.filter(node__in=units, kind=ACTIVITIES[0]).values_list("pk", "node__path")
    by_path: dict[str, list[int]] = {}
    for pk, path in meetings:
        by_path.setdefault(path, []).append(pk)
    rows, seen = [], set()
    for person_id, path in members:
        for unit_path, activity_ids in by_path.items():
            if path.startswith(unit_path):
                for activity_id in activity_ids:
                    if (activity_id, person_id) not in seen:
                        seen.add((activity_id, person_id))
                        rows.append((activity_id, person_id, rng.random() < 0.9))
    insert_rows(Attendance, ["activity_id", "person_id", "present"], rows)

