"""The one answer to "may actor X do action A on object O".

An action is allowed to a set of roles. A role held at a node reaches that node's subtree and nothing
else, so the check is: does the actor hold one of the action's roles at a node whose path is a prefix of
the object's node path. Every service asks ``require`` before it changes anything; other apps add their
own actions with ``register``.
"""

from dataclasses import dataclass

from gridgov.audit.services import audit_denied
from gridgov.errors import PermissionDenied
from gridgov.orgs.models import Node, Person, Role, RoleAssignment

CADRES = frozenset({Role.PLATFORM_ADMIN, Role.STREET_CADRE, Role.COMMUNITY_CADRE})
EVERY_ROLE = frozenset(Role)

ACTIONS: dict[str, frozenset[str]] = {}


def register(action: str, roles) -> None:
    """Declare which roles may do ``action`` (within their subtree). Declaring twice must agree."""
    roles = frozenset(roles)
    if ACTIONS.get(action, roles) != roles:
        raise ValueError(f"action {action!r} is already registered with other roles")
    ACTIONS[action] = roles


register("node.view", EVERY_ROLE)
register("node.manage", CADRES)
register("person.view", CADRES | {Role.PARTY_AUDITOR, Role.GRID_LEADER, Role.SUPERVISOR})
register("person.view_private", CADRES)
register("person.manage", CADRES)
register("orgs.import", CADRES)
register("orgs.export", CADRES | {Role.SUPERVISOR})
register("audit.view", {Role.PLATFORM_ADMIN, Role.SUPERVISOR})

# Who may hand out which role: nobody grants a role above their own.
GRANTABLE: dict[str, frozenset[str]] = {
    Role.PLATFORM_ADMIN: EVERY_ROLE,
    Role.STREET_CADRE: EVERY_ROLE - {Role.PLATFORM_ADMIN, Role.SUPERVISOR},
    Role.COMMUNITY_CADRE: frozenset(
        {Role.GRID_LEADER, Role.GRID_WORKER, Role.RESIDENT, Role.MERCHANT_STAFF, Role.PARTY_AUDITOR}
    ),
}


class SystemActor:
    """The installer and the demo seeder: trusted code acting with no person behind it.

    Passing ``SYSTEM`` is always explicit; a missing person (``None``) is refused like anyone else.
    """

    pk = None
    name = "系统"
    is_active = True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Grant:
    """The role assignment that let an action through: recorded in the audit trail."""

    role: str
    node_id: int
    node_path: str


def scope_node(target) -> Node | None:
    """The tree node an object belongs to (``scope_node()``; a Node is its own)."""
    node = getattr(target, "scope_node", None)
    return node() if callable(node) else node


def assignments_of(actor: Person) -> list[tuple[str, int, str]]:
    """(role, node id, node path) for the actor, loaded once per Person instance."""
    cached = getattr(actor, "_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(person=actor).values_list("role", "node_id", "node__path"))
        actor._assignments = cached
    return cached


def remember_assignments(actor: Person, assignments: list[tuple[str, int, str]]) -> None:
    """Hand ``assignments_of`` the actor's (role, node id, node path) read along with something else.

    The API's token lookup reads the roles in the same query as the person, sparing each request one query.
    """
    actor._assignments = list(assignments)


def forget_assignments(actor: Person) -> None:
    actor.__dict__.pop("_assignments", None)


def grant_for(actor: Person | SystemActor | None, action: str, target) -> Grant | None:
    """The actor's narrowest role assignment that allows ``action`` on ``target``, or None."""
    if actor is None or not actor.is_active:
        return None
    try:
        allowed = ACTIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None
    node = scope_node(target)
    if node is None:
        raise ValueError(f"{target!r} belongs to no node")
    if actor is SYSTEM:
        return Grant("system", node.pk, node.path)
    matches = [
        Grant(role, node_id, path)
        for role, node_id, path in assignments_of(actor)
        if role in allowed and node.path.startswith(path)
    ]
    return max(matches, key=lambda grant: len(grant.node_path), default=None)


def role_paths(actor, action: str | None = None, *, roles=None) -> list[str]:
    """Paths of the nodes where ``actor`` holds a role (one allowed ``action``, or one of ``roles``, if given):
    the roots of their area."""
    if actor is None or actor is SYSTEM or not actor.is_active:
        return []
    allowed = ACTIONS[action] if action else (frozenset(roles) if roles is not None else None)
    return sorted({path for role, _id, path in assignments_of(actor) if allowed is None or role in allowed})


def can(actor: Person | None, action: str, target) -> bool:
    return grant_for(actor, action, target) is not None


def require(actor: Person | None, action: str, target) -> Grant:
    """Return the grant that allows the action, or record the refused attempt and raise."""
    grant = grant_for(actor, action, target)
    if grant is None:
        audit_denied(actor=actor, action=action, target=target, node=scope_node(target))
        raise PermissionDenied()
    return grant


def may_somewhere(actor: Person | None, action: str) -> bool:
    """Whether the actor holds a role that allows ``action`` at some node: whether to offer the door to a
    page at all (the page still checks the node it shows)."""
    if actor is SYSTEM:
        return True
    if actor is None or not actor.is_active:
        return False
    return any(role in ACTIONS[action] for role, _id, _path in assignments_of(actor))


def may_grant_role(actor: Person, role: str, node: Node) -> bool:
    """Whether ``actor`` may hand ``role`` to someone at ``node``."""
    if actor is SYSTEM:
        return True
    if actor is None or not actor.is_active:
        return False
    return any(
        role in GRANTABLE.get(held, ()) and node.path.startswith(path) for held, _id, path in assignments_of(actor)
    )
