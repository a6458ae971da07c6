"""Reading merchants, catalogues, redemptions and settlements."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gridgov.orgs.models import Node, Person, Role
from gridgov.orgs.permissions import SYSTEM, can, role_paths
from gridgov.orgs.tree import ancestor_paths, people_under, under
from gridgov.rewards.errors import RewardsRefusal
from gridgov.rewards.models import CatalogueItem, Merchant, MerchantStaff, Redemption

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Month:
    """A calendar month in the installation's time zone (Asia/Shanghai), e.g. ``2026-11``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None) -> "Month":
        if not text:
            today = timezone.localdate()
            return cls(today.year, today.month)
        match = PERIOD_PATTERN.match(str(text).strip())
        if not match or not (1 <= int(match[2]) <= 12) or not (2000 <= int(match[1]) <= 2999):
            raise RewardsRefusal("invalid_period")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime(self.year, self.month, 1))

    @property
    def end(self) -> datetime:
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return timezone.make_aware(datetime(following.year, following.month, 1))


def merchants_of_staff(person: Person):
    """The merchants whose till ``person`` works."""
    if person is None:
        return Merchant.objects.none()
    return Merchant.objects.filter(staff__person=person).select_related("node").order_by("name")


def is_staff_of(person: Person, merchant: Merchant) -> bool:
    return person is not None and MerchantStaff.objects.filter(merchant=merchant, person=person).exists()


def may_view_settlement(person, merchant: Merchant) -> bool:
    """Cadres and supervisors over the merchant's area, and the merchant's own staff."""
    if person is SYSTEM or can(person, "rewards.settlement", merchant):
        return True
    return can(person, "rewards.redeem", merchant) and is_staff_of(person, merchant)


def catalogue(merchant: Merchant, *, include_inactive: bool = False):
    items = CatalogueItem.objects.filter(merchant=merchant)
    if not include_inactive:
        items = items.filter(is_active=True).filter(Q(stock__isnull=True) | Q(stock__gt=0))
    return items.order_by("points", "name")


def merchants_for_member(person: Person):
    """The active merchants where ``person`` may spend points: those whose area covers one of their roles' nodes."""
    paths = {prefix for path in role_paths(person) for prefix in ancestor_paths(path)}
    return Merchant.objects.filter(node__path__in=paths, is_active=True).select_related("node").annotate(
        item_count=Count("items", filter=Q(items__is_active=True))).order_by("-item_count", "name")


def redemptions_today(merchants, *, now=None):
    """Today's redemptions at ``merchants`` (Asia/Shanghai days), newest first."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (Redemption.objects.filter(merchant__in=merchants, created_at__gte=start)
            .select_related("member", "merchant").order_by("-created_at", "-id"))


def redemptions_of(person: Person):
    return Redemption.objects.filter(member=person).select_related("merchant").order_by("-created_at", "-id")


@dataclass(frozen=True)
class SettlementLine:
    item_name: str
    count: int
    points: int


@dataclass(frozen=True)
class Settlement:
    """What a merchant took in points in one month: every redemption, per-item lines and totals."""

    merchant: Merchant
    period: Month
    redemptions: list
    lines: list[SettlementLine]
    count: int
    points: int


def settlement(*, merchant: Merchant, period: Month | str | None) -> Settlement:
    period = period if isinstance(period, Month) else Month.parse(period)
    redemptions = Redemption.objects.filter(
        merchant=merchant, created_at__gte=period.start, created_at__lt=period.end
    ).select_related("member", "staff")
    lines = [
        SettlementLine(item_name=row["item_name"], count=row["count"], points=row["points"])
        for row in redemptions.order_by().values("item_name").annotate(count=Count("pk"), points=Sum("points"))
        .order_by("-points", "item_name")
    ]
    rows = list(redemptions.order_by("created_at", "id"))
    return Settlement(
        merchant=merchant, period=period, redemptions=rows, lines=lines,
        count=len(rows), points=sum(row.points for row in rows),
    )


def rewards_stats() -> dict:
    """Counts for ``gridgov stats``: merchants, redemptions and the points spent through them."""
    totals = Redemption.objects.aggregate(count=Count("pk"), points=Sum("points"))
    return {
        "merchants": Merchant.objects.count(),
        "merchants_active": Merchant.objects.filter(is_active=True).count(),
        "catalogue_items": CatalogueItem.objects.filter(is_active=True).count(),
        "redemptions": totals["count"] or 0,
        "redemption_points": totals["points"] or 0,
    }


# The kinds of node a merchant may belong to: the whole street, or one community, village or cooperative.
MERCHANT_NODE_KINDS = ["street", "community", "village", "cooperative"]


def merchants_managed_by(person):
    """The merchants in ``person``'s management area, with their catalogue and staff counts."""
    paths = role_paths(person, "rewards.manage")
    if not paths:
        return Merchant.objects.none()
    return (
        Merchant.objects.filter(under(paths, "node__path")).select_related("node")
        .annotate(item_count=Count("items", distinct=True), staff_count=Count("staff", distinct=True))
        .order_by("node__path", "name")
    )


def merchant_nodes_for(person):
    """Nodes where ``person`` may open a merchant: streets, communities, villages, cooperatives in their area."""
    paths = role_paths(person, "rewards.manage")
    if not paths:
        return Node.objects.none()
    return Node.objects.filter(under(paths, "path"), kind__in=MERCHANT_NODE_KINDS).order_by("path")


def staff_links(merchant: Merchant):
    return MerchantStaff.objects.filter(merchant=merchant).select_related("person").order_by("created_at", "pk")


def staff_candidates(*, person, merchant: Merchant, query: str = "", limit: int = 20) -> list[Person]:
    """People in ``person``'s area who could work the till: by name or pinyin initials, else those already
    holding ``merchant_staff``. People already linked to this merchant are left out."""
    paths = role_paths(person, "rewards.manage")
    if not paths:
        return []
    query = (query or "").strip()[:50]
    if query:
        match = Q(name__contains=query)
        if query.isascii() and query.isalnum():
            match |= Q(name_initials__startswith=query.lower())
        people = people_under(paths).filter(match)
    else:
        people = people_under(paths, roles=[Role.MERCHANT_STAFF])
    people = people.exclude(merchant_links__merchant=merchant)
    return list(people.order_by("name_initials", "pk")[:limit])


def may_be_staff_of(*, manager, candidate: Person) -> bool:
    """Whether ``candidate`` holds any role in ``manager``'s area (the people the staff search offers)."""
    paths = role_paths(manager, "rewards.manage")
    return people_under(paths).filter(pk=candidate.pk).exists()
