"""What waits for a person in the role they act in: a few counts, each a link to the list behind it, and the first
items of the lists that matter most. Every block costs a fixed number of queries, whatever the size of the area.

The workbench reads other apps only through their selectors (it is a reader on the top floor, like oversight).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.selectors import open_alerts_counted
from gridgov.ledger import journal
from gridgov.ledger import selectors as ledger
from gridgov.ledger.aggregates import level_column
from gridgov.orgs.models import Node, Role
from gridgov.orgs.permissions import role_paths
from gridgov.orgs.selectors import ancestors
from gridgov.pages import COUNT_AT_MOST
from gridgov.reports import selectors as reports
from gridgov.reports.models import OPEN_STATES
from gridgov.rewards import selectors as rewards
from gridgov.sql import at_most_text, count_at_most
from gridgov.tasks import selectors as tasks
from gridgov.tasks.models import INACTIVE_CLAIM_STATES, ClaimState

DUE_SOON = timedelta(days=3)  # a claim due within this shows as due soon on the worker's workbench
PREVIEW = 3  # items shown from each list


@dataclass(frozen=True)
class Figure:
    """A count and the list behind it. ``value`` counts ``waiting`` (a queryset or a number) no further than one
    past ``COUNT_AT_MOST``, as the list's pager does: a large street's queues have no bound (issue 18)."""

    label: str
    waiting: object
    url: str
    urgent: bool = False  # shown in the alert colour when there is something to do
    unit: str = ""

    @cached_property
    def value(self) -> int:
        return count_at_most(self.waiting, COUNT_AT_MOST)

    @property
    def text(self) -> str:
        return at_most_text(self.value, COUNT_AT_MOST)


@dataclass
class Workbench:
    template: str
    figures: list[Figure] = field(default_factory=list)
    context: dict = field(default_factory=dict)


def workbench_for(person, role: str, *, now=None) -> Workbench:
    now = now or timezone.now()
    builder = {
        Role.GRID_WORKER: _worker, Role.GRID_LEADER: _worker, Role.RESIDENT: _resident,
        Role.MERCHANT_STAFF: _merchant, Role.COMMUNITY_CADRE: _community_cadre, Role.PARTY_AUDITOR: _auditor,
        Role.STREET_CADRE: _street_cadre, Role.SUPERVISOR: _supervisor, Role.PLATFORM_ADMIN: _admin,
    }[role]
    return builder(person, now)


def places_of(person, role: str) -> list[Node]:
    """Where the person holds ``role`` (their grid, their community …), outermost first."""
    return list(Node.objects.filter(path__in=role_paths(person, roles=[role])).order_by("depth", "path"))


def points_figures(person) -> dict:
    """This month's points, the balance and the rank in the person's grid (or the nearest ranking level)."""
    period = journal.current_period()
    home = ledger.points_home(person)
    levels = [level for level in ([*ancestors(home), home] if home else []) if level_column(level)]
    level = levels[-1] if levels else None
    rank = ledger.rank_of(person=person, node=level, period=period) if level else None
    return {"earned": ledger.earned_in(person=person, period=period),
            "balance": ledger.balance_of(ledger.person_account(person)), "rank": rank, "rank_level": level}


def _worker(person, now) -> Workbench:
    square = tasks.task_square(person=person, now=now)
    active = tasks.claims_of(worker=person).exclude(state__in=(*INACTIVE_CLAIM_STATES, ClaimState.AUDITED))
    to_hand_in = active.filter(state__in=(ClaimState.CLAIMED, ClaimState.REJECTED))
    due_soon = to_hand_in.filter(due_at__lte=now + DUE_SOON).order_by("due_at", "pk")
    orders = reports.handler_queue(person=person)
    figures = [
        Figure(str(_("Tasks to claim")), square, reverse("tasks:square")),
        Figure(str(_("Due within 3 days")), due_soon, reverse("tasks:mine"), urgent=True),
        Figure(str(_("My work orders")), orders, reverse("reports:queue"), urgent=True),
        Figure(str(_("My alerts")), open_alerts_counted(person=person, at_most=COUNT_AT_MOST), reverse("reports:alerts"), urgent=True),
    ]
    return Workbench("workbench/worker.html", figures, {
        "points": points_figures(person), "due_soon": list(due_soon[:PREVIEW]),
        "new_tasks": list(square[:PREVIEW]), "orders": list(orders[:PREVIEW]),
    })


def _resident(person, now) -> Workbench:
    mine = reports.reports_of(reporter=person)
    open_reports = mine.filter(state__in=OPEN_STATES)
    figures = [
        Figure(str(_("My open reports")), open_reports, reverse("reports:mine")),
    ]
    return Workbench("workbench/resident.html", figures, {
        "points": points_figures(person), "reports": list(mine[:PREVIEW]),
        "notices": list(tasks.notices_for(person=person)[:PREVIEW]),
        "merchants": list(rewards.merchants_for_member(person)[:PREVIEW]),
    })


def _merchant(person, now) -> Workbench:
    merchants = list(rewards.merchants_of_staff(person))
    today = rewards.redemptions_today(merchants, now=now)
    rows = list(today[:20])
    return Workbench("workbench/merchant.html", [], {
        "merchants": merchants, "today": rows, "today_count": today.count(),
        "today_points": sum(row.points for row in rows) if len(rows) < 20 else None,
    })


def _cadre_figures(person, now) -> list[Figure]:
    visible = reports.reports_visible_to(person=person).filter(state__in=OPEN_STATES)
    return [
        Figure(str(_("To evaluate")), tasks.evaluation_queue(person=person),
               reverse("tasks:evaluation_queue"), urgent=True),
        Figure(str(_("Open work orders")), visible, reverse("reports:queue")),
        Figure(str(_("Work orders overdue")), visible.filter(due_at__lte=now), reverse("reports:queue"),
               urgent=True),
        Figure(str(_("My alerts")), open_alerts_counted(person=person, at_most=COUNT_AT_MOST), reverse("reports:alerts"), urgent=True),
    ]


def _budgets(person) -> list:
    """This month's budgets where the person may grant points, with what is left."""
    nodes = Node.objects.filter(path__in=role_paths(person, "points.grant"))
    return list(ledger.budgets_for(nodes, journal.current_period()))


