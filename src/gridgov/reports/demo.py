"""Demo seeder: a month of resident reports in 浮云街道, some overdue, and a few anomalies for oversight.

Reports go through the services with an explicit ``now``, so timelines, deadlines, alerts and the audit
trail are what real use would leave. The anomalies are real actions too: a cadre's late-night approvals
of one worker's claims, grants to one household, and a reversal of an audited grant, so the supervisor's
page shows findings on first open.
"""

import random
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from gridgov.deadlines.scan import scan_deadlines
from gridgov.demo import at_work
from gridgov.errors import DomainError
from gridgov.geo.selectors import point_inside
from gridgov.orgs.models import Node, Person, Role
from gridgov.reports import services
from gridgov.reports.models import Category

STREET_CODE = "FY"
LOCATED = 0.7  # the share of reports sent with the phone's location
REPORTS = 60  # a month of reports; kept small so the whole demo seeds in under ten seconds
TEXTS = {
    "safety": ["楼道里堆放了很多纸箱，有火灾隐患", "电动车在楼道里充电", "路边电线杆倾斜", "消防栓被车挡住了"],
    "environment": ["垃圾桶满了两天没人清", "小区河道有漂浮垃圾", "绿化带里有人倒建筑垃圾", "公厕很脏没人打扫"],
    "facilities": ["路灯坏了晚上很黑", "人行道砖松动", "下水道井盖缺失", "公交站牌被撞歪了"],
    "construction": ["楼顶有人在搭违章阳光房", "一楼住户私自扩建院子", "河边新搭了一个铁皮棚"],
    "dispute": ["楼上漏水到我家协商不成", "邻居长期占用公共车位", "广场舞音响太吵"],
    "other": ["希望增加老年活动室开放时间", "快递柜经常满", "建议小区装充电桩"],
}


def seed(*, rng: random.Random, out) -> None:
    street = Node.objects.filter(code=STREET_CODE).first()
    if street is None:
        return
    now = timezone.now().replace(second=0, microsecond=0)
    categories = list(Category.objects.filter(is_active=True))
    residents = list(Person.objects.filter(roles__role=Role.RESIDENT, roles__node__path__startswith=street.path)
                     .values_list("pk", "roles__node_id").order_by("pk"))
    if not residents or not categories:
        return
    chosen = rng.sample(residents, min(len(residents), REPORTS - 4))
    resident_login = Person.objects.filter(user__username="resident").values_list("pk", "roles__node_id").first()
    if resident_login:
        chosen[:4] = [resident_login] * 4
    people = {p.pk: p for p in Person.objects.filter(pk__in={pk for pk, _node in chosen})}
    nodes = {n.pk: n for n in Node.objects.filter(pk__in={node for _pk, node in chosen})}
    for index, (person_id, node_id) in enumerate(chosen):
        category = rng.choice(categories)
        filed = at_work(now - timedelta(days=rng.uniform(0.2, 30), minutes=rng.randint(0, 600)), rng=rng,
                        not_after=now, evening=True)  # residents also report after work
        # Most residents let the phone add where they stand (somewhere in their own micro-grid).
        lon, lat = (point_inside(nodes[node_id], rng) or (None, None)) if rng.random() < LOCATED else (None, None)
        try:
            report = services.report_file(actor=people[person_id], node=nodes[node_id], category=category,
                                          text=rng.choice(TEXTS.get(category.code, TEXTS["other"])),
                                          address=people[person_id].address, latitude=lat, longitude=lon, now=filed)
            _progress(report, rng=rng, filed=filed, now=now, index=index)
        except DomainError:
            continue
    scan_deadlines(now=now)
    _anomalies(street=street, rng=rng, now=now)


