"""Changing the tree, people and roles. Each function checks the actor's scope and audits the change."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_denied, audit_record, snapshot
from gridgov.errors import Invalid, PermissionDenied
from gridgov.limits import text_within
from gridgov.orgs.models import CHILD_KINDS, PHONE_PATTERN, ApiToken, Node, Person, Role, RoleAssignment
from gridgov.orgs.permissions import SYSTEM, Grant, forget_assignments, grant_for, may_grant_role, require
from gridgov.orgs.signals import roles_changed

NODE_FIELDS = ["kind", "code", "name", "path"]
PERSON_FIELDS = ["name", "phone", "id_number_tail", "address", "is_active", "user_id"]


def _node_text(*, code: str, name: str) -> tuple[str, str]:
    return (text_within(code, limit=Node._meta.get_field("code").max_length, label=_("The code")),
            text_within(name, limit=Node._meta.get_field("name").max_length, label=_("The name")))


def _person_text(field: str, value: str) -> str:
    return text_within(value, limit=Person._meta.get_field(field).max_length, label=Person._meta.get_field(field).verbose_name)


def validate_child_kind(*, parent: Node | None, kind: str) -> None:
    allowed = CHILD_KINDS.get(parent.kind if parent else None, frozenset())
    if kind not in allowed:
        raise Invalid(
            _("A %(kind)s cannot be placed under %(parent)s.")
            % {"kind": kind, "parent": parent.name if parent else _("the top level")}
        )


def validate_phone(phone: str) -> str:
    phone = phone.strip().replace(" ", "").replace("-", "")
    if phone and not PHONE_PATTERN.match(phone):
        raise Invalid(_("%(phone)s is not a mainland mobile number (11 digits, starting with 1).") % {"phone": phone})
    return phone


def node_create(*, actor: Person | None, parent: Node | None, kind: str, code: str, name: str) -> Node:
    """Add a node under ``parent`` (or a new root, which only ``SYSTEM`` may do)."""
    code, name = _node_text(code=code, name=name)
    if not code or not name:
        raise Invalid(_("Code and name are both required."))
    validate_child_kind(parent=parent, kind=kind)
    if parent is None and actor is not SYSTEM:
        raise PermissionDenied(_("Only the installer creates a new top-level organisation."))
    grant = require(actor, "node.manage", parent) if parent is not None else None
    with transaction.atomic():
        if Node.objects.filter(code=code).exists():
            raise Invalid(_("The code %(code)s is already used.") % {"code": code})
        if parent is None:
            node = Node.objects.add_root(create_kwargs={"kind": kind, "code": code, "name": name})
        else:
            node = Node.objects.add_child(Node.objects.get(pk=parent.pk), create_kwargs={"kind": kind, "code": code, "name": name})
        audit_record(
            actor=actor, role=grant.role if grant else "system", action="node.create", target=node,
            after=snapshot(node, NODE_FIELDS),
        )
    return node


def node_update(*, actor: Person, node: Node, name: str | None = None, code: str | None = None) -> Node:
    """Rename or re-code a node. Its place in the tree does not change."""
    grant = require(actor, "node.manage", node)
    with transaction.atomic():
        node = Node.objects.select_for_update().get(pk=node.pk)
        before = snapshot(node, NODE_FIELDS)
        code, name = _node_text(code=code or "", name=name or "")
        node.name = name or node.name
        if code and code != node.code:
            if Node.objects.filter(code=code).exists():
                raise Invalid(_("The code %(code)s is already used.") % {"code": code})
            node.code = code
        node.save()
        audit_record(actor=actor, role=grant.role, action="node.update", target=node, before=before,
                     after=snapshot(node, NODE_FIELDS))
    return node


def person_create(
    *, actor, name: str, phone: str = "", id_number: str = "", address: str = "",
    username: str = "", password: str = "", node: Node | None = None, role: str = "",
) -> Person:
    """Register a person, optionally with a login and a first role. ``actor`` is a Person or ``SYSTEM``."""
    name, address = _person_text("name", name), _person_text("address", address)
    if not name:
        raise Invalid(_("A name is required."))
    phone = validate_phone(phone)
    if role and node is None:
        raise Invalid(_("A role needs a node."))
    if role:
        _check_may_grant(actor=actor, role=role, node=node)
    with transaction.atomic():
        person = Person(name=name, phone=phone, address=address)
        if id_number:
            person.set_id_number(id_number)
            if Person.objects.filter(id_number_digest=person.id_number_digest).exists():
                raise Invalid(_("A person with this ID number is already registered."))
        if username:
            person.user = _create_user(username=username, password=password)
        person.save()
        audit_record(actor=actor, action="person.create", target=person, node=node,
                     after=snapshot(person, PERSON_FIELDS))
        if role:
            _grant(actor=actor, person=person, node=node, role=role)
    return person


def person_update(*, actor: Person, person: Person, **changes) -> Person:
    """Change a person's name, phone, address, ID number or active flag, within the actor's area."""
    grant = _require_over_person(actor=actor, action="person.manage", person=person)
    allowed = {"name", "phone", "address", "is_active", "id_number"}
    if unknown := set(changes) - allowed:
        raise Invalid(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = snapshot(person, PERSON_FIELDS)
        if "phone" in changes:
            person.phone = validate_phone(changes.pop("phone"))
        if "id_number" in changes:
            person.set_id_number(changes.pop("id_number"))
        for field, value in changes.items():
            setattr(person, field, _person_text(field, value) if isinstance(value, str) else value)
        if not person.name:
            raise Invalid(_("A name is required."))
        person.save()
        audit_record(actor=actor, role=grant.role, action="person.update", target=person, node=None,
                     before=before, after=snapshot(person, PERSON_FIELDS))
    return person


def role_grant(*, actor, person: Person, node: Node, role: str) -> RoleAssignment:
    """Give ``person`` a role at ``node``. Granting the same role twice returns the existing assignment."""
    _check_may_grant(actor=actor, role=role, node=node)
    with transaction.atomic():
        return _grant(actor=actor, person=person, node=node, role=role)


def role_revoke(*, actor: Person, assignment: RoleAssignment) -> None:
    _check_may_grant(actor=actor, role=assignment.role, node=assignment.node)
    with transaction.atomic():
        before = snapshot(assignment, ["person_id", "node_id", "role"])
        audit_record(actor=actor, action="role.revoke", target=assignment.person, node=assignment.node, before=before)
        assignment.delete()
        roles_changed.send(sender=RoleAssignment, people=[assignment.person_id])
    forget_assignments(assignment.person)


def api_token_create(*, actor: Person, label: str = "") -> tuple[ApiToken, str]:
    """Issue a token for the actor's own use; the secret is returned once and never stored."""
    label = text_within(label, limit=ApiToken._meta.get_field("label").max_length, label=_("The label"))
    secret = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(person=actor, digest=ApiToken.digest_of(secret), label=label)
        audit_record(actor=actor, action="api_token.create", target=token, node=None, after={"label": token.label})
    return token, secret


