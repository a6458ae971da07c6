"""A believable month of 治村宝 in 东门社区 (seed 003: "30余场次, 发放积分10000余分").

Every step goes through the services with an explicit ``now``, so the audit trail, the ledger and the
pages hold exactly what real use would leave: finished work audited with points, work waiting at each
step, a rejection being redone, and open tasks with places left for the demo worker to claim.
"""

import itertools
import random
from datetime import timedelta

from django.utils import timezone

from gridgov.demo import at_work, end_of_working_day
from gridgov.errors import DomainError
from gridgov.geo.selectors import point_inside
from gridgov.orgs import tree
from gridgov.orgs.models import Node, Person, Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.tasks import services
from gridgov.tasks.models import WorkType

STREET_CODE = "FY"
COMMUNITY_CODE = "FY-DM"
GRADES = [("一星", 30), ("二星", 60), ("三星", 100), ("四星", 150), ("五星", 200)]

# (title, work type, grade index, places, text the worker writes): work of any month
ACTIVITIES = [
    ("人民路沿街商铺消防安全检查", "消防安全", 2, 10, "检查商铺{n}家，发现灭火器过期{k}处，已督促更换。"),
    ("老旧小区电动车飞线充电排查", "消防安全", 2, 12, "入户排查{n}户，劝导拆除飞线{k}处。"),
    ("高层住宅消防通道清理", "消防安全", 1, 8, "清理楼道堆放杂物{n}处，疏通消防通道。"),
    ("疫苗接种入户宣传", "疫情防控", 1, 12, "走访{n}户老人，登记接种意愿{k}人。"),
    ("东门溪河道垃圾清理", "五水共治", 2, 12, "清理河道垃圾约{n}袋，劝导乱倒行为{k}起。"),
    ("雨污管网排口巡查", "五水共治", 3, 6, "巡查排口{n}个，发现异常{k}处并拍照上报。"),
    ("河长制护河志愿巡河", "河道巡查", 1, 10, "沿河巡查{n}公里，未发现明显污染。"),
    ("违章搭建排摸登记", "违建排摸", 3, 8, "排摸楼顶及院落{n}处，疑似违建{k}处已登记。"),
    ("出租房屋人口信息核查", "人口信息采集", 2, 12, "核查出租房{n}套，更新人员信息{k}条。"),
    ("邻里纠纷上门调解", "矛盾调解", 3, 5, "调解邻里纠纷{k}起，双方签字确认。"),
    ("小餐饮燃气安全检查", "安全生产检查", 2, 10, "检查餐饮店{n}家，整改燃气软管{k}处。"),
    ("垃圾分类桶边督导", "垃圾分类", 1, 15, "桶边督导{n}小时，纠正错投{k}次。"),
    ("背街小巷环境整治", "环境整治", 1, 15, "清理卫生死角{n}处，拆除小广告{k}张。"),
    ("文明城市创建入户宣传", "文明实践", 1, 15, "发放宣传册{n}份，讲解文明公约。"),
    ("新时代文明实践站志愿服务", "志愿服务", 1, 12, "参加志愿服务{n}小时，服务群众{k}人。"),
    ("红白事简办移风易俗宣传", "移风易俗", 1, 8, "走访{n}户，签订简办承诺书{k}份。"),
    ("最美家庭评选材料收集", "家风家训", 1, 6, "收集推荐材料{n}份。"),
    ("道德评议会组织", "道德评议", 2, 4, "组织评议会1场，参与群众{n}人。"),
    ("社区广场舞展演保障", "文化活动", 1, 10, "维持秩序并协助布置场地，到场群众约{n}人。"),
    ("独居老人上门探访", "养老关爱", 1, 15, "探访独居老人{n}位，记录需求{k}条。"),
    ("困难家庭走访慰问", "困难帮扶", 2, 10, "走访困难家庭{n}户，代办救助申请{k}件。"),
    ("失业人员就业帮扶登记", "就业帮扶", 2, 6, "登记就业意向{n}人，推荐岗位{k}个。"),
    ("城乡居民医保代缴提醒", "社保医保代办", 1, 12, "提醒{n}户缴费，代办{k}户。"),
    ("辖区企业安全走访", "企业走访", 3, 6, "走访企业{n}家，收集诉求{k}条。"),
    ("农产品直播助农协助", "电商助农", 2, 5, "协助直播{k}场，销售农产品约{n}斤。"),
    ("重点人员走访稳控", "矛盾调解", 4, 4, "走访重点人员{n}人次，情况稳定。"),
    ("集中清理僵尸车", "环境整治", 2, 6, "协助拖移僵尸车{k}辆。"),
    ("消防应急演练组织", "消防安全", 4, 6, "组织居民疏散演练1场，参加{n}人。"),
    ("招商项目入驻服务", "招商服务", 3, 3, "为入驻项目代办手续{k}件。"),
]

