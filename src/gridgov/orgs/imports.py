"""Importing the tree and people from Excel (the export is ``exports.py``, the batched writes ``import_writes.py``).

An import is all-or-nothing per file: every row is checked first (format, tree rules, the actor's area,
which roles the actor may hand out) and every failure is reported with its row number. Only a clean file
is written, in one transaction. Created objects are inserted in batches (one service call per row made a
1,000-row file take five seconds) with one audit record each, filled as the services fill theirs
(node.create, person.create, role.grant); renames go through ``node_update``; one more ``orgs.import``
record summarises the file. Measured: 1,000 tree rows or 1,000 people rows import in about a second.

Decisions (see also the 说明 sheet the template carries):
- Tree: a code already in the system with the same parent and kind is that node (unchanged, or renamed if
  the name differs); a code used at another place or with another kind is an error, an import never moves.
- People: rows with the same ID number are one person; rows without one join the rows with the same login,
  else those with the same name and phone. A person already in the system (same ID number, login, or name
  and phone; failing those, same name already holding a role at the row's node) keeps their details and
  only gains the roles they lack.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_denied, audit_record
from gridgov.errors import DomainError, PermissionDenied, message_of
from gridgov.orgs import excel, services
from gridgov.orgs.excel import PEOPLE, TREE, ExcelFileError, Row
from gridgov.orgs.import_writes import RowFailed, chunks, create_nodes, create_people
from gridgov.orgs.models import Node, Person, RoleAssignment, id_number_digest
from gridgov.orgs.permissions import ACTIONS, SYSTEM, assignments_of, can, may_grant_role, require


@dataclass
class RowError:
    row: int | None  # None: the file as a whole
    column: str
    message: str
    denied: bool = False  # outside the actor's area or rank, as opposed to a data mistake


@dataclass
class ImportResult:
    sheet: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0  # nodes or people
    updated: int = 0  # nodes renamed
    unchanged: int = 0  # rows that were already true
    matched: int = 0  # people already in the system
    roles_granted: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _nodes_by_code(codes) -> dict[str, Node]:
    found = {}
    for chunk in chunks({code for code in codes if code}):
        found.update({node.code: node for node in Node.objects.filter(code__in=chunk)})
    return found


# --- who may import and export where -------------------------------------------------------------------


def scope_roots_for(actor, action: str) -> list[Node]:
    """The topmost nodes at which ``actor`` may do ``action``: the roots of what they may import/export."""
    if actor is SYSTEM:
        return list(Node.get_root_nodes())
    if actor is None or not getattr(actor, "is_active", False):
        return []
    paths = sorted({path for role, _id, path in assignments_of(actor) if role in ACTIONS[action]})
    tops = [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]
    return list(Node.objects.filter(path__in=tops).order_by("path"))


def require_somewhere(actor, action: str) -> None:
    if not scope_roots_for(actor, action):
        if actor is not None:
            audit_denied(actor=actor, action=action)
        raise PermissionDenied(_("You may not import or export here: no role of yours allows it."))


def _file_error(result: ImportResult, message: str) -> ImportResult:
    result.errors.append(RowError(None, "", message))
    return result


def _finish(actor, result: ImportResult, write, anchor: Node | None) -> ImportResult:
    """Write a checked plan in one transaction; any failure rolls everything back and is reported."""
    if result.errors:
        result.errors.sort(key=lambda error: (error.row or 0))
        refused = [error for error in result.errors if error.denied]
        if refused:
            # Oversight sees attempts to import outside one's area or rank; plain data mistakes are not audited.
            audit_denied(actor=actor, action="orgs.import", node=anchor,
                         reason=f"{result.sheet}: rows {', '.join(str(e.row) for e in refused[:20])} refused")
        return result
    try:
        with transaction.atomic():
            write()
            grant = require(actor, "orgs.import", anchor)
            audit_record(actor=actor, role=grant.role, action="orgs.import", node=anchor, after={
                "sheet": result.sheet, "rows": result.rows, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged, "matched": result.matched, "roles_granted": result.roles_granted,
            })
    except RowFailed as failure:
        _reset_counts(result)
        result.errors.append(RowError(failure.row, "", failure.message))
    except PermissionDenied as error:
        _reset_counts(result)
        result.errors.append(RowError(None, "", str(error.message), denied=True))
    except IntegrityError:
        # Someone registered the same code, ID number or login between the check and the write.
        _reset_counts(result)
        result.errors.append(RowError(None, "", _("The same data was changed by someone else meanwhile; nothing "
                                                  "was imported. Upload the file again.")))
    return result


def _reset_counts(result: ImportResult) -> None:
    result.created = result.updated = result.unchanged = result.matched = result.roles_granted = 0


# --- the tree ------------------------------------------------------------------------------------------


@dataclass
class PlannedNode:
    row: int
    code: str
    kind: str
    name: str
    anchor: Node | None  # the node already in the system that this one hangs from (or is)
    existing: Node | None = None
    parent_code: str = ""
    action: str = "create"  # create | rename | keep
    valid: bool = True


def import_tree(*, actor, file) -> ImportResult:
    """Create (and rename) organisation nodes from a tree workbook; nothing is written unless all rows pass."""
    require_somewhere(actor, "orgs.import")
    result = ImportResult(sheet=TREE)
    try:
        rows = excel.read_sheet(file, TREE)
    except ExcelFileError as error:
        return _file_error(result, error.message)
    result.rows = len(rows)
    plan = _plan_tree(actor, rows, result.errors)
    anchor = next((entry.anchor for entry in plan if entry.anchor is not None), None)

    def write():
        for entry in plan:
            if entry.action == "rename":
                try:
                    services.node_update(actor=actor, node=entry.existing, name=entry.name)
                except DomainError as error:
                    raise RowFailed(entry.row, message_of(error)) from None
        result.unchanged = sum(entry.action == "keep" for entry in plan)
        result.updated = sum(entry.action == "rename" for entry in plan)
        result.created = create_nodes(actor, [entry for entry in plan if entry.action == "create"])

    return _finish(actor, result, write, anchor)


def _plan_tree(actor, rows: list[Row], errors: list[RowError]) -> list[PlannedNode]:
    header = lambda key: excel.header_of(TREE, key)  # noqa: E731
    existing = _nodes_by_code([row["code"] for row in rows] + [row["parent"] for row in rows])
    parent_paths = {node.path[: -Node.steplen] for node in existing.values() if node.depth > 1}
    codes_by_path = {}
    for chunk in chunks(parent_paths):
        codes_by_path.update(Node.objects.filter(path__in=chunk).values_list("path", "code"))
    seen: dict[str, PlannedNode] = {}
    plan = []
    for row in rows:
        row_errors: list[RowError] = [RowError(row.number, header(key), message) for key, message in row.cell_errors]

        def fail(key, message, denied=False):
            row_errors.append(RowError(row.number, header(key) if key else "", message, denied))

        code, name, parent_code = row["code"], row["name"], row["parent"]
        kind = excel.parse_kind(row["kind"]) if row["kind"] else None
        if not code:
            fail("code", _("The code is missing."))
        elif len(code) > 32:
            fail("code", _("The code is longer than 32 characters."))
        if not name:
            fail("name", _("The name is missing."))
        elif len(name) > 100:
            fail("name", _("The name is longer than 100 characters."))
        if not row["kind"]:
            fail("kind", _("The kind is missing."))
        elif kind is None:
            fail("kind", _("Unknown kind “%(kind)s”; use one of %(kinds)s.")
                 % {"kind": row["kind"], "kinds": "、".join(excel.KIND_LABELS.values())})
        entry = PlannedNode(row=row.number, code=code, kind=kind or "", name=name, anchor=None, parent_code=parent_code)
        if code and code in seen:
            fail("code", _("The code %(code)s already appears in row %(row)s.") % {"code": code, "row": seen[code].row})
        elif code in existing:
            _plan_existing_node(actor, entry, existing[code], codes_by_path, fail)
        elif code:
            _plan_new_node(actor, entry, seen, existing, fail)
        entry.valid = not row_errors
        if code and code not in seen:
            seen[code] = entry
        errors.extend(row_errors)
        plan.append(entry)
    return plan


def _plan_existing_node(actor, entry: PlannedNode, node: Node, codes_by_path: dict, fail) -> None:
    entry.existing = entry.anchor = node
    actual_parent = codes_by_path.get(node.path[: -Node.steplen], "") if node.depth > 1 else ""
    if (entry.kind and entry.kind != node.kind) or entry.parent_code != actual_parent:
        fail("code", _("The code %(code)s is already used by %(name)s (%(kind)s, under %(parent)s); an import "
                       "cannot move a node or change its kind.")
             % {"code": node.code, "name": node.name, "kind": excel.KIND_LABELS.get(node.kind, node.kind),
                "parent": actual_parent or "—"})
    elif not can(actor, "orgs.import", node):
        fail("code", _("%(code)s is outside your area.") % {"code": node.code}, denied=True)
    elif entry.name and entry.name != node.name:
        if can(actor, "node.manage", node):
            entry.action = "rename"
        else:
            fail("name", _("You may not rename %(code)s.") % {"code": node.code}, denied=True)
    else:
        entry.action = "keep"


def _plan_new_node(actor, entry: PlannedNode, seen: dict, existing: dict, fail) -> None:
    if not entry.parent_code:
        fail("parent", _("The parent code is missing: a new node needs the code of the node above it."))
        return
    earlier = seen.get(entry.parent_code)
    if earlier is not None:
        if not earlier.valid:
            fail("parent", _("The parent row %(row)s has errors.") % {"row": earlier.row})
            return
        parent = earlier.existing or Node(kind=earlier.kind, name=earlier.name, code=earlier.code)
        entry.anchor = earlier.anchor
    elif entry.parent_code in existing:
        parent = entry.anchor = existing[entry.parent_code]
    else:
        fail("parent", _("The parent code %(code)s is neither in the system nor in an earlier row.")
             % {"code": entry.parent_code})
        return
    if entry.anchor is None or not (can(actor, "orgs.import", entry.anchor) and can(actor, "node.manage", entry.anchor)):
        fail("parent", _("%(code)s is outside your area.") % {"code": entry.parent_code}, denied=True)
        return
    if entry.kind:
        try:
            services.validate_child_kind(parent=parent, kind=entry.kind)
        except DomainError as error:
            fail("kind", message_of(error))


# --- people --------------------------------------------------------------------------------------------


@dataclass
class PlannedPerson:
    row: int
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    login: str = ""
    roles: list[tuple[int, Node, str]] = field(default_factory=list)  # (row, node, role)
    existing: Person | None = None
    held: set[tuple[int, str]] = field(default_factory=set)  # (node id, role) the existing person holds


def import_people(*, actor, file) -> ImportResult:
    """Register people and give them roles from a people workbook; nothing is written unless all rows pass."""
    require_somewhere(actor, "orgs.import")
    result = ImportResult(sheet=PEOPLE)
    try:
        rows = excel.read_sheet(file, PEOPLE)
    except ExcelFileError as error:
        return _file_error(result, error.message)
    result.rows = len(rows)
    people = _plan_people(actor, rows, result.errors)
    anchor = next((node for person in people for _row, node, _role in person.roles), None)

    def write():
        create_people(actor, people, result)

    return _finish(actor, result, write, anchor)


def _plan_people(actor, rows: list[Row], errors: list[RowError]) -> list[PlannedPerson]:
    header = lambda key: excel.header_of(PEOPLE, key)  # noqa: E731
    nodes = _nodes_by_code(row["node"] for row in rows)
    checked: list[tuple[Row, dict]] = []
    for row in rows:
        row_errors = [RowError(row.number, header(key), message) for key, message in row.cell_errors]

        def fail(key, message, denied=False):
            row_errors.append(RowError(row.number, header(key), message, denied))

        values = _check_person_row(actor, row, nodes, fail)
        errors.extend(row_errors)
        checked.append((row, values if not row_errors else None))
    people = _group_people([(row, values) for row, values in checked if values is not None], errors, header)
    _match_existing(people, errors, header)
    _check_grants(actor, people, errors, header)
    return people


def _check_grants(actor, people: list[PlannedPerson], errors: list[RowError], header) -> None:
    """Each role not already held must be one the actor may hand out at that node.

    Roles already held pass, so a cadre can re-import an export listing people above their own rank.
    """
    existing = [planned for planned in people if planned.existing is not None]
    held: dict[int, set] = {}
    for chunk in chunks({planned.existing.pk for planned in existing}):
        for person_id, node_id, role in RoleAssignment.objects.filter(person_id__in=chunk).values_list(
                "person_id", "node_id", "role"):
            held.setdefault(person_id, set()).add((node_id, role))
    for planned in people:
        if planned.existing is not None:
            planned.held = held.get(planned.existing.pk, set())
        for row, node, role in planned.roles:
            if (node.pk, role) not in planned.held and not may_grant_role(actor, role, node):
                errors.append(RowError(row, header("role"), _("You may not give the role %(role)s at %(code)s.")
                                       % {"role": excel.ROLE_LABELS[role], "code": node.code}, denied=True))


def _check_person_row(actor, row: Row, nodes: dict, fail) -> dict:
    """The row's cleaned values; ``fail`` is called for each problem."""
    values = {"name": row["name"], "address": row["address"], "login": row["login"], "phone": ""}
    if not row["name"]:
        fail("name", _("The name is missing."))
    elif len(row["name"]) > 50:
        fail("name", _("The name is longer than 50 characters."))
    if len(row["address"]) > 200:
        fail("address", _("The address is longer than 200 characters."))
    try:
        values["phone"] = services.validate_phone(row["phone"])
    except DomainError as error:
        fail("phone", message_of(error))
    values["id_number"] = row["id_number"].upper()
    if values["id_number"]:
        if "id_number" in row.numeric and len(values["id_number"]) > 15:
            fail("id_number", _("The ID number was typed as a number and Excel dropped its last digits; "
                                "format the column as text and type it again."))
        elif not _valid_id_number(values["id_number"]):
            fail("id_number", _("%(value)s is not a valid resident ID number.") % {"value": values["id_number"]})
    if row["login"]:
        try:
            get_user_model().username_validator(row["login"])
            if len(row["login"]) > 150:
                raise ValidationError(_("too long"))
        except ValidationError:
            fail("login", _("The login name may hold only letters, digits and @ . + - _ (up to 150)."))
    role = excel.parse_role(row["role"]) if row["role"] else None
    if not row["role"]:
        fail("role", _("The role is missing."))
    elif role is None:
        fail("role", _("Unknown role “%(role)s”; use one of %(roles)s.")
             % {"role": row["role"], "roles": "、".join(excel.ROLE_LABELS.values())})
    node = nodes.get(row["node"])
    if not row["node"]:
        fail("node", _("The node code is missing."))
    elif node is None:
        fail("node", _("No node has the code %(code)s.") % {"code": row["node"]})
    elif not can(actor, "orgs.import", node):
        fail("node", _("%(code)s is outside your area.") % {"code": row["node"]}, denied=True)
    values["role"], values["node"] = role, node
    return values


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _valid_id_number(text: str) -> bool:
    """18 characters with the GB 11643 check character, or the old 15-digit form."""
    if len(text) == 15:
        return text.isdigit()
    if len(text) != 18 or not text[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text[:17], ID_WEIGHTS))
    return "10X98765432"[total % 11] == text[17]


