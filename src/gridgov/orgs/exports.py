"""Exporting the tree and people in the import format, and the blank templates to fill.

An export is the actor's area (or one node's subtree within it) laid out exactly as ``imports.py`` reads
it, so a cadre can edit an export and upload it again. Roles with ``person.view_private`` get phones and
addresses; everyone else gets masked phones and no addresses. ID numbers are never stored in full, so the
column stays blank. Each export of data is written to the audit trail (personal data leaving the system).
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record
from gridgov.errors import Invalid
from gridgov.orgs import excel
from gridgov.orgs.excel import PEOPLE, TREE
from gridgov.orgs.imports import require_somewhere, scope_roots_for
from gridgov.orgs.models import Node, RoleAssignment
from gridgov.orgs.permissions import can, require


def _export_roots(actor, action: str, node_code: str | None) -> list[Node]:
    if node_code:
        node = Node.objects.filter(code=node_code).first()
        if node is None:
            raise Invalid(_("No node has the code %(code)s.") % {"code": node_code})
        require(actor, action, node)
        return [node]
    require_somewhere(actor, action)
    return scope_roots_for(actor, action)


def _subtree_filter(roots: list[Node], prefix: str = "") -> Q:
    condition = Q()
    for root in roots:
        condition |= Q(**{f"{prefix}path__startswith": root.path})
    return condition


def export_workbook(*, actor, sheet: str, node_code: str | None = None) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the actor's area, or of ``node_code``'s subtree, in the import format."""
    if sheet not in excel.SHEETS:
        raise Invalid(_("Unknown sheet type."))
    roots = _export_roots(actor, "orgs.export", node_code)
    if sheet == TREE:
        rows = _tree_rows(roots)
    else:
        rows = _people_rows(actor, roots)
    for root in roots:
        grant = require(actor, "orgs.export", root)
        audit_record(actor=actor, role=grant.role, action="orgs.export", target=root,
                     after={"sheet": sheet, "rows": len(rows)})
    name = f"{excel.SHEET_TITLES[sheet]}-{roots[0].code if len(roots) == 1 else 'export'}.xlsx"
    return name, excel.build_workbook(sheet, rows)


def _tree_rows(roots: list[Node]) -> list[dict]:
    nodes = list(Node.objects.filter(_subtree_filter(roots)).order_by("path").values_list("path", "code", "name", "kind"))
    code_of = {path: code for path, code, _name, _kind in nodes}
    outer = {path[: -Node.steplen] for path, *_rest in nodes if len(path) > Node.steplen} - set(code_of)
    code_of.update(Node.objects.filter(path__in=outer).values_list("path", "code"))
    return [
        {"code": code, "name": name, "kind": excel.KIND_LABELS.get(kind, kind),
         "parent": code_of.get(path[: -Node.steplen], "")}
        for path, code, name, kind in nodes
    ]


def _people_rows(actor, roots: list[Node]) -> list[dict]:
    assignments = (
        RoleAssignment.objects.filter(_subtree_filter(roots, "node__"))
        .select_related("person", "person__user", "node")
        .order_by("person__name_initials", "person_id", "node__path", "role")
    )
    rows = []
    for assignment in assignments:
        person = assignment.person
        private = can(actor, "person.view_private", assignment.node)
        rows.append({
            "name": person.name,
            "phone": person.phone if private else person.phone_masked,
            "id_number": "",  # never stored in full (see the decision on personal data)
            "address": person.address if private else "",
            "role": excel.ROLE_LABELS.get(assignment.role, assignment.role),
            "node": assignment.node.code,
            "login": person.user.username if person.user_id else "",
        })
    return rows


def template_workbook(*, actor, sheet: str) -> tuple[str, bytes]:
    """The blank workbook to fill; the people template lists the actor's node codes for its dropdown."""
    if sheet not in excel.SHEETS:
        raise Invalid(_("Unknown sheet type."))
    require_somewhere(actor, "orgs.import")
    node_codes = None
    if sheet == PEOPLE:
        roots = scope_roots_for(actor, "orgs.import")
        node_codes = list(Node.objects.filter(_subtree_filter(roots)).order_by("path").values_list("code", "name")[:20000])
    return f"{excel.SHEET_TITLES[sheet]}-模板.xlsx", excel.build_workbook(sheet, node_codes=node_codes)
