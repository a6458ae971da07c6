"""Demo seeder: a believable month of points for 浮云街道 (seed 003: 10,000+ points issued in one month
in one community). Budgets per community and village, then one ``grant_batch`` per unit, through the
services like any other grant (SYSTEM stands in for the party committee's audit)."""

import random

from gridgov.ledger import journal, services
from gridgov.orgs.demo import STREET_CODE
from gridgov.orgs.models import Node, Person, Role
from gridgov.orgs.permissions import SYSTEM

# Unit code suffix -> (budget, grants this month). 东门社区 is the pilot of seed 003.
PLAN = {"DM": (20000, 700), "ZS": (8000, 180), "JF": (8000, 150), "CB": (6000, 120),
        "BY": (5000, 90), "XY": (5000, 80), "HY": (4000, 60), "GX": (4000, 50)}
ACTIVITIES = [  # (reason, points low, points high): 阶梯化量化赋分
    ("垃圾分类督导", 5, 15), ("消防安全巡查", 10, 30), ("五水共治河道巡查", 10, 25), ("疫情防控值守", 15, 40),
    ("邻里纠纷调解", 20, 50), ("文明劝导志愿服务", 5, 20), ("违章搭建排查", 15, 35), ("秸秆禁烧宣传", 5, 15),
    ("关爱独居老人走访", 10, 25), ("村民之声报事属实", 5, 10),
]


def seed(*, rng: random.Random, out) -> None:
    period = journal.current_period()
    street = Node.objects.filter(code=STREET_CODE).first()
    if street is None:
        return
    services.budget_set(actor=SYSTEM, node=street, period=period, amount=10000)
    for suffix, (budget, count) in PLAN.items():
        unit = Node.objects.filter(code=f"{STREET_CODE}-{suffix}").first()
        if unit is None:
            continue
        services.budget_set(actor=SYSTEM, node=unit, period=period, amount=budget)
        people = list(
            Person.objects.filter(roles__node__path__startswith=unit.path,
                                  roles__role__in=[Role.RESIDENT, Role.GRID_WORKER, Role.GRID_LEADER])
            .distinct().order_by("pk")
        )
        if not people:
            continue
        active = rng.sample(people, min(len(people), max(count // 3, 1)))
        grants = []
        for index in range(count):
            reason, low, high = rng.choice(ACTIVITIES)
            grants.append({"person": rng.choice(active), "amount": rng.randint(low, high) // 5 * 5 or 5,
                           "reason": reason, "idempotency_key": f"demo:{period}:{suffix}:{index}"})
        services.grant_batch(actor=SYSTEM, grants=grants, budget_node=unit, idempotency_key=f"demo:{period}:{suffix}")


def seed_checkpoint(*, rng: random.Random, out) -> None:
    """One checkpoint of everything seeded, co-signed by the street's supervisor with a key of their own
    (kept in the data dir for the demo; a real witness keeps theirs off the server)."""
    from django.conf import settings

    from gridgov.ledger import checkpoints, notes
    from gridgov.ledger.errors import LedgerRefusal

    supervisor = Person.objects.filter(roles__role=Role.SUPERVISOR).order_by("pk").first()
    try:
        checkpoint = checkpoints.checkpoint_make(actor=SYSTEM)
    except LedgerRefusal:
        return  # nothing was posted
    if supervisor is not None:
        key = notes.load_or_create_key(settings.DATA_DIR / "demo-witness.key")
        checkpoints.checkpoint_cosign(actor=supervisor, checkpoint=checkpoint, private_key=key)
