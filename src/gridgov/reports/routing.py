"""Finding who handles a report: routing rules (data) choose a role, the tree chooses the person.

A report about a micro-grid goes to that micro-grid's grid worker if it has one, else to the worker of
the grid above, and so on up; if no one holding the rule's role is found on the way up, it falls back to
the community cadre above, then the street cadre. Among several candidates at one node, the one with
the fewest open reports gets it (then the earliest registered), so work spreads evenly.
"""

from django.db.models import Count, Q

from gridgov.orgs import tree
from gridgov.orgs.models import Node, Person, Role
from gridgov.reports.models import OPEN_STATES, Category, EscalationLevel, RoutingRule

DEFAULT_ROLE = Role.GRID_WORKER
FALLBACK_ROLES = (Role.COMMUNITY_CADRE, Role.STREET_CADRE, Role.PLATFORM_ADMIN)
# The role that takes a report escalated to each level.
ESCALATION_ROLES = {
    EscalationLevel.GRID: (Role.GRID_WORKER, Role.GRID_LEADER),
    EscalationLevel.COMMUNITY: (Role.COMMUNITY_CADRE,),
    EscalationLevel.STREET: (Role.STREET_CADRE,),
}
# Among several possible handlers at one node, the one with the fewest open reports takes the next.
OPEN_REPORTS = Count("handled_reports", filter=Q(handled_reports__state__in=OPEN_STATES), distinct=True)


def rule_for(*, node: Node, category: Category) -> RoutingRule | None:
    """The most specific rule covering ``node`` and ``category``."""
    rules = (RoutingRule.objects.filter(node__path__in=tree.ancestor_paths(node.path))
             .filter(Q(category=category) | Q(category=None)))
    return min(rules.select_related("node"), default=None,
               key=lambda rule: (-len(rule.node.path), rule.category_id is None, rule.priority, rule.pk))


def nearest_holder(*, node: Node, roles, exclude: Person | None = None) -> Person | None:
    """The person holding one of ``roles`` at ``node`` or the nearest node above it, the least busy first."""
    return tree.nearest_holder(node=node, roles=roles, exclude=exclude, busyness=OPEN_REPORTS)


def route(*, node: Node, category: Category) -> tuple[Person | None, RoutingRule | None, int]:
    """(handler, the rule used, escalation level) for a new report."""
    rule = rule_for(node=node, category=category)
    role = rule.handler_role if rule else DEFAULT_ROLE
    roles = [role] + [fallback for fallback in FALLBACK_ROLES if fallback != role]
    for candidate_role in roles:
        if handler := nearest_holder(node=node, roles=[candidate_role]):
            return handler, rule, _level_of(candidate_role)
    return None, rule, EscalationLevel.GRID


def escalation_target(*, node: Node, level: int, current: Person | None) -> Person | None:
    """Who takes the report at escalation ``level`` (community cadre, then street cadre)."""
    return nearest_holder(node=node, roles=ESCALATION_ROLES[EscalationLevel(level)], exclude=current)


def _level_of(role: str) -> int:
    if role in (Role.COMMUNITY_CADRE,):
        return EscalationLevel.COMMUNITY
    if role in (Role.STREET_CADRE, Role.PLATFORM_ADMIN):
        return EscalationLevel.STREET
    return EscalationLevel.GRID
