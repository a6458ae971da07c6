"""Writing a checked import in batches, with one audit record per created object.

One service call per row costs ~5 ms (treebeard's sorted insert alone is a handful of queries) and one
audit INSERT per object another few on PostgreSQL, so a 1,000-row file took five seconds and more. These
writers insert nodes, people, logins, role assignments and their audit records with ``bulk_create``; the
records are filled exactly as ``gridgov.audit.services.audit_record`` fills them.
Only ``gridgov.orgs.imports`` calls them, after every row has passed its checks.
"""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import F, Max
from django.utils.translation import gettext as _

from gridgov.audit.models import AuditRecord
from gridgov.audit.services import audit_entry, snapshot
from gridgov.errors import DomainError, message_of
from gridgov.orgs import services
from gridgov.orgs.models import Node, Person, RoleAssignment
from gridgov.orgs.permissions import forget_assignments, grant_for
from gridgov.orgs.pinyin import initials_of
from gridgov.orgs.signals import roles_changed

if TYPE_CHECKING:
    from gridgov.orgs.imports import ImportResult, PlannedNode, PlannedPerson

CHUNK = 500


class RowFailed(Exception):
    """A write failed for one row (e.g. a code taken meanwhile): the transaction is rolled back."""

    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row, self.message = row, message


def chunks(values):
    """``values`` in slices small enough for an IN list on every database."""
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _role_at(actor, node: Node, cache: dict) -> str:
    """The role under which the actor imports at ``node``, for the audit record."""
    if node.pk not in cache:
        grant = grant_for(actor, "orgs.import", node)
        cache[node.pk] = grant.role if grant else ""
    return cache[node.pk]


def create_nodes(actor, entries: "list[PlannedNode]") -> int:
    """Insert new nodes with their materialised paths computed here, siblings in code order.

    New children of a node already in the system are appended after its last child when their codes sort
    after every existing sibling's; otherwise they go through ``node_create``, whose sorted insert may shift
    siblings, which is why every path is re-read before the batch is laid out.
    """
    if not entries:
        return 0
    new_codes = {entry.code for entry in entries}
    children: "dict[str, list[PlannedNode]]" = {}
    under_existing: "dict[int, list[PlannedNode]]" = {}
    for entry in entries:
        children.setdefault(entry.parent_code, []).append(entry)
        if entry.parent_code not in new_codes:
            under_existing.setdefault(entry.anchor.pk, []).append(entry)
    one_by_one: dict[str, Node] = {}
    for parent_pk, group in under_existing.items():
        stats = Node.objects.filter(pk=parent_pk).values_list("path", "depth").get()
        highest = Node.objects.filter(path__startswith=stats[0], depth=stats[1] + 1).aggregate(code=Max("code"))["code"]
        if highest is not None and min(entry.code for entry in group) <= highest:
            for entry in group:
                try:
                    one_by_one[entry.code] = services.node_create(
                        actor=actor, parent=entry.anchor, kind=entry.kind, code=entry.code, name=entry.name)
                except DomainError as error:
                    raise RowFailed(entry.row, message_of(error)) from None
    # Parents that exist now: untouched ones get appended children, nodes made one by one get first children.
    parents = {node.pk: node for node in Node.objects.filter(
        pk__in=[pk for pk, group in under_existing.items() if group[0].code not in one_by_one]
        + [node.pk for node in one_by_one.values()])}
    rows_of = {entry.code: entry.row for entry in entries}
    batch: list[Node] = []
    stack = []
    for parent in parents.values():
        code = parent.code
        kids = children.get(code, []) if code in one_by_one else under_existing.get(parent.pk, [])
        if not kids:
            continue
        last = Node.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).aggregate(path=Max("path"))["path"]
        first_step = Node._str2int(last[-Node.steplen:]) + 1 if last else 1
        Node.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(kids))
        stack.append((kids, parent.path, parent.depth, first_step))
    max_path = Node._meta.get_field("path").max_length
    while stack:
        kids, parent_path, parent_depth, first_step = stack.pop()
        for step, entry in enumerate(sorted(kids, key=lambda kid: kid.code), start=first_step):
            grandchildren = children.get(entry.code, [])
            node = Node(kind=entry.kind, code=entry.code, name=entry.name, name_initials=initials_of(entry.name),
                        depth=parent_depth + 1, path=Node._get_path(parent_path, parent_depth + 1, step),
                        numchild=len(grandchildren))
            if len(node.path) > max_path or step >= len(Node.alphabet) ** Node.steplen:
                raise RowFailed(rows_of[entry.code], _("The tree is too deep or too wide here."))
            batch.append(node)
            if grandchildren:
                stack.append((grandchildren, node.path, node.depth, 1))
    Node.objects.bulk_create(batch, batch_size=CHUNK)
    roles: dict[int, str] = {}
    anchors = {entry.code: entry.anchor for entry in entries}
    AuditRecord.objects.bulk_create([
        audit_entry(
            actor=actor, role=_role_at(actor, anchors[node.code], roles), action="node.create",
            target=node, node=node, after=snapshot(node, services.NODE_FIELDS),
        )
        for node in batch
    ], batch_size=CHUNK)
    return len(batch) + len(one_by_one)


def create_people(actor, people: "list[PlannedPerson]", result: "ImportResult") -> None:
    """Insert new people (and their logins) and the role assignments not yet held, auditing each."""
    User = get_user_model()
    new = [planned for planned in people if planned.existing is None]
    users = []
    for planned in new:
        if planned.login:
            user = User(username=planned.login)
            user.set_unusable_password()
            users.append(user)
    User.objects.bulk_create(users, batch_size=CHUNK)
    user_of = {user.username: user for user in users}
    persons = []
    for planned in new:
        person = Person(name=planned.name, name_initials=initials_of(planned.name), phone=planned.phone,
                        address=planned.address, user=user_of.get(planned.login))
        person.set_id_number(planned.id_number)
        persons.append(person)
    Person.objects.bulk_create(persons, batch_size=CHUNK)
    roles: dict[int, str] = {}
    grants, records = [], []
    for planned, person in zip(new, persons):
        first_node = planned.roles[0][1]
        records.append(audit_entry(
            actor=actor, role=_role_at(actor, first_node, roles), action="person.create",
            target=person, node=first_node, after=snapshot(person, services.PERSON_FIELDS),
        ))
        grants += [RoleAssignment(person=person, node=node, role=role) for _row, node, role in planned.roles]
    result.created = len(persons)
    for planned in people:
        if planned.existing is None:
            continue
        result.matched += 1
        for _row, node, role in planned.roles:
            if (node.pk, role) in planned.held:
                result.unchanged += 1
            else:
                grants.append(RoleAssignment(person=planned.existing, node=node, role=role))
    RoleAssignment.objects.bulk_create(grants, batch_size=CHUNK)
    for grant in grants:
        records.append(audit_entry(
            actor=actor, role=_role_at(actor, grant.node, roles), action="role.grant", target=grant.person,
            node=grant.node, after={"person_id": grant.person.pk, "node_id": grant.node.pk, "role": grant.role},
        ))
        forget_assignments(grant.person)
    AuditRecord.objects.bulk_create(records, batch_size=CHUNK)
    existing = {planned.existing.pk for planned in people if planned.existing is not None}
    if moved := sorted({grant.person.pk for grant in grants} & existing):
        roles_changed.send(sender=RoleAssignment, people=moved)
    result.roles_granted = len(grants)
