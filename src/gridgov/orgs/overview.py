"""Reads behind the pages: what lies below a set of nodes, breadcrumbs for many nodes at once, and the
people holding roles at a node. Each function costs a fixed number of queries, however many nodes it is
given, so a page never walks the tree node by node.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, NodeKind, RoleAssignment

# Kinds at or below which "grids below" is always zero, so the page does not show it.
_GRID_LEVEL_AND_BELOW = frozenset({NodeKind.GRID, NodeKind.MICRO_GRID, NodeKind.BUILDING})


@dataclass
class Below:
    """Counts of what lies strictly below one node."""

    grids: int = 0
    micro_grids: int = 0
    people: int = 0
    node_kind: str = ""

    @property
    def figures(self) -> list[tuple[str, int]]:
        """The (label, number) pairs worth showing for this kind of node."""
        shown = []
        if self.node_kind not in _GRID_LEVEL_AND_BELOW:
            shown.append((_("Grids"), self.grids))
        if self.node_kind != NodeKind.MICRO_GRID:
            shown.append((_("Micro-grids"), self.micro_grids))
        shown.append((_("People"), self.people))
        return shown


def below(nodes: list[Node]) -> dict[int, Below]:
    """Grids, micro-grids (strictly below) and people holding a role in the subtree, per node: two queries."""
    nodes = list({node.pk: node for node in nodes}.values())
    if not nodes:
        return {}
    node_figures = {}
    people_figures = {}
    for index, node in enumerate(nodes):
        under = Q(path__startswith=node.path, depth__gt=node.depth)
        node_figures[f"grids_{index}"] = Count("pk", filter=under & Q(kind=NodeKind.GRID))
        node_figures[f"micro_{index}"] = Count("pk", filter=under & Q(kind=NodeKind.MICRO_GRID))
        people_figures[f"people_{index}"] = Count(
            "person", filter=Q(node__path__startswith=node.path), distinct=True
        )
    anywhere = Q()
    for node in nodes:
        anywhere |= Q(path__startswith=node.path)
    node_totals = Node.objects.filter(anywhere).aggregate(**node_figures)
    people_totals = RoleAssignment.objects.aggregate(**people_figures)
    return {
        node.pk: Below(
            grids=node_totals[f"grids_{index}"],
            micro_grids=node_totals[f"micro_{index}"],
            people=people_totals[f"people_{index}"],
            node_kind=node.kind,
        )
        for index, node in enumerate(nodes)
    }


def breadcrumbs(nodes: list[Node]) -> dict[int, list[Node]]:
    """The ancestors (root first) of each node, fetched together in one query."""
    wanted = {
        node.pk: [node.path[:end] for end in range(Node.steplen, len(node.path), Node.steplen)] for node in nodes
    }
    paths = {path for chain in wanted.values() for path in chain}
    by_path = {n.path: n for n in Node.objects.filter(path__in=paths)} if paths else {}
    return {pk: [by_path[path] for path in chain if path in by_path] for pk, chain in wanted.items()}


def role_holders_at(node: Node):
    """Role assignments held exactly at ``node`` (not below: a community has thousands of residents)."""
    return RoleAssignment.objects.filter(node=node).select_related("person").order_by("role", "person__name_initials")
