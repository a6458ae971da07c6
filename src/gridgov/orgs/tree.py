"""The tree's vocabulary, in one place: paths above and below a node, "under" filters, who holds a role
near a node, whom a role answers to, and which community pays. Other apps use these and never do path
arithmetic or query role assignments themselves.

A node's ``path`` is its ancestors' steps followed by its own (treebeard, ``Node.steplen`` characters a
step), so a node lies under another exactly when its path starts with the other's.
"""

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Substr

from gridgov.orgs.models import Node, NodeKind, Person, Role, RoleAssignment

# The third level: the organisations whose budgets pay for work below them, and where reports stop.
COMMUNITY_KINDS = frozenset({NodeKind.COMMUNITY, NodeKind.VILLAGE, NodeKind.COOPERATIVE})
# The kinds that hold points budgets: the street and the third level.
BUDGET_KINDS = COMMUNITY_KINDS | {NodeKind.STREET}

# Whom a role answers to: the cadre one tier up (for escalated alerts).
ANSWERS_TO = {
    Role.GRID_WORKER: (Role.COMMUNITY_CADRE, Role.STREET_CADRE),
    Role.GRID_LEADER: (Role.COMMUNITY_CADRE, Role.STREET_CADRE),
    Role.RESIDENT: (Role.COMMUNITY_CADRE, Role.STREET_CADRE),
    Role.MERCHANT_STAFF: (Role.COMMUNITY_CADRE, Role.STREET_CADRE),
    Role.COMMUNITY_CADRE: (Role.STREET_CADRE,),
    Role.PARTY_AUDITOR: (Role.STREET_CADRE,),
    Role.STREET_CADRE: (),
    Role.SUPERVISOR: (),
    Role.PLATFORM_ADMIN: (),
}


def ancestor_paths(path: str, *, include_self: bool = True) -> list[str]:
    """The paths from the root down to ``path`` (its own last, unless ``include_self`` is false)."""
    end = len(path) if include_self else len(path) - Node.steplen
    return [path[:stop] for stop in range(Node.steplen, end + 1, Node.steplen)]


def parent_path(path: str) -> str:
    return path[:-Node.steplen]


def path_length(depth: int) -> int:
    """How long the path of a node at ``depth`` is: ``path[:path_length(d)]`` is its ancestor at depth ``d``."""
    return depth * Node.steplen


def ancestor_at(field: str, depth: int) -> Substr:
    """An expression for the path of the ancestor at ``depth`` of the node whose path is in ``field`` (the node's own
    path if it lies higher): group rows by it to count per child, per grid … in one query."""
    return Substr(field, 1, path_length(depth))


def under(paths, field: str = "path") -> Q:
    """Rows whose ``field`` (a node path) lies at or below any of ``paths``. No paths: nothing."""
    condition = Q(pk__in=[])
    for path in set(paths):
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def at_or_above(paths, field: str = "path") -> Q:
    """Rows whose ``field`` (a node path) is one of the nodes at or above any of ``paths``. No paths: nothing."""
    wanted = {prefix for path in paths for prefix in ancestor_paths(path)}
    return Q(**{f"{field}__in": wanted}) if wanted else Q(pk__in=[])


def is_under(path: str, paths) -> bool:
    """Whether ``path`` lies at or below any of ``paths`` (the same rule as ``under``, without a query)."""
    return any(path.startswith(prefix) for prefix in paths)


def holds_role_under(person: Person, node: Node, roles=None) -> bool:
    """Whether ``person`` holds a role (one of ``roles``, if given) at ``node`` or anywhere below it."""
    held = RoleAssignment.objects.filter(person=person, node__path__startswith=node.path)
    if roles is not None:
        held = held.filter(role__in=list(roles))
    return held.exists()


def people_under(paths, roles=None):
    """Active people holding a role (one of ``roles``, if given) at or below any of ``paths`` (no paths: nobody)."""
    held = RoleAssignment.objects.filter(under(paths, "node__path"))
    if roles is not None:
        held = held.filter(role__in=list(roles))
    return Person.objects.filter(is_active=True, pk__in=held.values("person_id"))


# A person's home, where their points rank: the node of their deepest role (the earliest held on a tie).
HOME_ROLE_ORDER = ("-node__depth", "pk")


def home_node(person: Person) -> Node | None:
    """The deepest node at which ``person`` holds a role (their grid or micro-grid), or None."""
    assignment = RoleAssignment.objects.filter(person=person).select_related("node").order_by(*HOME_ROLE_ORDER).first()
    return assignment.node if assignment else None