# Work that belongs to a season (Asia/Shanghai months): every few activities of the month is one of these,
# chosen by the month it is published in, and two of them are open now.
SEASONS = {3: "spring", 4: "spring", 5: "spring", 6: "summer", 7: "summer", 8: "summer",
           9: "autumn", 10: "autumn", 11: "autumn", 12: "winter", 1: "winter", 2: "winter"}
SEASONAL = {
    "spring": [
        ("春耕生产服务", "农业生产服务", 2, 6, "帮助农户{n}户整理农资。"),
        ("清明文明祭扫宣传", "移风易俗", 1, 8, "劝导文明祭扫{n}人次，发放倡议书{k}份。"),
        ("清明期间山林防火巡查", "消防安全", 2, 8, "巡查山林{n}公里，劝阻野外用火{k}起。"),
        ("春季河道清淤巡查", "河道巡查", 1, 10, "沿河巡查{n}公里，发现淤积{k}处。"),
        ("五一假期前安全生产检查", "安全生产检查", 2, 8, "检查经营场所{n}家，整改隐患{k}处。"),
    ],
    "summer": [
        ("防汛物资仓库检查", "防汛防台", 1, 6, "清点沙袋、救生衣等物资{n}件。"),
        ("台风前危旧房屋排查", "防汛防台", 3, 8, "排查危旧房{n}处，动员转移{k}户。"),
        ("夏季防溺水宣传", "文明实践", 1, 12, "在水塘边发放宣传单{n}份，劝离戏水{k}人。"),
        ("夏季高温独居老人探访", "养老关爱", 1, 10, "探访独居老人{n}位，送去防暑用品。"),
        ("夏收秸秆禁烧巡查", "秸秆焚烧", 2, 8, "巡查田块{n}处，宣传禁烧{k}户。"),
    ],
    "autumn": [
        ("秋收秸秆禁烧巡查", "秸秆焚烧", 2, 8, "巡查田块{n}处，宣传禁烧{k}户。"),
        ("秋季安全生产大检查", "安全生产检查", 2, 10, "检查商铺{n}家，整改隐患{k}处。"),
        ("秋收农产品直播助农", "电商助农", 2, 5, "协助直播{k}场，销售农产品约{n}斤。"),
        ("秋季环境卫生整治", "环境整治", 1, 12, "清理卫生死角{n}处，拆除小广告{k}张。"),
        ("秋季森林防火宣传", "消防安全", 1, 8, "入户宣传{n}户，张贴防火标语{k}处。"),
    ],
    "winter": [
        ("冬季防火入户检查", "消防安全", 2, 10, "入户检查{n}户，发现取暖隐患{k}处。"),
        ("元旦前安全生产大检查", "安全生产检查", 2, 8, "检查企业和商铺{n}家，整改隐患{k}处。"),
        ("春节返乡人员信息登记", "人口信息采集", 1, 10, "登记返乡人员{n}人，全部录入系统。"),
        ("冬季困难家庭送温暖", "困难帮扶", 2, 10, "走访困难家庭{n}户，送去棉被和米油。"),
        ("冬季燃气取暖安全检查", "安全生产检查", 2, 10, "检查住户{n}户，更换老化软管{k}根。"),
    ],
}
SEASONAL_EVERY = 7  # every 7th activity of the month (from the 4th) is a seasonal one
SEASONAL_PER_MONTH = 5

# Open now: the demo worker finds these on the task square (the last two by season).
OPEN_ACTIVITIES = [
    ("本周消防安全巡查", "消防安全", 1, 20, "weekly"),
    ("出租房屋安全隐患排查", "安全生产检查", 2, 10, ""),
]
SEASONAL_OPEN = {
    "spring": [("五一假期河道保洁", "五水共治", 1, 15, ""), ("春季植树志愿活动", "志愿服务", 1, 12, "")],
    "summer": [("汛期河道水位巡查", "河道巡查", 1, 12, ""), ("暑期防溺水巡河", "志愿服务", 1, 12, "")],
    "autumn": [("秋季防火入户宣传", "消防安全", 1, 15, ""), ("重阳节独居老人探访", "养老关爱", 1, 12, "")],
    "winter": [("元旦假期消防安全巡查", "消防安全", 1, 15, ""), ("春节前困难家庭走访", "困难帮扶", 1, 12, "")],
}
# The words that tie a title to a season (the demo test checks them against the month).
SEASON_WORDS = {
    "spring": ("春耕", "清明", "五一", "春季"),
    "summer": ("防汛", "夏季", "汛期", "暑期", "台风", "夏收"),
    "autumn": ("秋收", "国庆", "秋季", "重阳"),
    "winter": ("冬季", "春节", "元旦"),
}


