"""The page shell's navigation: one list of entries, grouped, each shown to the role a person is acting in.

A person may hold several roles (a community cadre who is also a resident); they act in one at a time and
switch in the header (``acting_role``). Phone roles (grid workers, residents, merchant staff) get the phone
shell: a bottom tab bar of at most five entries and a "我的" page with the rest. Cadres get the desktop shell:
a side navigation grouped by area, with badges for what waits. Scope is not checked here (a menu entry is a
door, not a permission): every page checks scope itself. Badges are counters the apps register
(``register_badge``), so this module knows no app's tables.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import ACTIONS, assignments_of
from gridgov.sql import at_most_text, count_at_most

PHONE_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.RESIDENT, Role.MERCHANT_STAFF})
# The role a person acts in unless they chose another: the one with the widest work first.
ROLE_ORDER = [Role.PLATFORM_ADMIN, Role.STREET_CADRE, Role.COMMUNITY_CADRE, Role.PARTY_AUDITOR, Role.SUPERVISOR,
              Role.GRID_LEADER, Role.GRID_WORKER, Role.MERCHANT_STAFF, Role.RESIDENT]
SESSION_KEY = "gridgov_acting_role"


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str
    action: str  # shown to roles that may do this action (orgs.permissions), in their area
    group: str
    icon: str  # a symbol of static/gridgov/icons.svg
    badge: str = ""  # the name of a registered counter of what waits behind the entry


GROUPS = {
    "work": _("Workbench"),
    "tasks": _("Tasks"),
    "reports": _("Reports"),
    "bookings": _("Bases"),
    "volunteers": _("Volunteers"),
    "households": _("Households"),
    "points": _("Points"),
    "indices": _("Indices"),
    "orgs": _("Organisation"),
    "oversight": _("Oversight"),
}

MENU = [
    Entry("home", _("Workbench"), "node.view", "work", "home"),
    Entry("cockpit:cockpit", _("Cockpit"), "cockpit.view", "work", "gauge"),
    Entry("cockpit:map", _("Map"), "cockpit.view", "work", "map"),
    Entry("notifications:inbox", _("Messages"), "node.view", "work", "bell"),
    Entry("tasks:square", _("Task square"), "task.claim", "tasks", "task"),
    Entry("tasks:mine", _("My tasks"), "task.claim", "tasks", "list", badge="claims_due"),
    Entry("tasks:published", _("Published tasks"), "task.publish", "tasks", "megaphone"),
    Entry("tasks:evaluation_queue", _("Evaluation queue"), "task.evaluate", "tasks", "check", badge="evaluations"),
    Entry("tasks:audit_queue", _("Audit queue"), "task.audit", "tasks", "shield-check", badge="audits"),
    Entry("tasks:overdue", _("Overdue work"), "task.view", "tasks", "clock"),
    Entry("tasks:notices", _("Notices"), "node.view", "tasks", "bell"),
    Entry("reports:new", _("Report a problem"), "report.file", "reports", "camera"),
    Entry("reports:mine", _("My reports"), "report.file", "reports", "inbox"),
    Entry("reports:queue", _("Work orders"), "report.handle", "reports", "clipboard", badge="work_orders"),
    Entry("reports:alerts", _("Alerts"), "report.view", "reports", "alert", badge="alerts"),
    Entry("bookings:catalogue", _("Education bases"), "node.view", "bookings", "map"),
    Entry("bookings:mine", _("My bookings"), "booking.book", "bookings", "list"),
    Entry("bookings:queue", _("Bookings to review"), "booking.review", "bookings", "check", badge="booking_reviews"),
    Entry("bookings:liaison", _("Visits I accompany"), "booking.liaise", "bookings", "user"),
    Entry("volunteers:square", _("Volunteer needs"), "volunteer.serve", "volunteers", "heart", badge="volunteer_square"),
    Entry("volunteers:new", _("Ask for help"), "volunteer.need", "volunteers", "megaphone"),
    Entry("volunteers:mine", _("My needs and services"), "volunteer.serve", "volunteers", "list"),
    Entry("volunteers:hours", _("My volunteer hours"), "volunteer.join", "volunteers", "clock"),
    Entry("volunteers:needs", _("Needs in my area"), "volunteer.view", "volunteers", "clipboard"),
    Entry("volunteers:shortfall", _("Yearly hours rule"), "volunteer.view", "volunteers", "check"),
    Entry("volunteers:ranking", _("Volunteer ranking"), "volunteer.view", "volunteers", "rank"),
    Entry("volunteers:service_days", _("Service days"), "volunteer.manage", "volunteers", "clock"),
    Entry("volunteers:callouts", _("Call-outs"), "volunteer.serve", "volunteers", "alert"),
    Entry("households:list", _("Households"), "household.view", "households", "home"),
    Entry("households:linked", _("Households I serve"), "household.visit", "households", "user", badge="visits_due"),
    Entry("households:patrol", _("Patrol check-in"), "household.patrol", "households", "clock"),
    Entry("households:coverage", _("Link coverage"), "household.link", "households", "chart"),
    Entry("households:patrols", _("Missed patrols"), "household.patrol_view", "households", "alert"),
    Entry("households:ranking", _("Household ranking"), "household.view", "households", "rank"),
    Entry("households:bulletin", _("Village bulletin"), "household.bulletin", "households", "rank"),
    Entry("households:branch_records", _("Branch records"), "household.branch_record", "households", "chart"),
    Entry("households:credit", _("Credit export"), "household.credit_consent", "households", "chart"),
    Entry("households:mine", _("My household"), "household.own", "households", "home"),
    Entry("ledger:mine", _("My points"), "points.view_own", "points", "coins"),
    Entry("rewards:my_code", _("My points code"), "points.view_own", "points", "qr"),
    Entry("ledger:ranking", _("Ranking"), "points.view_own", "points", "rank"),
    Entry("rewards:till", _("Merchant till"), "rewards.redeem", "points", "scan"),
    Entry("ledger:award", _("Award points"), "points.grant", "points", "gift"),
    Entry("ledger:budgets", _("Budgets"), "points.budget", "points", "wallet"),
    Entry("rewards:merchants", _("Merchants"), "rewards.manage", "points", "shop"),
    Entry("rewards:dividend", _("Dividends"), "rewards.dividend", "points", "coins"),
    Entry("indices:home", _("Indices and colour codes"), "indices.view", "indices", "chart"),
    Entry("indices:mine", _("My index"), "points.view_own", "indices", "star"),
    Entry("indices:record_home", _("Record events"), "indices.record", "indices", "upload"),
    Entry("tree", _("Organisation tree"), "person.view", "orgs", "tree"),
    Entry("excel_import", _("Excel import and export"), "orgs.import", "orgs", "upload"),
    Entry("geo:boundaries", _("Boundaries"), "geo.manage", "orgs", "map"),
    Entry("oversight:dashboard", _("Oversight"), "audit.view", "oversight", "eye"),
    Entry("oversight:audit", _("Audit trail"), "audit.view", "oversight", "search"),
]

# The phone tab bar of each phone role (at most five); "more" is the page with every other entry.
TABS = {
    Role.GRID_WORKER: ["home", "tasks:square", "tasks:mine", "ledger:mine", "more"],
    Role.GRID_LEADER: ["home", "tasks:square", "tasks:mine", "ledger:mine", "more"],
    Role.RESIDENT: ["home", "reports:new", "reports:mine", "rewards:my_code", "more"],
    Role.MERCHANT_STAFF: ["home", "rewards:till", "more"],
}
MORE = Entry("more", _("Me"), "node.view", "work", "user")
TAB_LABELS = {"home": _("Home"), "tasks:square": _("Tasks"), "tasks:mine": _("My tasks"), "ledger:mine": _("Points"),
              "reports:new": _("Report"), "reports:mine": _("My reports"), "rewards:my_code": _("Points code"),
              "rewards:till": _("Till")}

BADGES: dict[str, Callable] = {}


BADGE_AT_MOST = 99  # a badge counts this many and then says "99+": a large street's queue has no bound (issue 18)


def register_badge(name: str, counter: Callable) -> None:
    """``counter(person)``: what waits behind the entries that name ``name``, a queryset (counted here, no further
    than ``BADGE_AT_MOST`` + 1 rows, on every page) or a number."""
    BADGES[name] = counter


def _badge(counter: Callable, person) -> int:
    return count_at_most(counter(person), BADGE_AT_MOST)


@dataclass(frozen=True)
class Link:
    url: str
    label: str
    icon: str
    current: bool = False
    badge: int = 0  # at most BADGE_AT_MOST + 1, which reads "99+"

    @property
    def badge_text(self) -> str:
        return at_most_text(self.badge, BADGE_AT_MOST)


@dataclass
class Shell:
    """What the page shell shows: who, acting as what, and where they can go."""

    role: str = ""
    role_label: str = ""
    roles: list[tuple[str, str]] = field(default_factory=list)  # (role, label) the person may act in
    phone: bool = False
    groups: list[tuple[str, list[Link]]] = field(default_factory=list)
    tabs: list[Link] = field(default_factory=list)


def door(person, url_name: str, role: str | None = None) -> str:
    """The address of the menu entry ``url_name`` if the person (acting in ``role``, or in any role they hold) may
    open it, else "" — for pages that link to other apps' lists only where the link would not answer 403."""
    entry = next((entry for entry in MENU if entry.url_name == url_name), None)
    if entry is None:
        return ""
    allowed = ACTIONS.get(entry.action, frozenset())
    held = {held_role for held_role, _node_id, _path in assignments_of(person)} if person is not None else set()
    if not (held & allowed if role is None else (role in held and role in allowed)):
        return ""
    return reverse(entry.url_name)


