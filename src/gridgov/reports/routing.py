"""Finding who handles a report: routing rules (data) choose a role, the tree chooses the person.

A report about a micro-grid goes to that micro-grid's grid worker if it has one, else to the worker of
the grid above, and so on up; if no one holding the rule's role is found on the way up, it falls back to
the community cadre above, then the street cadre. Among several candidates at one node, the one with
the fewest open reports gets it (then the earliest registered), so work spreads evenly.
"""

from django.db.models import Count, Q

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
# Whom an overdue item's handler answers to: the cadre one tier up.
CADRE_ABOVE = {
    Role.GRID_WORKER: (Role.COMMUNITY_CADRE, Role.STREET_CADRE),
    Role.GRID_LEADER: (Role.COMMUNITY_CADRE, Role.STREET_CADRE),
    Role.RESIDENT: (Role.COMMUNITY_CADRE, Role.STREET_CADRE),
    Role.COMMUNITY_CADRE: (Role.STREET_CADRE,),
    Role.PARTY_AUDITOR: (Role.STREET_CADRE,),
    Role.STREET_CADRE: (),
    Role.PLATFORM_ADMIN: (),
}


def chain(node: Node) -> list[str]:
    """Paths from ``node`` up to the root, nearest first."""
    return [node.path[:end] for end in range(len(node.path), 0, -Node.steplen)]


def rule_for(*, node: Node, category: Category) -> RoutingRule | None:
    """The most specific rule covering ``node`` and ``category``."""
    rules = RoutingRule.objects.filter(node__path__in=chain(node)).filter(Q(category=category) | Q(category=None))
    return min(rules.select_related("node"), default=None,
               key=lambda rule: (-len(rule.node.path), rule.category_id is None, rule.priority, rule.pk))


def nearest_holder(*, node: Node, roles, exclude: Person | None = None) -> Person | None:
    """The person holding one of ``roles`` at ``node`` or the nearest node above it."""
    paths = chain(node)
    candidates = (
        Person.objects.filter(is_active=True, roles__role__in=list(roles), roles__node__path__in=paths)
        .annotate(open_reports=Count("handled_reports", filter=Q(handled_reports__state__in=OPEN_STATES),
                                     distinct=True))
        .values_list("pk", "roles__node__path", "open_reports")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    ranked = sorted(candidates, key=lambda row: (-len(row[1]), row[2], row[0]))
    return Person.objects.get(pk=ranked[0][0]) if ranked else None


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


def cadre_above(*, node: Node, role: str | None) -> Person | None:
    """The cadre one tier above a handler of ``role`` (used for level-2 alerts)."""
    for candidate_role in CADRE_ABOVE.get(role or Role.GRID_WORKER, ()):
        if person := nearest_holder(node=node, roles=[candidate_role]):
            return person
    return None


def role_at(*, person: Person | None, node: Node) -> str | None:
    """The role by which ``person`` covers ``node`` (the deepest), e.g. to know whom they answer to."""
    if person is None:
        return None
    row = (person.roles.filter(node__path__in=chain(node)).order_by("-node__depth").values_list("role", flat=True)
           .first())
    return row or person.roles.order_by("-node__depth").values_list("role", flat=True).first()


def _level_of(role: str) -> int:
    if role in (Role.COMMUNITY_CADRE,):
        return EscalationLevel.COMMUNITY
    if role in (Role.STREET_CADRE, Role.PLATFORM_ADMIN):
        return EscalationLevel.STREET
    return EscalationLevel.GRID