def _progress(report, *, rng, filed, now, index) -> None:
    """Move a report as far as a believable month would: most done, some waiting, some late."""
    handler = report.handler
    if handler is None:
        return
    fate = rng.random()
    age_hours = (now - filed).total_seconds() / 3600
    if fate < 0.15 or age_hours < 6:
        return  # still waiting to be accepted (late if older than its accept-by)
    within = rng.uniform(0.5, min(age_hours / 3, report.category.response_hours * 1.2))
    accepted = at_work(filed + timedelta(hours=within), rng=rng, not_after=now)
    if accepted <= filed:
        return  # filed after the last working hour before now: still waiting
    services.report_accept(actor=handler, report=report, now=accepted)
    if fate < 0.22:
        services.report_escalate(actor=handler, report=report, reason="需社区协调",
                                 now=at_work(accepted + timedelta(hours=1), rng=rng, not_after=now))
        return
    if fate < 0.32:
        return  # accepted, still being worked on
    resolved = at_work(accepted + timedelta(hours=rng.uniform(1, report.category.resolution_hours * 0.9)), rng=rng)
    if resolved >= now:
        return
    report = services.report_resolve(actor=report.handler, report=report, resolution="已到现场处理完毕",
                                     useful=rng.random() < 0.85, now=resolved)
    rated = at_work(resolved + timedelta(hours=rng.uniform(1, 48)), rng=rng, evening=True)
    if fate < 0.9 and rated < now:
        rating = 2 if fate > 0.86 else rng.choice([3, 4, 5, 5, 5])
        services.report_rate(actor=report.reporter, report=report, rating=rating,
                             comment="" if rating > 2 else "问题还在", now=rated)


def _anomalies(*, street, rng, now) -> None:
    """A few real irregularities in 贵溪村 and 东门社区 for the supervisor to find."""
    from gridgov.ledger.models import Posting, PostingKind
    from gridgov.ledger.services import grant_points, reverse_posting

    village = Node.objects.filter(code=f"{STREET_CODE}-GX").first()
    community = Node.objects.filter(code=f"{STREET_CODE}-DM").first()
    for unit in (village, community):
        if unit is None:
            continue
        cadre = Person.objects.filter(roles__role=Role.COMMUNITY_CADRE, roles__node=unit).order_by("pk").first()
        if cadre is None:
            continue
        # One household granted twice by the same cadre (two people at one address).
        shared = (Person.objects.filter(roles__role=Role.RESIDENT, roles__node__path__startswith=unit.path)
                  .exclude(address="").values("address").annotate(n=Count("pk", distinct=True)).filter(n__gte=2)
                  .order_by("address").first())
        if shared:
            for person in Person.objects.filter(address=shared["address"]).order_by("pk")[:2]:
                try:
                    grant_points(actor=cadre, person=person, amount=30, reason="志愿服务",
                                 idempotency_key=f"demo:household:{unit.code}:{person.pk}", budget_node=unit)
                except DomainError:
                    pass
        # A grant reversed after the audit.
        posting = (Posting.objects.filter(kind=PostingKind.GRANT, node=unit, reversed_by__isnull=True)
                   .order_by("sequence").first())
        if posting is not None:
            try:
                reverse_posting(actor=cadre, posting=posting, reason="核查后撤销",
                                idempotency_key=f"demo:reverse:{posting.pk}")
            except DomainError:
                pass
    if village is not None:
        _late_night_approvals(village=village, rng=rng, now=now)


def _late_night_approvals(*, village, rng, now) -> None:
    """The village cadre approves ten claims of one worker, late in the evening."""
    from gridgov.tasks import services as task_services
    from gridgov.tasks.models import WorkType

    cadre = Person.objects.filter(roles__role=Role.COMMUNITY_CADRE, roles__node=village).order_by("pk").first()
    worker = (Person.objects.filter(roles__role=Role.GRID_WORKER, roles__node__path__startswith=village.path)
              .order_by("pk").first())
    work_type = WorkType.objects.filter(is_active=True).order_by("pk").first()
    if cadre is None or worker is None or work_type is None:
        return
    for day in range(10):
        evening = timezone.localtime(now - timedelta(days=day + 2)).replace(hour=22, minute=rng.randint(0, 50))
        try:
            task = task_services.task_publish(actor=cadre, node=village, title=f"夜间巡查第{day + 1}次",
                                              work_type=work_type, points=10, places=1, requires_photo=False,
                                              deadline=evening + timedelta(hours=1), now=evening - timedelta(hours=3))
            claim = task_services.task_claim(actor=worker, task=task, now=evening - timedelta(hours=2))
            task_services.claim_submit(actor=worker, claim=claim, text="巡查完毕", now=evening - timedelta(hours=1))
            task_services.claim_evaluate(actor=cadre, claim=claim, approve=True, now=evening)
        except DomainError:
            continue