def held_roles(person) -> list[str]:
    held = {role for role, _node_id, _path in assignments_of(person)}
    return [role for role in ROLE_ORDER if role in held]


def acting_role(request, person) -> str:
    """The role ``person`` acts in on this request: the one they chose, else the widest they hold."""
    roles = held_roles(person) if person is not None else []
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return chosen if chosen in roles else (roles[0] if roles else "")


def entries_for(role: str) -> list[Entry]:
    return [entry for entry in MENU if entry.action in ACTIONS and role in ACTIONS[entry.action]]


def shell_for(request, person) -> Shell:
    if person is None or not person.is_active:
        return Shell()
    role = acting_role(request, person)
    if not role:
        return Shell(roles=[])
    entries = entries_for(role)
    links = {entry.url_name: _link(entry, person) for entry in entries + [MORE]}
    links = {name: link for name, link in links.items() if link is not None}
    current = max((link.url for link in links.values() if _is_under(request.path, link.url)), key=len, default="")
    links = {name: Link(link.url, link.label, link.icon, link.url == current, link.badge)
             for name, link in links.items()}
    shell = Shell(role=role, role_label=str(Role(role).label), phone=role in PHONE_ROLES,
                  roles=[(held, str(Role(held).label)) for held in held_roles(person)])
    for group, label in GROUPS.items():
        grouped = [links[entry.url_name] for entry in entries if entry.group == group and entry.url_name in links]
        if grouped:
            shell.groups.append((str(label), grouped))
    if shell.phone:
        shell.tabs = [_tab(links[name], name) for name in TABS.get(role, ["home", "more"]) if name in links]
    return shell


def _link(entry: Entry, person) -> Link | None:
    try:
        url = reverse(entry.url_name)
    except NoReverseMatch:
        return None
    counter = BADGES.get(entry.badge)
    return Link(url, str(entry.label), entry.icon, badge=_badge(counter, person) if counter else 0)


def _tab(link: Link, name: str) -> Link:
    return Link(link.url, str(TAB_LABELS.get(name, link.label)), link.icon, link.current, link.badge)


def _is_under(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
