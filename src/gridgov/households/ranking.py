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
from django.db.models import Count, Q
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


def _inspected(node: Node, month: date):
    return Inspection.objects.filter(month=month, node_id__in=Node.objects.filter(path__startswith=node.path)
                                     .values("pk"))


def ranking(*, node: Node, month: date, limit: int | None = None, offset: int = 0) -> list[Ranked]:
    """``node``'s inspected households for ``month``, best first, with equal totals sharing a rank; each with its
    members' governance points of the month. With a ``limit``, only the rows down to the lowest total that page
    shows are read (an index walk from the best), so the first page of a big village costs what a small one does;
    every row above is read too, so ranks are the village's own."""
    if limit == 0:
        return []
    inspected = _inspected(node, month)
    if limit is not None:
        lowest = list(inspected.order_by("-total").values_list("total", flat=True)[offset + limit - 1:offset + limit])
        if lowest:
            inspected = inspected.filter(total__gte=lowest[0])
    rows = inspected.order_by("-total", "household__house_number", "household_id").values_list(
        "household_id", "household__house_number", "total")
    ranked, previous = [], None
    for place, (household_id, house_number, total) in enumerate(rows, start=1):
        rank = ranked[-1].rank if previous == total else place
        ranked.append(Ranked(rank, household_id, house_number, total, head_name=""))
        previous = total
    ranked = ranked[offset:offset + limit] if limit is not None else ranked[offset:]
    return with_heads_and_points(ranked, month)


class RankingPage:
    """A village's ranking as the API's ``page`` reads it: a slice reads only down to that page, ``count`` counts."""

    def __init__(self, *, node: Node, month: date):
        self.node, self.month = node, month

    def __getitem__(self, chosen: slice) -> list[Ranked]:
        return ranking(node=self.node, month=self.month, limit=chosen.stop - chosen.start, offset=chosen.start)

    def count(self) -> int:
        return _inspected(self.node, self.month).count()


def with_heads_and_points(rows: list[Ranked], month: date) -> list[Ranked]:
    """Fill each row's head's name and its current members' governance points of ``month`` (three queries)."""
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




def red_and_black(*, node: Node, month: date) -> tuple[list[Ranked], list[Ranked]]:
    """The board's red list (the best ``red_count``) and black list (the lowest ``black_count`` under
    ``black_below``, lowest first, never one already on the red list)."""
    board = board_of(node)
    red = ranking(node=node, month=month, limit=board.red_count)
    red_ids = {row.household_id for row in red}
    inspected = _inspected(node, month)
    lowest = [row for row in inspected.filter(total__lt=board.black_below)
              .order_by("total", "-household__house_number", "-household_id")
              .values_list("household_id", "household__house_number", "total")[:board.black_count + len(red)]
              if row[0] not in red_ids][:board.black_count]
    totals = sorted({total for _id, _number, total in lowest})
    above = inspected.aggregate(**{f"over_{total}": Count("pk", filter=Q(total__gt=total)) for total in totals})
    black = [Ranked(above[f"over_{total}"] + 1, household_id, house_number, total, head_name="")
             for household_id, house_number, total in lowest]
    return red, with_heads_and_points(black, month)


def households_ranked(month: date | None = None) -> int:
    return Inspection.objects.filter(month=month_of(month)).count()
