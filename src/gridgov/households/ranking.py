"""Monthly household inspections, the village ranking and the red/black list (红黑榜) of the village board.

Inspection indicators are data (``InspectionItem``); grid workers score each household once a month (a second
scoring of the same month is a correction: it replaces the first, audited before/after). The ranking of a
village for a month orders its inspected households by total (equal totals share a rank); the red list is the
first ``red_count``, the black list the lowest ``black_count`` under ``black_below``. A household's points
are the governance points its current members earned that month (the ledger's earned totals).
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import Rank
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record
from gridgov.errors import Invalid, refusal
from gridgov.households.models import Household, Inspection, InspectionItem, Membership, NameDisplay, VillageBoard
from gridgov.ledger.selectors import earned_by_people
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import require


def month_of(value: date | None = None) -> date:
    return (value or timezone.localdate()).replace(day=1)


def inspection_record(*, actor, household: Household, scores: dict, month: date | None = None,
                      now=None) -> Inspection:
    """Score ``household`` for ``month`` (this month by default; never a future one)."""
    grant = require(actor, "household.inspect", household)
    now = now or timezone.now()
    month = month_of(month)
    if month > month_of(timezone.localdate(now)):
        raise Invalid(_("A month that has not begun cannot be inspected."))
    items = {item.code: item for item in InspectionItem.objects.filter(is_active=True)}
    if not isinstance(scores, dict) or set(scores) != set(items):
        raise refusal("unknown_item", _("Score every inspection item, and only those: %(items)s.")
                      % {"items": "、".join(item.label for item in items.values())})
    checked = {}
    for code, value in scores.items():
        try:
            score = int(value)
        except (TypeError, ValueError):
            score = -1
        if not 0 <= score <= items[code].max_score or str(value).strip() != str(score):
            raise Invalid(_("%(item)s is scored from 0 to %(max)d.") % {"item": items[code].label,
                                                                       "max": items[code].max_score})
        checked[code] = score
    with transaction.atomic():
        before = Inspection.objects.select_for_update().filter(household=household, month=month).first()
        fields = {"scores": checked, "total": sum(checked.values()), "inspector": actor, "node": household.node,
                  "inspected_at": now}
        if before is not None and before.scores == checked:
            return before
        inspection, _created = Inspection.objects.update_or_create(household=household, month=month, defaults=fields)
        audit_record(actor=actor, role=grant.role, action="household.inspect", target=household,
                     before={"month": month, "scores": before.scores} if before else None,
                     after={"month": month, "scores": checked, "total": inspection.total})
    return inspection


@dataclass
class Ranked:
    rank: int
    household_id: int
    house_number: str
    total: int
    head_name: str
    points: int = 0

    def shown(self, display: str) -> str:
        if display == NameDisplay.HOUSE_NUMBER or not self.head_name:
            return self.house_number
        name = self.head_name if display == NameDisplay.FULL else self.head_name[:1] + "*" * max(
            len(self.head_name) - 1, 1)
        return f"{name}家 · {self.house_number}"


def board_of(node: Node) -> VillageBoard:
    """The node's board settings (unsaved defaults when it has none)."""
    return VillageBoard.objects.filter(node=node).first() or VillageBoard(node=node)


def ranking(*, node: Node, month: date, limit: int | None = None) -> list[Ranked]:
    """``node``'s inspected households for ``month``, best first, with equal totals sharing a rank; each with its
    members' governance points of the month."""
    rows = (Inspection.objects.filter(month=month, node__path__startswith=node.path)
            .annotate(rank=Window(Rank(), order_by=F("total").desc()))
            .order_by("rank", "household__house_number", "household_id")
            .values_list("rank", "household_id", "household__house_number", "total"))
    rows = list(rows[:limit] if limit else rows)
    return _with_heads_and_points([Ranked(*row, head_name="") for row in rows], month)


def with_heads_and_points(rows: list[Ranked], month: date) -> list[Ranked]:
    """Fill each row's head's name and its current members' governance points of ``month`` (two queries)."""
    ids = [row.household_id for row in rows]
    members = list(Membership.objects.filter(household_id__in=ids, moved_out__isnull=True)
                   .values_list("household_id", "person_id", "relation", "person__name"))
    points = earned_by_people([person_id for _h, person_id, _r, _n in members], period_prefix=f"{month:%Y-%m}")
    heads, totals = {}, {}
    for household_id, person_id, relation, name in members:
        totals[household_id] = totals.get(household_id, 0) + points.get(person_id, 0)
        if relation == "head":
            heads[household_id] = name
    for row in rows:
        row.head_name, row.points = heads.get(row.household_id, ""), totals.get(row.household_id, 0)
    return rows


_with_heads_and_points = with_heads_and_points  # the name ``ranking`` calls it by


def red_and_black(*, node: Node, month: date) -> tuple[list[Ranked], list[Ranked]]:
    board = board_of(node)
    ranked = ranking(node=node, month=month)
    red = ranked[:board.red_count]
    red_ids = {row.household_id for row in red}
    low = [row for row in reversed(ranked) if row.total < board.black_below and row.household_id not in red_ids]
    return red, low[:board.black_count]


def households_ranked(month: date | None = None) -> int:
    return Inspection.objects.filter(month=month_of(month)).count()
