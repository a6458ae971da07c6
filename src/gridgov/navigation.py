"""The main menu: one list of entries, each shown to people holding a role that may do its action.

Scope is not checked here (a menu entry is a door, not a permission): every page checks scope itself.
An app adds its pages by adding entries; the order here is the order on screen.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.permissions import ACTIONS, assignments_of


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    action: str


MENU = [
    MenuEntry("tasks:square", _("Task square"), "task.claim"),
    MenuEntry("tasks:mine", _("My tasks"), "task.claim"),
    MenuEntry("tasks:published", _("Published tasks"), "task.publish"),
    MenuEntry("tasks:evaluation_queue", _("Evaluation queue"), "task.evaluate"),
    MenuEntry("tasks:audit_queue", _("Audit queue"), "task.audit"),
    MenuEntry("tasks:notices", _("Notices"), "node.view"),
    MenuEntry("reports:new", _("Report a problem"), "report.file"),
    MenuEntry("reports:mine", _("My reports"), "report.file"),
    MenuEntry("reports:queue", _("Work orders"), "report.handle"),
    MenuEntry("reports:alerts", _("Alerts"), "report.view"),
    MenuEntry("ledger:mine", _("My points"), "points.view_own"),
    MenuEntry("rewards:my_code", _("My points code"), "points.view_own"),
    MenuEntry("ledger:ranking", _("Ranking"), "points.view_own"),
    MenuEntry("ledger:award", _("Award points"), "points.grant"),
    MenuEntry("ledger:budgets", _("Budgets"), "points.budget"),
    MenuEntry("rewards:merchants", _("Merchants"), "rewards.manage"),
    MenuEntry("rewards:till", _("Merchant till"), "rewards.redeem"),
    MenuEntry("rewards:dividend", _("Dividends"), "rewards.dividend"),
    MenuEntry("indices:mine", _("My index"), "points.view_own"),
    MenuEntry("indices:home", _("Indices and colour codes"), "indices.view"),
    MenuEntry("tree", _("Organisation tree"), "person.view"),
    MenuEntry("excel_import", _("Excel import"), "orgs.import"),
    MenuEntry("geo:boundaries", _("Boundaries"), "geo.manage"),
    MenuEntry("oversight:dashboard", _("Oversight"), "audit.view"),
]


@dataclass(frozen=True)
class MenuLink:
    url: str
    label: str
    current: bool


def menu_for(person, path: str) -> list[MenuLink]:
    """The entries ``person``'s roles open, with the one whose URL is the longest prefix of ``path`` current."""
    if person is None or not person.is_active:
        return []
    held = {role for role, _node_id, _path in assignments_of(person)}
    entries = []
    for entry in MENU:
        if entry.action in ACTIONS and held & ACTIONS[entry.action]:
            try:
                entries.append((reverse(entry.url_name), entry.label))
            except NoReverseMatch:
                continue
    current = max((url for url, _label in entries if path.startswith(url)), key=len, default=None)
    return [MenuLink(url, label, url == current) for url, label in entries]
