"""API for tokens, "me", the tree and the people in it.

Scope: a node outside the caller's area answers 404 ``not_found`` exactly like an unknown code, so the API
never confirms that a code exists elsewhere (the refused look-up is still written to the audit trail by
``require``). A node inside the area for which the caller lacks the action (a grid worker asking for
people, or for a write) answers 403 ``forbidden``.
"""

from datetime import datetime
from typing import Annotated

from django.contrib.auth import authenticate, user_logged_in
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import model_validator

from gridgov.api_schemas import Limit, Line, Offset, Page, errors, page
from gridgov.errors import DomainError
from gridgov.orgs import selectors, services
from gridgov.orgs.models import Node, NodeKind, RoleAssignment
from gridgov.orgs.permissions import ACTIONS, can, require

router = Router(tags=["orgs"])

CODE_PATTERN = r"^[\w.\-]{1,32}$"  # letters (Chinese too), digits, _ . - : safe in a URL path segment
Text = Line


# --- schemas -------------------------------------------------------------------------------------------



class TokenIn(Schema):
    username: Text = Field(min_length=1, max_length=150, examples=["street"])
    password: str = Field(min_length=1, max_length=1024, examples=["correct horse battery staple"])
    label: Text = Field("", max_length=100, examples=["巡查 app on my phone"])


class TokenOut(Schema):
    token: str = Field(description="Shown once; only its digest is stored.", examples=["q8X…"])
    label: str = Field(examples=["巡查 app on my phone"])
    created_at: datetime


class NodeOut(Schema):
    id: int
    code: str = Field(examples=["FY-C01-G03"])
    name: str = Field(examples=["东门社区第三网格"])
    kind: NodeKind = Field(examples=["grid"])
    kind_label: str = Field(examples=["网格"])
    depth: int = Field(description="1 for a root (district), growing downwards.", examples=[4])
    parent_code: str | None = Field(None, examples=["FY-C01"])
    children_count: int = Field(examples=[7])

    @staticmethod
    def resolve_kind_label(node):
        return str(node.get_kind_display())

    @staticmethod
    def resolve_children_count(node):
        return node.numchild


class NodeDetailOut(NodeOut):
    children_by_kind: dict[str, int] = Field(examples=[{"micro_grid": 6, "building": 1}])
    descendants_count: int = Field(examples=[13])


class MyRoleOut(Schema):
    role: str = Field(examples=["grid_worker"])
    role_label: str = Field(examples=["网格员"])
    node: NodeOut
    actions: list[str] = Field(description="What this role may do within the node's subtree.",
                               examples=[["node.view", "task.claim"]])


class MeOut(Schema):
    id: int
    name: str = Field(examples=["刘网格"])
    phone_masked: str = Field(examples=["138****1234"])
    roles: list[MyRoleOut]


class PersonRoleOut(Schema):
    role: str = Field(examples=["resident"])
    role_label: str = Field(examples=["居民"])
    node_code: str = Field(examples=["FY-C01-G03-M02"])
    node_name: str = Field(examples=["第二微网格"])


class PersonOut(Schema):
    id: int
    name: str = Field(examples=["周居民"])
    phone: str = Field(description="Masked (138****1234) unless you may see private data here.",
                       examples=["138****1234"])
    id_number_tail: str | None = Field(None, description="Only for roles that may see private data.")
    address: str | None = Field(None, description="Only for roles that may see private data.")
    roles: list[PersonRoleOut] = Field(description="The person's roles inside the asked node's subtree.")


class NodeCreateIn(Schema):
    kind: NodeKind = Field(examples=["micro_grid"])
    code: str = Field(pattern=CODE_PATTERN, examples=["FY-C01-G03-M08"])
    name: Text = Field(min_length=1, max_length=100, examples=["东门社区第三网格第八微网格"])


class NodeUpdateIn(Schema):
    name: Text | None = Field(None, min_length=1, max_length=100, examples=["东门社区第三网格（新村）"])
    code: str | None = Field(None, pattern=CODE_PATTERN, examples=["FY-C01-G03"])

    @model_validator(mode="after")
    def something_to_change(self):
        if self.name is None and self.code is None:
            raise ValueError("give a new name or a new code")
        return self


