"""Reading the tree and people: subtrees, search, what a person may see."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gridgov.errors import NotFound, PermissionDenied
from gridgov.orgs.models import Node, NodeKind, Person, Role, RoleAssignment
from gridgov.orgs.permissions import require


def person_for_user(user) -> Person | None:
    """The active person linked to an active login, or None: the one answer pages, admin and API share."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        person = user.person
    except Person.DoesNotExist:
        return None
    return person if person.is_active else None


def node_in_area(person, code: str, action: str = "node.view") -> Node:
    """The node with ``code`` if ``person`` may do ``action`` there; ``NotFound`` otherwise, whether it exists
    or not, so that codes outside one's area cannot be probed (``require`` audits the refused look-up)."""
    node = Node.objects.filter(code=code).first() if len(code) <= 32 and code.isprintable() else None
    if node is None:
        raise NotFound(_("No node with this code in your area."))
    try:
        require(person, action, node)
    except PermissionDenied:
        raise NotFound(_("No node with this code in your area.")) from None
    return node


def subtree(node: Node, *, max_depth: int | None = None):
    """``node`` and everything below it (one indexed prefix query), in tree order."""
    nodes = Node.objects.filter(path__startswith=node.path)
    if max_depth is not None:
        nodes = nodes.filter(depth__lte=node.depth + max_depth)
    return nodes.order_by("path")


def ancestors(node: Node):
    """The chain from the root down to ``node``'s parent."""
    paths = [node.path[:end] for end in range(Node.steplen, len(node.path), Node.steplen)]
    return Node.objects.filter(path__in=paths).order_by("depth")


def scope_roots(person: Person):
    """The nodes at which ``person`` holds any role; their subtrees are the person's area."""
    return Node.objects.filter(role_assignments__person=person).distinct().order_by("path")


def nodes_held_in(roles) -> list[Node]:
    """The nodes at which someone holds one of ``roles`` (e.g. every area a supervisor oversees), in tree order."""
    held = RoleAssignment.objects.filter(role__in=list(roles)).values("node_id")
    return list(Node.objects.filter(pk__in=held).order_by("path"))


def roles_of(person: Person):
    return RoleAssignment.objects.filter(person=person).select_related("node").order_by("node__path", "role")


def in_scope(person: Person, nodes=None):
    """Nodes within ``person``'s area: one query OR-ing each root's path prefix."""
    roots = list(scope_roots(person).values_list("path", flat=True))
    nodes = Node.objects.all() if nodes is None else nodes
    if not roots:
        return nodes.none()
    condition = Q()
    for path in roots:
        condition |= Q(path__startswith=path)
    return nodes.filter(condition)


def search_nodes(person: Person, query: str, *, limit: int = 50):
    """Nodes in scope whose name contains ``query`` or whose pinyin initials start with it (``dmsq``)."""
    query = query.strip()[:50]
    if not query:
        return Node.objects.none()
    match = Q(name__contains=query) | Q(code__iexact=query)
    if query.isascii() and query.isalnum():
        match |= Q(name_initials__startswith=query.lower())
    return in_scope(person, Node.objects.filter(match)).order_by("depth", "path")[:limit]


def people_at(node: Node):
    """People holding any role in ``node``'s subtree, with their roles there."""
    return (
        Person.objects.filter(roles__node__path__startswith=node.path)
        .distinct()
        .order_by("name_initials", "pk")
    )


def orgs_stats() -> dict:
    """Counts for ``gridgov stats``: nodes per kind and people per role."""
    per_kind = dict(Node.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    per_role = dict(
        RoleAssignment.objects.values_list("role").annotate(n=Count("person", distinct=True)).order_by()
    )
    return {
        "organisations": {kind.value: per_kind.get(kind.value, 0) for kind in NodeKind},
        "grids": per_kind.get(NodeKind.GRID, 0),
        "micro_grids": per_kind.get(NodeKind.MICRO_GRID, 0),
        "people": Person.objects.count(),
        "people_per_role": {role.value: per_role.get(role.value, 0) for role in Role},
    }
