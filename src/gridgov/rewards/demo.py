"""Partner merchants of the demo street (治村宝, seed 003): shops in the four communities that accept
points, their catalogues, their staff (the demo's merchant-staff logins) and a handful of redemptions."""

import random

from gridgov.ledger.models import Account, AccountKind
from gridgov.orgs.demo import STREET_CODE
from gridgov.orgs.models import Node, Person, Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.rewards import services
from gridgov.rewards.models import ItemKind

# community suffix -> merchants (name, [(item, kind, points, description, stock)]), staff taken in order.
MERCHANTS = {
    "DM": [
        ("东门惠民超市", [("洗衣液 1kg", ItemKind.GOODS, 60, "", 40), ("食用油 5L", ItemKind.GOODS, 300, "", 10),
                      ("购物九折", ItemKind.DISCOUNT, 50, "凭积分享受9折（限一次）", None)]),
        ("老街理发店", [("洗剪吹", ItemKind.GOODS, 80, "", None), ("理发八折", ItemKind.DISCOUNT, 30, "凭积分享受8折", None)]),
    ],
    "ZS": [
        ("浮云农家土特产店", [("云和雪梨 2斤", ItemKind.GOODS, 40, "", 30), ("土鸡蛋 10枚", ItemKind.GOODS, 50, "", 25),
                        ("高山茶叶 100g", ItemKind.GOODS, 150, "", 12)]),
        ("中山便民药房", [("口罩 一盒", ItemKind.GOODS, 30, "", 50), ("药品九五折", ItemKind.DISCOUNT, 20, "凭积分享受95折", None)]),
    ],
    "JF": [("解放早餐店", [("早餐套餐", ItemKind.GOODS, 15, "豆浆+包子两个", None)])],
    "CB": [("城北五金日杂", [("扫帚簸箕套装", ItemKind.GOODS, 45, "", 20), ("日杂九折", ItemKind.DISCOUNT, 25,
                                                                     "凭积分享受9折", None)])],
}
REDEMPTIONS = 12


def seed(*, rng: random.Random, out) -> None:
    street = Node.objects.filter(code=STREET_CODE).first()
    if street is None:
        return
    tills = []
    for suffix, merchants in MERCHANTS.items():
        community = Node.objects.filter(code=f"{STREET_CODE}-{suffix}").first()
        if community is None:
            continue
        staff = list(
            Person.objects.filter(roles__role=Role.MERCHANT_STAFF, roles__node=community).distinct().order_by("pk")
        )
        for index, (name, items) in enumerate(merchants):
            merchant = services.merchant_create(actor=SYSTEM, name=name, node=community)
            clerk = staff[index % len(staff)] if staff else None
            if clerk is not None:
                services.staff_add(actor=SYSTEM, merchant=merchant, person=clerk)
            created = [
                services.item_create(actor=SYSTEM, merchant=merchant, name=item, kind=kind, points=points,
                                     description=description, stock=stock)
                for item, kind, points, description, stock in items
            ]
            if clerk is not None:
                tills.append((community, merchant, clerk, created))
            if suffix == "DM" and index == 0 and clerk is not None and clerk.user_id:
                out.login("合作商户收银 / Merchant till", clerk.user.username,
                          note=f"{merchant.name} · /rewards/till/")
    _past_redemptions(rng, tills)


def _past_redemptions(rng: random.Random, tills) -> None:
    """A few members who earned points this month spend some of them."""
    for number in range(REDEMPTIONS):
        if not tills:
            return
        community, merchant, clerk, items = rng.choice(tills)
        item = rng.choice(items)
        candidates = list(
            Account.objects.filter(kind=AccountKind.PERSON, balance__gte=item.points + 20,
                                   node__path__startswith=community.path)
            .exclude(person=clerk).order_by("-balance", "pk").values_list("person", flat=True)[:30]
        )
        if not candidates:
            continue
        member = Person.objects.get(pk=rng.choice(candidates))
        services.redeem(actor=clerk, token_string=services.token_issue(person=member).token, item=item,
                        idempotency_key=f"demo-redemption-{number}")