# --- helpers -------------------------------------------------------------------------------------------


def _visible_node(request, code: str) -> Node:
    """The node with ``code`` if the caller may see it; otherwise 404, whether it exists or not."""
    return selectors.node_in_area(request.person, code)


def _with_parent_codes(nodes: list[Node]) -> list[Node]:
    """Set ``parent_code`` on each node with at most one query (parents are usually in the list)."""
    code_at = {node.path: node.code for node in nodes}
    missing = {node.path[: -Node.steplen] for node in nodes if node.depth > 1} - code_at.keys()
    if missing:
        code_at.update(Node.objects.filter(path__in=missing).values_list("path", "code"))
    for node in nodes:
        node.parent_code = code_at.get(node.path[: -Node.steplen]) if node.depth > 1 else None
    return nodes


# --- tokens --------------------------------------------------------------------------------------------


@router.post(
    "/auth/token", auth=None, tags=["auth"], response={201: TokenOut, **errors(401, 403, 429)},
    summary="Issue an API token (签发接口令牌)",
    description="Log in with a username and password and receive a bearer token, shown once. Failed attempts "
    "count towards the same lock-out as the login page (429 `locked_out`).",
)
def token_issue(request, body: TokenIn):
    user = authenticate(request=request, username=body.username, password=body.password)
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False  # answered here in JSON, not by axes' HTML lock-out page
        raise DomainError(_("Too many failed logins; try again later."), code="locked_out")
    if user is None:
        raise DomainError(_("The username or password is wrong."), code="bad_credentials")
    person = selectors.person_for_user(user)
    if person is None:
        raise DomainError(_("This login belongs to no active person and cannot use the API."), code="no_person")
    user_logged_in.send(sender=user.__class__, request=request, user=user)  # resets axes' failure count
    token, secret = services.api_token_create(actor=person, label=body.label)
    return Status(201, {"token": secret, "label": token.label, "created_at": token.created_at})


@router.delete(
    "/auth/token", tags=["auth"], response={204: None, **errors(403)},
    summary="Revoke this token (注销当前令牌)", description="The token used for this request stops working.",
)
def token_revoke(request):
    services.api_token_revoke(actor=request.person, token=request.api_token)
    return Status(204, None)


# --- me ------------------------------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="My roles and what they allow (我的角色与权限)")
def me(request):
    person = request.person
    assignments = list(selectors.roles_of(person))
    _with_parent_codes([assignment.node for assignment in assignments])
    roles = [
        {
            "role": assignment.role,
            "role_label": str(assignment.get_role_display()),
            "node": assignment.node,
            "actions": sorted(action for action, roles in ACTIONS.items() if assignment.role in roles),
        }
        for assignment in assignments
    ]
    return {"id": person.pk, "name": person.name, "phone_masked": person.phone_masked, "roles": roles}


# --- tree ----------------------------------------------------------------------------------------------


@router.get("/nodes", response=Page[NodeOut], summary="The roots of my area (我的管辖范围)")
def node_roots(request, limit: Limit = 100, offset: Offset = 0):
    """Nodes where the caller holds a role, leaving out any that lies inside another one."""
    roots: list[Node] = []
    for node in selectors.scope_roots(request.person):  # ordered by path: ancestors come first
        if not any(root.covers(node) for root in roots):
            roots.append(node)
    return page(roots, limit=limit, offset=offset, build=_with_parent_codes)


@router.get("/nodes/search", response=Page[NodeOut],
            summary="Search nodes by name or pinyin initials (按名称或拼音首字母搜索)",
            description="Only nodes in your area. `q=dmsq` finds 东门社区. A node whose code is `search` is "
            "reached through this search, not by `/nodes/search`.")