def _group_people(rows, errors: list[RowError], header) -> list[PlannedPerson]:
    """Rows → people: by ID number, else by login, else by name and phone (see the module docstring)."""
    people: list[PlannedPerson] = []
    by_id: dict[str, PlannedPerson] = {}
    by_login: dict[str, PlannedPerson] = {}
    by_name_phone: dict[tuple[str, str], list[PlannedPerson]] = {}
    ordered = sorted(rows, key=lambda item: (not item[1]["id_number"], item[0].number))
    for row, values in ordered:
        person = by_id.get(values["id_number"]) if values["id_number"] else None
        if person is not None and person.name != values["name"]:
            errors.append(RowError(row.number, header("id_number"), _(
                "The ID number already appears in row %(row)s for another person.") % {"row": person.row}))
            continue
        if person is None and values["login"]:
            person = by_login.get(values["login"])
            if person is not None and person.name != values["name"]:
                errors.append(RowError(row.number, header("login"), _(
                    "The login name already appears in row %(row)s for another person.") % {"row": person.row}))
                continue
        if person is None and not values["id_number"] and values["phone"]:
            candidates = by_name_phone.get((values["name"], values["phone"]), [])
            if len(candidates) > 1:
                errors.append(RowError(row.number, header("id_number"), _(
                    "Several people in this file have this name and phone; give the ID number.")))
                continue
            person = candidates[0] if candidates else None
        if person is None:
            person = PlannedPerson(row=row.number, name=values["name"])
            people.append(person)
        elif message := _disagreement(person, values, header):
            errors.append(RowError(row.number, message[0], message[1]))
            continue
        for key in ("phone", "id_number", "login", "address"):
            if values[key] and not getattr(person, key):
                setattr(person, key, values[key])
        if person.id_number:
            by_id[person.id_number] = person
        if person.login:
            by_login.setdefault(person.login, person)
        if person.phone and person not in by_name_phone.setdefault((person.name, person.phone), []):
            by_name_phone[(person.name, person.phone)].append(person)
        if (values["node"].pk, values["role"]) not in {(node.pk, role) for _r, node, role in person.roles}:
            person.roles.append((row.number, values["node"], values["role"]))
    people.sort(key=lambda person: person.row)
    for person in people:
        person.roles.sort(key=lambda item: item[0])
    return people


