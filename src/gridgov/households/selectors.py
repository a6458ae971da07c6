"""Reading households: an area's list, a resident's own household, the resident file masked per level, a
member's linked households with what is due, a grid's coverage, and the counts for ``gridgov stats``."""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridgov.errors import NotFound, PermissionDenied
from gridgov.households.models import (
    FileEntry,
    FileField,
    Household,
    Inspection,
    Link,
    LinkQuota,
    LoadTally,
    Membership,
    NodeTally,
    PatrolRound,
    PersonTag,
    Sensitivity,
    Visit,
)
from gridgov.ledger.selectors import granted_for_sources
from gridgov.orgs.models import Node, NodeKind, Person
from gridgov.orgs.permissions import grant_for, role_paths
from gridgov.orgs.tree import ancestor_paths, parent_path, path_length, people_under, under

MASK = "＊＊＊"


def area_paths(person, action: str = "household.view") -> list[str]:
    return role_paths(person, action)


def households_in_area(person, *, query: str = "", node: Node | None = None):
    """Households under the person's area (and under ``node`` if given), with their head's name."""
    paths = area_paths(person)
    rows = Household.objects.filter(under(paths, "node__path")).select_related("node")
    if node is not None:
        rows = rows.filter(node__path__startswith=node.path)
    if query:
        rows = rows.filter(Q(house_number__icontains=query) | Q(address__icontains=query) | Q(code__iexact=query)
                           | Q(memberships__person__name__startswith=query, memberships__moved_out__isnull=True))
    return rows.distinct().order_by("node__path", "house_number", "pk")


def household_grid(household: Household) -> Node:
    """The grid the household's micro-grid (or building) belongs to; the node itself when none is above."""
    above = Node.objects.filter(kind=NodeKind.GRID, path__in=ancestor_paths(household.node.path))
    return above.order_by("-depth").first() or household.node


def household_of(person) -> Household | None:
    """The household ``person`` lives in now, or None."""
    if not isinstance(person, Person):
        return None
    membership = Membership.objects.select_related("household__node").filter(
        person=person, moved_out__isnull=True).first()
    return membership.household if membership else None


def household_for(*, actor, pk) -> Household:
    """A household the actor may see (in their area, or their own home), else ``not_found``: the same answer as
    a household that does not exist, so nobody can probe other areas."""
    household = Household.objects.select_related("node").filter(pk=pk).first()
    if household is None:
        raise NotFound()
    if (grant_for(actor, "household.view", household) is None and household_of(actor) != household
            and not is_linked(actor, household)):
        raise NotFound()
    return household


def current_members(household: Household) -> list[Membership]:
    memberships = list(household.memberships.filter(moved_out__isnull=True).select_related("person")
                       .order_by("moved_in", "pk"))
    tags = {}
    for person_id, tag in PersonTag.objects.filter(person__in=[m.person_id for m in memberships]).values_list(
            "person_id", "tag"):
        tags.setdefault(person_id, []).append(tag)
    for membership in memberships:
        membership.tags = sorted(tags.get(membership.person_id, []))
    return sorted(memberships, key=lambda m: (m.relation != "head", m.moved_in, m.pk))


def former_members(household: Household) -> list[Membership]:
    return list(household.memberships.filter(moved_out__isnull=False).select_related("person")
                .order_by("-moved_out", "pk"))


@dataclass
class FileRow:
    field: FileField
    shown: str  # the value, or the mask
    has_value: bool
    masked: bool  # the viewer must ask (an audited reading) to see it
    may_write: bool


def file_rows(*, actor, household: Household, resident: bool = False) -> list[FileRow]:
    """The resident file as the viewer may see it: open and internal values in full where their level allows,
    sensitive values always masked (reading one is ``services.file_read``, audited). A resident sees only the
    open fields of their own household."""
    values = dict(FileEntry.objects.filter(household=household).values_list("field_id", "value"))
    rows = []
    for field in FileField.objects.filter(is_active=True):
        may_read = grant_for(actor, f"household.file_read_{field.sensitivity}", household) is not None
        if resident and not may_read:
            may_read = field.sensitivity == Sensitivity.OPEN
            if not may_read:
                continue
        value = values.get(field.pk, "")
        masked = bool(value) and (field.sensitivity == Sensitivity.SENSITIVE or not may_read)
        rows.append(FileRow(
            field=field, shown=MASK if masked else value, has_value=bool(value),
            masked=masked and may_read,
            may_write=grant_for(actor, f"household.file_write_{field.sensitivity}", household) is not None))
    return rows