def _community_cadre(person, now) -> Workbench:
    return Workbench("workbench/cadre.html", _cadre_figures(person, now), {
        "evaluations": list(tasks.evaluation_queue(person=person)[:5]), "budgets": _budgets(person),
        "overdue": list(tasks.overdue_for(person=person, now=now)[:5]),
    })


def _auditor(person, now) -> Workbench:
    queue = tasks.audit_queue(person=person)
    figures = [Figure(str(_("To audit")), queue, reverse("tasks:audit_queue"), urgent=True)]
    return Workbench("workbench/auditor.html", figures, {"claims": list(queue[:6]), "budgets": _budgets(person)})


def _street_cadre(person, now) -> Workbench:
    street = Node.objects.filter(path__in=role_paths(person, "task.publish")).order_by("depth").first()
    published = tasks.tasks_published_in(person=person)
    figures = [
        *_cadre_figures(person, now),
        Figure(str(_("Tasks open")), published.filter(status="open", deadline__gt=now),
               reverse("tasks:published")),
    ]
    return Workbench("workbench/street.html", figures, {
        "levels": reports.overdue_by_level(node=street, now=now) if street else [], "street": street,
        "handling_days": reports.HANDLING_WINDOW_DAYS,
        "levels_link": (reverse("reports:queue"), _("Work orders")),
        "budgets": _budgets(person), "overdue": list(tasks.overdue_for(person=person, now=now)[:5]),
    })


def _supervisor(person, now) -> Workbench:
    area = Node.objects.filter(path__in=role_paths(person, "audit.view")).order_by("depth").first()
    figures = [
        Figure(str(_("Alerts escalated")), open_alerts_counted(person=person, at_most=COUNT_AT_MOST), reverse("reports:alerts"), urgent=True),
    ]
    return Workbench("workbench/supervisor.html", figures, {
        "levels": reports.overdue_by_level(node=area, now=now) if area else [], "area": area,
        "handling_days": reports.HANDLING_WINDOW_DAYS,
        "levels_link": (reverse("oversight:dashboard"), _("Oversight")),
    })


def _admin(person, now) -> Workbench:
    return Workbench("workbench/admin.html", _cadre_figures(person, now), {"budgets": _budgets(person)})