def node_search(
    request,
    q: Annotated[Text, Query(min_length=1, max_length=50, examples=["dmsq"])],
    limit: Annotated[int, Query(50, ge=1, le=50, description="Items per page, 1 to 50.")] = 50,
    offset: Offset = 0,
):
    matches = selectors.search_nodes(request.person, q, limit=None)
    return page(matches, limit=limit, offset=offset, build=lambda chunk: _with_parent_codes(list(chunk)))


@router.get("/nodes/{code}", response=NodeDetailOut, summary="One node (节点详情)")
def node_detail(request, code: str):
    node = _visible_node(request, code)
    below = selectors.subtree(node).exclude(pk=node.pk)
    node.children_by_kind = dict(
        below.filter(depth=node.depth + 1).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    node.descendants_count = below.count()
    return _with_parent_codes([node])[0]


@router.get("/nodes/{code}/children", response=Page[NodeOut], summary="The children of a node (下级节点)")
def node_children(request, code: str, limit: Limit = 100, offset: Offset = 0):
    node = _visible_node(request, code)

    def with_parent(chunk):
        children = list(chunk)
        for child in children:
            child.parent_code = node.code
        return children

    return page(selectors.subtree(node, max_depth=1).exclude(pk=node.pk), limit=limit, offset=offset,
                build=with_parent)


@router.get("/nodes/{code}/subtree", response=Page[NodeOut],
            summary="A node and everything below it, paginated (子树)")
def node_subtree(
    request,
    code: str,
    max_depth: Annotated[int | None, Query(None, ge=0, le=20, description="Levels below the node.")] = None,
    kind: Annotated[NodeKind | None, Query(None, description="Only nodes of this kind.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    node = _visible_node(request, code)
    nodes = selectors.subtree(node, max_depth=max_depth)
    if kind is not None:
        nodes = nodes.filter(kind=kind)
    return page(nodes, limit=limit, offset=offset, build=lambda chunk: _with_parent_codes(list(chunk)))


@router.get("/nodes/{code}/people", response={200: Page[PersonOut], **errors(403)},
            summary="People holding roles in a node's subtree (辖区人员)",
            description="Needs `person.view` here. Phone numbers are masked unless you hold "
            "`person.view_private` (cadres).")
def node_people(request, code: str, limit: Limit = 100, offset: Offset = 0):
    node = _visible_node(request, code)
    require(request.person, "person.view", node)
    private = can(request.person, "person.view_private", node)
    roles_here = RoleAssignment.objects.filter(node__path__startswith=node.path).select_related("node")
    people = selectors.people_at(node)
    return page(people.prefetch_related(Prefetch("roles", roles_here, to_attr="roles_here")), limit=limit,
                offset=offset, build=lambda chunk: [
        {
            "id": person.pk,
            "name": person.name,
            "phone": person.phone if private else person.phone_masked,
            "id_number_tail": person.id_number_tail if private else None,
            "address": person.address if private else None,
            "roles": [
                {"role": held.role, "role_label": str(held.get_role_display()),
                 "node_code": held.node.code, "node_name": held.node.name}
                for held in person.roles_here
            ],
        }
        for person in chunk
    ])


@router.post("/nodes/{code}/children", response={201: NodeOut, **errors(400, 403)},
             summary="Add a node under this one (新增下级节点)",
             description="Needs `node.manage` here. The kind must fit under the parent's kind "
             "(a grid under a community, a micro-grid under a grid, …); codes are unique.")
def node_create(request, code: str, body: NodeCreateIn):
    parent = _visible_node(request, code)
    node = services.node_create(actor=request.person, parent=parent, kind=body.kind, code=body.code, name=body.name)
    node.parent_code = parent.code
    return Status(201, node)


@router.patch("/nodes/{code}", response={200: NodeOut, **errors(400, 403)},
              summary="Rename or re-code a node (修改节点)", description="Needs `node.manage` here.")
def node_update(request, code: str, body: NodeUpdateIn):
    node = _visible_node(request, code)
    node = services.node_update(actor=request.person, node=node, name=body.name, code=body.code)
    return _with_parent_codes([node])[0]