def home_nodes(person_ids) -> dict[int, int]:
    """``{person id: home node id}`` for the people who hold any role (one query)."""
    homes: dict[int, int] = {}
    rows = (RoleAssignment.objects.filter(person_id__in=list(person_ids)).order_by("person_id", *HOME_ROLE_ORDER)
            .values_list("person_id", "node_id"))
    for person_id, node_id in rows:
        homes.setdefault(person_id, node_id)  # each person's first row is their home
    return homes


def roles_sql(people: str) -> str:
    """Raw SQL (for hot paths that batch in SQL) selecting ``person_id, node id, node path`` of every role of the
    people that ``people`` (a condition over ``r.person_id``) matches, each person's home first."""
    quote = connection.ops.quote_name
    return (f"SELECT r.person_id, n.id, n.path FROM {quote(RoleAssignment._meta.db_table)} r "
            f"JOIN {quote(Node._meta.db_table)} n ON n.id = r.node_id WHERE {people} ORDER BY n.depth DESC, r.id")


def role_holders(roles, *, paths=None):
    """``(person id, node id, node path)`` of every role among ``roles`` held by an active person (at or below
    one of ``paths``, if given), by person and path."""
    held = RoleAssignment.objects.filter(role__in=list(roles), person__is_active=True)
    if paths is not None:
        held = held.filter(under(paths, "node__path"))
    return held.order_by("person_id", "node__path").values_list("person_id", "node_id", "node__path")


def members_per_ancestor(depth: int) -> dict[str, int]:
    """For every node at ``depth``: how many people hold a role in its subtree (one query)."""
    rows = (RoleAssignment.objects.annotate(key=ancestor_at("node__path", depth)).values("key")
            .order_by().annotate(n=Count("person", distinct=True)))
    return {row["key"]: row["n"] for row in rows}


def people_at(node: Node, roles):
    """Active people holding one of ``roles`` at exactly ``node``."""
    held = RoleAssignment.objects.filter(node=node, role__in=list(roles))
    return Person.objects.filter(is_active=True, pk__in=held.values("person_id"))


def nearest_holder(*, node: Node, roles, exclude: Person | None = None, busyness=None) -> Person | None:
    """The active person holding one of ``roles`` at ``node`` or at the nearest node above it.

    Among several at the same node, the least busy wins (``busyness``: an expression counting their open work,
    e.g. open reports), then the earliest registered, so work spreads evenly.
    """
    candidates = Person.objects.filter(is_active=True, roles__role__in=list(roles),
                                       roles__node__path__in=ancestor_paths(node.path))
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    if busyness is not None:
        candidates = candidates.annotate(busy=busyness)
        rows = candidates.values_list("pk", "roles__node__path", "busy")
    else:
        rows = ((pk, path, 0) for pk, path in candidates.values_list("pk", "roles__node__path"))
    ranked = sorted(rows, key=lambda row: (-len(row[1]), row[2], row[0]))
    return Person.objects.get(pk=ranked[0][0]) if ranked else None


def nearest_holders(*, node: Node, roles, exclude_ids=()) -> list[int]:
    """The ids of every active person holding one of ``roles`` at ``node`` or, if nobody does, at the nearest
    node above it where someone does (the cadres whose turn it is; not every cadre up to the platform)."""
    rows = (RoleAssignment.objects.filter(role__in=list(roles), person__is_active=True,
                                          node__path__in=ancestor_paths(node.path))
            .exclude(person_id__in=list(exclude_ids)).values_list("person_id", "node__path"))
    rows = list(rows)
    if not rows:
        return []
    deepest = max(len(path) for _person, path in rows)
    return sorted({person for person, path in rows if len(path) == deepest})


def role_at(*, person: Person | None, node: Node) -> str | None:
    """The role by which ``person`` covers ``node`` (the deepest), else their deepest role anywhere."""
    if person is None:
        return None
    roles = person.roles.order_by("-node__depth").values_list("role", flat=True)
    return roles.filter(node__path__in=ancestor_paths(node.path)).first() or roles.first()


def answers_to(*, node: Node, role: str | None, busyness=None) -> Person | None:
    """The cadre one tier above someone holding ``role`` at ``node`` (a grid worker answers to the community)."""
    for candidate_role in ANSWERS_TO.get(role or Role.GRID_WORKER, ()):
        if person := nearest_holder(node=node, roles=[candidate_role], busyness=busyness):
            return person
    return None


def paying_node(node: Node) -> Node | None:
    """The community (village, cooperative) at or above ``node`` whose points budget pays for work there,
    else the street above; None above the street."""
    found = {found.kind: found for found in Node.objects.filter(path__in=ancestor_paths(node.path),
                                                                  kind__in=BUDGET_KINDS)}
    community = next((found[kind] for kind in COMMUNITY_KINDS if kind in found), None)
    return community or found.get(NodeKind.STREET)