def month_start(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def linked_households(member: Person, *, now=None):
    """The member's active links with the household, its last visit and whether it was visited this month."""
    since = month_start(now)
    links = (Link.objects.filter(member=member, ended_at__isnull=True).select_related("household__node")
             .annotate(last_visit=Max("household__visits__visited_at"))
             .order_by("visit_due_at", "household__house_number"))
    result = list(links)
    for link in result:
        link.visited_this_month = bool(link.last_visit and link.last_visit >= since)
        link.overdue = bool(link.visit_due_at and link.visit_due_at < (now or timezone.now()))
    return result


def recent_visits(household: Household, *, limit: int = 10):
    """The latest visits, each with the points it earned its visitor (``points``, from the ledger)."""
    visits = list(household.visits.select_related("visitor").order_by("-visited_at")[:limit])
    points = granted_for_sources(Visit, [visit.pk for visit in visits])
    for visit in visits:
        visit.points = points.get(visit.pk, 0)
    return visits


def visit_points_this_month(member: Person, *, now=None) -> int:
    """The points ``member``'s visits earned this month."""
    ids = Visit.objects.filter(visitor=member, visited_at__gte=month_start(now)).values_list("pk", flat=True)
    return sum(granted_for_sources(Visit, list(ids)).values())


@dataclass
class MemberLoad:
    person_id: int
    name: str
    kind: str
    households: int
    minimum: int

    @property
    def under_quota(self) -> bool:
        return self.households < self.minimum


@dataclass
class Coverage:
    households: int
    linked: int
    unlinked_sample: list
    loads: QuerySet  # every member's load in the area (``member_loads``), read when it is used

    @property
    def unlinked(self) -> int:
        return self.households - self.linked

    @property
    def under_quota(self) -> QuerySet:
        """The members serving fewer households than their kind's quota, fewest first: page it (``page_of``),
        a count and a slice in SQL."""
        return self.loads.filter(households__lt=F("minimum"))

    @cached_property
    def members_under_quota(self) -> int:
        return self.under_quota.count()

    @property
    def members(self) -> list[MemberLoad]:
        return [MemberLoad(row["person_id"], row["name"], row["kind"], row["households"], row["minimum"])
                for row in self.loads]


def member_loads(node: Node) -> QuerySet:
    """Per member and link kind: the households they serve at or under ``node`` (from the tallies), with the
    quota of their kind (0 without one), fewest households first, then by name: rows of ``person_id``,
    ``name``, ``kind``, ``households`` and ``minimum``, grouped in SQL."""
    minimum = Coalesce(Subquery(LinkQuota.objects.filter(kind=OuterRef("kind")).values("minimum")[:1]), 0)
    return (LoadTally.objects.filter(node_id__in=_area_node_ids(node), links__gt=0)
            .values("member_id", "member__name", "kind").order_by()
            .annotate(person_id=F("member_id"), name=F("member__name"), households=Sum("links"), minimum=minimum)
            .values("person_id", "name", "kind", "households", "minimum").order_by("households", "name"))


def _area_node_ids(node: Node) -> QuerySet:
    """The ids of ``node`` and the nodes below it, a subquery over the tree's path index: the tallies are read
    by their node, not joined to the tree by path."""
    return Node.objects.filter(path__startswith=node.path).values("pk")


def coverage(*, node: Node, sample: int = 50) -> Coverage:
    """How well ``node``'s households are served: how many have an active link, the first unlinked ones, and
    the members' loads against the quota of their kind (read when used: the members under quota are counted
    and paged in SQL). Read from the tallies (a row per node and per member's node), so a county of a million
    households sums a few thousand rows."""
    tallies = NodeTally.objects.filter(node_id__in=_area_node_ids(node))
    totals = tallies.aggregate(households=Sum("households"), linked=Sum("linked"))
    return Coverage(households=totals["households"] or 0, linked=totals["linked"] or 0,
                    unlinked_sample=_unlinked(tallies, sample), loads=member_loads(node))


def _unlinked(tallies, sample: int) -> list[Household]:
    """The first ``sample`` households without an active link, in tree order: only the nodes whose tally says
    some are unserved are read."""
    if sample <= 0:
        return []
    nodes, wanted = [], 0
    for node_id, missing in (tallies.filter(households__gt=F("linked")).order_by("node__path")
                             .values_list("node_id", F("households") - F("linked"))):
        nodes.append(node_id)
        wanted += missing
        if wanted >= sample:
            break
    active = Link.objects.filter(household=OuterRef("pk"), ended_at__isnull=True)
    return list(Household.objects.filter(node_id__in=nodes).exclude(Exists(active)).select_related("node")
                .order_by("node__path", "house_number")[:sample])


def visits_this_month(now=None) -> int:
    return Visit.objects.filter(visited_at__gte=month_start(now)).count()


def households_stats() -> dict:
    return {
        "households": Household.objects.count(),
        "household_members": Membership.objects.filter(moved_out__isnull=True).count(),
        "member_household_links": Link.objects.filter(ended_at__isnull=True).count(),
        "visits": visits_this_month(),
        "households_ranked": Inspection.objects.filter(month=month_start().date()).count(),
        "patrols": PatrolRound.objects.filter(checked_in_at__gte=month_start()).count(),  # check-ins this month
    }


def heads_of(household_ids) -> dict[int, Person]:
    return {m.household_id: m.person for m in Membership.objects.filter(
        household_id__in=list(household_ids), moved_out__isnull=True, relation="head").select_related("person")}


def is_linked(person, household: Household) -> bool:
    return isinstance(person, Person) and Link.objects.filter(household=household, member=person,
                                                              ended_at__isnull=True).exists()


def may_view(person, household: Household) -> bool:
    """Whether ``person`` sees the household as a cadre or worker of its area (not as a resident or a linked
    member only)."""
    return grant_for(person, "household.view", household) is not None


def may_visit(person, household: Household) -> bool:
    return is_linked(person, household) or grant_for(person, "household.visit", household) is not None


def active_links(household: Household) -> list[Link]:
    return list(household.links.filter(ended_at__isnull=True).select_related("member").order_by("kind", "pk"))


def link_candidates(household: Household) -> list[Person]:
    """People who may serve the household: anyone active holding a role in its grid, not yet linked to it."""
    grid = household_grid(household)
    linked = household.links.filter(ended_at__isnull=True).values("member_id")
    return list(people_under([grid.path]).exclude(pk__in=linked).order_by("name", "pk")[:300])


def member_of(household: Household, person_id) -> Person:
    """A person living in the household now, else ``not_found``."""
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    membership = household.memberships.filter(person_id=person_id, moved_out__isnull=True).select_related(
        "person").first()
    if membership is None:
        raise NotFound()
    return membership.person


def person_in_area(actor, household: Household, *, name: str, phone: str) -> Person | None:
    """The one active person of that name (and phone, if given) holding a role in the household's community."""
    grid = household_grid(household)
    found = people_under([parent_path(grid.path) or grid.path]).filter(name=name.strip())
    if phone:
        found = found.filter(phone=phone.strip())
    found = list(found[:2])
    return found[0] if len(found) == 1 else None


def link_for(*, actor, pk) -> Link:
    link = Link.objects.select_related("household__node", "member").filter(pk=pk).first()
    if link is None or grant_for(actor, "household.view", link.household) is None:
        raise NotFound()
    return link


def area_node(person, action: str, code: str = "") -> Node:
    """The node ``code`` in the area where ``person`` may do ``action`` (the first root of it without a code);
    ``forbidden`` when they may do it nowhere, ``not_found`` for a code outside it."""
    roots = list(Node.objects.filter(path__in=role_paths(person, action)).order_by("path"))
    if not roots:
        raise PermissionDenied()
    return node_under(roots, code) if code else roots[0]


def node_under(roots, code: str) -> Node:
    """The node with ``code`` inside one of ``roots`` (the viewer's area), else ``not_found``."""
    node = Node.objects.filter(code=code).first()
    if node is None or not any(root.covers(node) for root in roots):
        raise NotFound()
    return node


def coverage_children(node: Node) -> list[dict]:
    """Per child of ``node``: households, linked households, unlinked — for the drill-down table (from the
    tallies, each added to the child whose path begins its node's)."""
    children = list(Node.objects.filter(path__startswith=node.path, depth=node.depth + 1).order_by("path"))
    width = path_length(node.depth + 1)
    sums: dict[str, list[int]] = {}
    for path, households, linked in (NodeTally.objects.filter(node__path__startswith=node.path)
                                     .values_list("node__path", "households", "linked")):
        total = sums.setdefault(path[:width], [0, 0])
        total[0] += households
        total[1] += linked
    rows = []
    for child in children:
        total, served = sums.get(child.path, (0, 0))
        if total:
            rows.append({"node": child, "households": total, "linked": served, "unlinked": total - served})
    return rows


def members_linked_under(node: Node):
    """The ids of the people with an active link (联户) to a household at or under ``node``: a lazy queryset of
    person ids, so another app filters by it in the same query (volunteers: whose linked households cover a
    need's place)."""
    return (Link.objects.filter(ended_at__isnull=True, household__node__path__startswith=node.path)
            .values_list("member_id", flat=True).distinct())


def linked_household_paths(person) -> list[str]:
    """The node paths of the households ``person`` serves with an active link (联户), each once: the reverse of
    :func:`members_linked_under`, so another app finds the places that cover them (volunteers: the needs a
    linked member may claim). One query."""
    return list(Link.objects.filter(member_id=person.pk, ended_at__isnull=True)
                .values_list("household__node__path", flat=True).distinct())