def _grant(*, actor, person: Person, node: Node, role: str) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(person=person, node=node, role=role)
    if created:
        audit_record(actor=actor, action="role.grant", target=person, node=node,
                     after={"person_id": person.pk, "node_id": node.pk, "role": role})
        forget_assignments(person)
        roles_changed.send(sender=RoleAssignment, people=[person.pk])
    return assignment


def _check_may_grant(*, actor: Person, role: str, node: Node) -> None:
    if role not in Role.values:
        raise Invalid(_("Unknown role: %(role)s") % {"role": role})
    if not may_grant_role(actor, role, node):
        audit_denied(actor=actor, action="role.grant", node=node, reason=role)
        raise PermissionDenied(_("You may not give this role at this node."))


def _require_over_person(*, actor: Person, action: str, person: Person):
    """A person is in scope where any of their role nodes is. Only ``SYSTEM`` reaches a person with no role."""
    if actor is SYSTEM:
        return Grant("system", None, "")
    for assignment in person.roles.select_related("node"):
        if grant := grant_for(actor, action, assignment.node):
            return grant
    audit_denied(actor=actor, action=action, target=person)
    raise PermissionDenied(_("This person is outside your area."))


def _create_user(*, username: str, password: str):
    User = get_user_model()
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise Invalid(_("The login name %(username)s is taken.") % {"username": username})
    try:
        return User.objects.create_user(username=username, password=password or None)
    except IntegrityError:
        raise Invalid(_("The login name %(username)s is taken.") % {"username": username}) from None


def api_tokens_end(*, people) -> int:
    """Delete every API token of ``people``, who were just switched off (``orgs.deactivation``).

    Runs inside the deactivation's own save; the record says the system withdrew the tokens because of it.
    """
    total = 0
    for person in people:
        deleted, _rows = ApiToken.objects.filter(person=person).delete()
        if deleted:
            audit_record(actor=SYSTEM, role="system", action="api_token.revoke", target=person, node=None,
                         reason="deactivated", after={"tokens": deleted})
        total += deleted
    return total


def api_token_revoke(*, actor: Person, token: ApiToken) -> None:
    """Withdraw one of the actor's own API tokens; it stops working at once."""
    if actor is None or token.person_id != actor.pk:
        audit_denied(actor=actor, action="api_token.revoke", target=token, node=None)
        raise PermissionDenied(_("You may only revoke your own tokens."))
    with transaction.atomic():
        audit_record(actor=actor, action="api_token.revoke", target=token, node=None,
                     before={"label": token.label, "created_at": token.created_at.isoformat()})
        token.delete()