def season_of(moment) -> str:
    return SEASONS[timezone.localtime(moment).month]


NOTICES = [
    ("东门社区治村宝积分兑换说明", "网格员完成任务经社区考评、社区党委审核后获得积分，可在合作商户出示专属二维码享受折扣。"),
    ("关于开展消防安全月活动的通知", "本月为消防安全月，请各网格员认领消防安全巡查任务，按时上传照片和巡查情况。"),
    ("停水通知", "因管网检修，人民路1弄至9弄周三上午8:00至12:00停水，请居民提前储水。"),
    ("网格长激励保障举措10条", "街道公布网格长激励保障举措10条，详见社区公告栏。"),
]


def seed(*, rng: random.Random, out) -> None:
    community = Node.objects.filter(code=COMMUNITY_CODE).first()
    street = Node.objects.filter(code=STREET_CODE).first()
    if community is None or street is None:
        return
    now = timezone.now()
    grades = [services.grade_set(actor=SYSTEM, street=street, name=name, points=points, order=order)
              for order, (name, points) in enumerate(GRADES, 1)]
    _ensure_budget(community)
    cadres = _people(community, Role.COMMUNITY_CADRE)
    auditors = _people(community, Role.PARTY_AUDITOR)
    street_cadres = _people(street, Role.STREET_CADRE, exact=True)
    workers = _people(community, Role.GRID_WORKER) + _people(community, Role.GRID_LEADER)
    if not cadres or not auditors or not workers:
        return
    demo_worker = _by_username("worker")
    types = {work_type.name: work_type for work_type in WorkType.objects.all()}
    month_start = now - timedelta(days=30)
    stages = itertools.cycle(RECENT_STAGES)
    everyday, seasonal = iter(ACTIVITIES), {season: iter(items) for season, items in SEASONAL.items()}
    count = len(ACTIVITIES) + SEASONAL_PER_MONTH
    for index in range(count):
        published_at = at_work(month_start + timedelta(days=index * 26 / count), rng=rng, not_after=now)
        is_seasonal = index % SEASONAL_EVERY == SEASONAL_EVERY // 2
        activity = next(seasonal[season_of(published_at)], None) if is_seasonal else None
        activity = activity or next(everyday, None)
        if activity is None:
            break
        title, type_name, grade_index, places, text = activity
        recent = index >= count - 5  # the last few are still being worked on
        due = now + timedelta(days=rng.randint(2, 6)) if recent else published_at + timedelta(days=rng.randint(3, 6))
        deadline = end_of_working_day(due)
        publisher = rng.choice(street_cadres) if street_cadres and index % 5 == 0 else rng.choice(cadres)
        task = services.task_publish(
            actor=publisher, node=street if publisher in street_cadres else community, title=title,
            work_type=types[type_name], grade=grades[grade_index], places=places, deadline=deadline,
            description=f"{type_name}：{title}。完成后上传现场照片和情况说明。", requires_photo=False, now=published_at,
        )
        places = max(2, places * 3 // 5)
        takers = rng.sample(workers, k=min(len(workers), rng.randint(max(2, places - 2), places)))
        if demo_worker and demo_worker not in takers and index % 3 == 0:
            takers[0] = demo_worker
        for worker in takers:
            _walk(rng, task=task, worker=worker, cadres=cadres, auditors=auditors, text=text,
                  claimed_at=at_work(published_at + timedelta(hours=rng.randint(1, 20)), rng=rng, not_after=now),
                  now=now, stage=next(stages) if recent else None)
    for title, type_name, grade_index, places, recurrence in OPEN_ACTIVITIES + SEASONAL_OPEN[season_of(now)]:
        services.task_publish(
            actor=cadres[0], node=community, title=title, work_type=types[type_name], grade=grades[grade_index],
            places=places, deadline=end_of_working_day(now + timedelta(days=rng.randint(3, 7))),
            recurrence=recurrence, requires_photo=False, description=f"{title}，请认领后按时完成并上传情况。",
            now=at_work(now - timedelta(hours=rng.randint(6, 30)), rng=rng, not_after=now),
        )
    for days_ago, (title, body) in zip((28, 20, 6, 2), NOTICES):
        services.notice_publish(actor=cadres[0], node=community, title=title, body=body,
                                now=at_work(now - timedelta(days=days_ago), rng=rng, not_after=now))


LOCATED = 0.6  # the share of hand-ins that carry the phone's location
# Where the claims of the month's last tasks stop, in turn: every step of the work has claims waiting in it, whatever
# the day the demo is seeded (drawn at random, a day came when none waited for evaluation).
RECENT_STAGES = ("claimed", "submitted", "sent_back", "evaluated", "audited")


def _walk(rng, *, task, worker, cadres, auditors, text, claimed_at, now, stage):
    """Take one claim as far as this month got: most are audited; a recent one (``stage``, one of
    ``RECENT_STAGES``) stops at that step."""
    try:
        claim = services.task_claim(actor=worker, task=task, now=claimed_at)
    except DomainError:
        return
    roll = rng.random()
    if stage == "claimed":
        return  # claimed, not yet done
    if stage is None and roll < 0.05:
        return  # never handed in: on the overdue list
    handed_in_by = min(task.deadline - timedelta(minutes=5), now)
    submitted_at = at_work(min(claimed_at + timedelta(hours=rng.randint(4, 48)), handed_in_by), rng=rng,
                           not_after=handed_in_by, evening=True)
    evidence = text.format(n=rng.randint(6, 40), k=rng.randint(1, 5))
    # Most workers let the phone add where they did the work (somewhere in their own micro-grid).
    lon, lat = (point_inside(tree.home_node(worker), rng) or (None, None)) if rng.random() < LOCATED else (None, None)
    claim = services.claim_submit(actor=worker, claim=claim, text=evidence, longitude=lon, latitude=lat,
                                  now=submitted_at)
    if stage == "submitted":
        return  # waiting for evaluation
    evaluator = rng.choice(cadres)
    evaluated_at = at_work(submitted_at + timedelta(hours=rng.randint(2, 40)), rng=rng,
                           not_after=now - timedelta(hours=1))
    if stage == "sent_back" or (stage is None and roll > 0.93):
        claim = services.claim_evaluate(actor=evaluator, claim=claim, approve=False, now=evaluated_at,
                                        reason="照片与说明不够清楚，请补充现场情况。")
        resubmitted_at = at_work(evaluated_at + timedelta(hours=2), rng=rng, not_after=now, evening=True)
        if stage or resubmitted_at >= task.deadline:
            return  # the worker still has to redo it
        claim = services.claim_submit(actor=worker, claim=claim, text=evidence + "已补充现场情况说明。",
                                      now=resubmitted_at)
        evaluated_at = at_work(resubmitted_at + timedelta(hours=rng.randint(2, 24)), rng=rng,
                               not_after=now - timedelta(hours=1))
    adjustment = rng.choice([0, 0, 0, 0, task.points // 4, -(task.points // 4)])
    claim = services.claim_evaluate(
        actor=evaluator, claim=claim, approve=True, adjustment=adjustment, now=evaluated_at,
        reason="" if not adjustment else ("完成质量高，超出要求" if adjustment > 0 else "完成不完整，酌情扣分"),
    )
    if stage == "evaluated":
        return  # waiting for audit
    auditor = next((person for person in auditors if person.pk != evaluator.pk), None)
    if auditor is None:
        return
    try:
        services.claim_audit(actor=auditor, claim=claim, confirm=True,
                             now=at_work(evaluated_at + timedelta(hours=rng.randint(2, 48)), rng=rng, not_after=now))
    except DomainError:
        return  # budget spent: the claim waits in the audit queue


def _ensure_budget(community: Node, *, needed: int = 16000) -> None:
    """The ledger's seeder sets the demo budgets; top 东门社区's up so this month's audited tasks fit in it."""
    from gridgov.ledger.models import Budget
    from gridgov.ledger.services import budget_set

    period = timezone.localtime().strftime("%Y-%m")
    budget = Budget.objects.filter(node=community, period=period).select_related("account").first()
    left = budget.account.balance if budget else 0
    if left < needed:
        budget_set(actor=SYSTEM, node=community, period=period, amount=(budget.amount if budget else 0) + needed - left)


def _people(node: Node, role: str, *, exact: bool = False) -> list[Person]:
    """Active people holding ``role`` at ``node`` (or, unless ``exact``, anywhere below it)."""
    people = tree.people_at(node, [role]) if exact else tree.people_under([node.path], [role])
    return list(people.order_by("pk"))


def _by_username(username: str) -> Person | None:
    return Person.objects.filter(user__username=username).first()
