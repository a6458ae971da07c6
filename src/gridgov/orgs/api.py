"""API for the tree and for "me"."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from gridgov.orgs import selectors
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import require

router = Router(tags=["orgs"])


class NodeOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    depth: int
    parent_code: str | None = None

    @staticmethod
    def resolve_parent_code(node):
        parent = node.get_parent()
        return parent.code if parent else None


class RoleOut(Schema):
    role: str
    role_label: str
    node: NodeOut

    @staticmethod
    def resolve_role_label(assignment):
        return str(assignment.get_role_display())


class MeOut(Schema):
    id: int
    name: str
    phone_masked: str
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="My roles and the nodes they cover")
def me(request):
    person = request.person
    return {"id": person.pk, "name": person.name, "phone_masked": person.phone_masked,
            "roles": list(selectors.roles_of(person))}


@router.get("/nodes/{code}", response=NodeOut, summary="One node of the tree")
def node_detail(request, code: str):
    node = get_object_or_404(Node, code=code)
    require(request.person, "node.view", node)
    return node


@router.get("/nodes/{code}/subtree", response=list[NodeOut], summary="A node and its descendants")
def node_subtree(request, code: str, max_depth: int | None = None):
    node = get_object_or_404(Node, code=code)
    require(request.person, "node.view", node)
    return list(selectors.subtree(node, max_depth=max_depth))
