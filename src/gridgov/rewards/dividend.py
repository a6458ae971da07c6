"""The 善治宝 year-end dividend: a village's dividend shared out pro rata to the points earned in a year.

Choices (also stated on the page and in the workbook):

* **Points counted** are points *earned* in the calendar year (Asia/Shanghai): every posting in that
  year that credits or debits a person's account, except redemptions. Grants count, reversals of
  grants subtract; spending points at a merchant does NOT reduce them, so a villager who used points
  for a discount is not paid a smaller dividend for it. A person whose year nets below zero (a
  reversal of last year's grant) counts as zero.
* **Who**: every active person holding a role anywhere in the village's subtree.
* **Households**: persons who share an address (compared after trimming spaces) form one household;
  a person with no address is a household alone. The export allocates either per household
  (the default: collective dividends are paid per 户) or per person; each allocation is exact on its own.
* **Rounding**: largest-remainder method to the cent. Each unit first gets its exact share rounded
  down to the cent; the cents left over go one each to the units with the largest dropped fractions
  (ties: more points first, then list order). Shares therefore sum exactly to the dividend and each is
  within one cent of its exact pro-rata value.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, NodeKind, Person
from gridgov.orgs.tree import people_under
from gridgov.rewards.errors import RewardsRefusal

DIVIDEND_NODE_KINDS = (NodeKind.VILLAGE, NodeKind.COMMUNITY, NodeKind.COOPERATIVE)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000.00")  # a billion yuan: beyond any village's dividend
ROUNDING_RULE = _(
    "Rounding: largest-remainder method to the cent. Each share is first rounded down to the cent; the "
    "cents left over go one each to the largest dropped fractions (ties: more points first). The shares "
    "add up exactly to the dividend and each is within one cent of its exact pro-rata value."
)
POINTS_RULE = _(
    "Points counted: points earned in the year (grants minus reversals). Points spent at merchants do "
    "not reduce them. A year that nets below zero counts as zero."
)


def parse_amount(value) -> Decimal:
    """A positive amount of yuan with at most two decimals, as Decimal, or ``invalid_amount``."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RewardsRefusal("invalid_amount") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        raise RewardsRefusal("invalid_amount")
    return amount.quantize(CENT)


def allocate(amount: Decimal, weights: list[int]) -> list[Decimal]:
    """Split ``amount`` (yuan, two decimals) over ``weights`` by the largest-remainder method.

    Works in whole cents with integers, so nothing is lost to binary floating point; returns Decimals
    that sum exactly to ``amount``.
    """
    cents = int((amount / CENT).to_integral_value(rounding=ROUND_DOWN))
    if cents * CENT != amount:
        raise RewardsRefusal("invalid_amount")
    weights = [max(int(weight), 0) for weight in weights]
    total = sum(weights)
    if total == 0:
        raise RewardsRefusal("no_points")
    floors = [cents * weight // total for weight in weights]
    remainders = [cents * weight % total for weight in weights]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda index: (-remainders[index], -weights[index], index))
    for index in order[:left]:
        floors[index] += 1
    return [Decimal(share) * CENT for share in floors]


UNITS = ("household", "person")


@dataclass(frozen=True)
class DividendRow:
    label: str  # the household's address, or the person's name
    members: list[str]
    points: int
    share: Decimal
    person_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class DividendTable:
    node: Node
    year: int
    amount: Decimal
    unit: str
    rows: list[DividendRow]

    @property
    def total_points(self) -> int:
        return sum(row.points for row in self.rows)

    @property
    def total_share(self) -> Decimal:
        return sum((row.share for row in self.rows), Decimal("0.00"))


def dividend_table(*, node: Node, year: int, amount, unit: str = "household") -> DividendTable:
    """The dividend of ``node`` (a village) for ``year`` shared out per household or per person.

    The caller checks ``rewards.dividend`` on ``node``; this is a read and changes nothing.
    """
    if node.kind not in DIVIDEND_NODE_KINDS:
        raise RewardsRefusal("invalid_node")
    if unit not in UNITS:
        raise RewardsRefusal("invalid_amount", _("Share out per household or per person."))
    if not isinstance(year, int) or not 2000 <= year <= 2999:
        raise RewardsRefusal("invalid_period", _("The year must be written as four digits, e.g. 2026."))
    amount = parse_amount(amount)
    people_in_village = people_under([node.path])
    people = list(people_in_village.order_by("pk"))
    earned = {pk: max(points, 0) for pk, points in points_earned(people_in_village, year=year).items()}
    units: dict[str, list[Person]] = {}
    for person in people:
        key = " ".join(person.address.split()) if unit == "household" else ""
        units.setdefault(key or f"person:{person.pk}", []).append(person)
    groups = sorted(
        units.items(),
        key=lambda pair: (-sum(earned.get(p.pk, 0) for p in pair[1]), pair[0]),
    )
    weights = [sum(earned.get(p.pk, 0) for p in members) for _key, members in groups]
    shares = allocate(amount, weights)
    rows = [
        DividendRow(
            label=members[0].name if (unit == "person" or key.startswith("person:")) else key,
            members=[p.name for p in members],
            points=weight,
            share=share,
            person_ids=[p.pk for p in members],
        )
        for (key, members), weight, share in zip(groups, weights, shares, strict=True)
    ]
    return DividendTable(node=node, year=year, amount=amount, unit=unit, rows=rows)


def points_earned(people, *, year: int) -> dict[int, int]:
    """Person id → points earned in ``year``: the ledger's monthly earned totals (grants less their
    reversals; redemptions are not in them), summed over the year's twelve months."""
    from gridgov.ledger.selectors import earned_by_people

    return earned_by_people(people.values("pk"), period_prefix=f"{year:04d}-")