def _disagreement(person: PlannedPerson, values: dict, header) -> tuple[str, str] | None:
    same = _("This row is the same person as row %(row)s") % {"row": person.row}
    if values["name"] != person.name:
        return header("name"), _("%(same)s but gives another name.") % {"same": same}
    for key in ("id_number", "login", "phone"):
        if values[key] and getattr(person, key) and values[key] != getattr(person, key):
            return header(key), _("%(same)s but gives a different %(column)s.") % {"same": same, "column": header(key)}
    return None


def _match_existing(people: list[PlannedPerson], errors: list[RowError], header) -> None:
    """Find who is already in the system; report ID numbers and logins that belong to someone else."""
    digests = {id_number_digest(p.id_number): p for p in people if p.id_number}
    by_digest = {}
    for chunk in chunks(digests):
        by_digest.update({person.id_number_digest: person for person in Person.objects.filter(id_number_digest__in=chunk).select_related("user")})
    users = {}
    for chunk in chunks({p.login for p in people if p.login}):
        users.update({user.username: user for user in get_user_model().objects.filter(username__in=chunk)
                      .select_related("person")})
    by_name_phone: dict[tuple[str, str], list[Person]] = {}
    for chunk in chunks({p.phone for p in people if p.phone}):
        for person in Person.objects.filter(phone__in=chunk).select_related("user"):
            by_name_phone.setdefault((person.name, person.phone), []).append(person)
    for planned in people:
        found = by_digest.get(id_number_digest(planned.id_number)) if planned.id_number else None
        if found is not None and found.name != planned.name:
            errors.append(RowError(planned.row, header("id_number"),
                                   _("This ID number is already registered to a person with another name.")))
            continue
        user = users.get(planned.login) if planned.login else None
        owner = getattr(user, "person", None) if user is not None else None
        if user is not None and (owner is None or owner.name != planned.name or (found and found.pk != owner.pk)):
            errors.append(RowError(planned.row, header("login"),
                                   _("The login name %(login)s is taken.") % {"login": planned.login}))
            continue
        found = found or owner
        if found is None and planned.phone:
            candidates = by_name_phone.get((planned.name, planned.phone), [])
            if len(candidates) > 1:
                errors.append(RowError(planned.row, header("phone"), _(
                    "Several people in the system have this name and phone; give the ID number.")))
                continue
            found = candidates[0] if candidates else None
        if found is None and not (planned.phone or planned.id_number or planned.login):
            found = _same_name_at_node(planned)
        if found is not None and planned.login and found.user_id and found.user.username != planned.login:
            errors.append(RowError(planned.row, header("login"), _(
                "This person already has the login %(login)s; an import does not change logins.")
                % {"login": found.user.username}))
            continue
        if found is not None and planned.login and not found.user_id:
            errors.append(RowError(planned.row, header("login"), _(
                "This person is already registered without a login; an import does not add logins.")))
            continue
        if found is not None and planned.id_number and found.id_number_digest and \
                found.id_number_digest != id_number_digest(planned.id_number):
            errors.append(RowError(planned.row, header("id_number"), _(
                "This person is already registered with another ID number.")))
            continue
        planned.existing = found


def _same_name_at_node(planned: PlannedPerson) -> Person | None:
    """A row with nothing but a name matches the one person of that name already holding a role at its node."""
    node_ids = {node.pk for _row, node, _role in planned.roles}
    matches = list(Person.objects.select_related("user").filter(name=planned.name, phone="", id_number_digest="", user__isnull=True,
                                         roles__node_id__in=node_ids).distinct()[:2])
    return matches[0] if len(matches) == 1 else None
