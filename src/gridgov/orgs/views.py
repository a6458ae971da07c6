"""Server-rendered pages: logging in and the tree browser.

Views stay thin: reads come from ``selectors`` and ``overview``, and every node shown is checked with
``permissions.require`` (a refused look is recorded in the audit trail like any refused action).
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from gridgov.orgs import overview, permissions, selectors
from gridgov.orgs.forms import LoginForm
from gridgov.orgs.models import Node, Person
from gridgov.pages import person_of

# A node page lists at most this many role holders; the rest are reached through the nodes below.
HOLDERS_SHOWN = 200

class LoginView(auth_views.LoginView):
    """Django's login, styled; django-axes answers with ``registration/locked_out.html`` after repeated failures."""

    form_class = LoginForm
    redirect_authenticated_user = True

@login_required
def tree_index(request):
    """Search the tree (``?q=`` by name or pinyin initials), or start from the person's own nodes."""
    person = person_of(request)
    query = request.GET.get("q", "").strip()
    found = list(selectors.search_nodes(person, query)) if query else []
    crumbs = overview.breadcrumbs(found)
    context = {"query": query, "results": [(node, crumbs[node.pk]) for node in found]}
    if request.headers.get("HX-Request"):
        return render(request, "orgs/_search_results.html", context)
    roots = _outermost(list(selectors.scope_roots(person)))
    if not query and len(roots) == 1:
        return redirect("tree_node", code=roots[0].code)
    context["roots"] = _rows(roots)
    return render(request, "orgs/tree_index.html", context)

@login_required
def tree_node(request, code: str):
    person, node = _viewable_node(request, code)
    may_see_people = permissions.can(person, "person.view", node)
    ancestors = list(selectors.ancestors(node))
    children = list(Node.objects.get_children(node))
    figures = overview.below([node, *children])
    return render(request, "orgs/tree_node.html", {
        "node": node,
        "below": figures[node.pk],
        "rows": [(child, figures[child.pk]) for child in children],
        "breadcrumb": [(ancestor, permissions.can(person, "node.view", ancestor)) for ancestor in ancestors],
        "holders": list(overview.role_holders_at(node)[:HOLDERS_SHOWN]) if may_see_people else None,
        "holders_shown": HOLDERS_SHOWN,
        "show_private": permissions.can(person, "person.view_private", node),
    })

@login_required
def tree_children(request, code: str):
    """The children of a node as a fragment, fetched by htmx when a row is expanded."""
    _person, node = _viewable_node(request, code)
    return render(request, "orgs/_children.html", {"rows": _rows(list(Node.objects.get_children(node)))})

def _viewable_node(request, code: str) -> tuple[Person, Node]:
    person = person_of(request)
    node = get_object_or_404(Node, code=code)
    permissions.require(person, "node.view", node)
    return person, node

def _outermost(nodes: list[Node]) -> list[Node]:
    """Drop nodes that lie inside another of the given nodes (a person may hold roles at both)."""
    nodes = sorted(nodes, key=lambda node: node.path)
    kept: list[Node] = []
    for node in nodes:
        if not any(node.path.startswith(outer.path) for outer in kept):
            kept.append(node)
    return kept

def _rows(nodes: list[Node]) -> list[tuple[Node, overview.Below]]:
    """Each node with the counts of what lies below it (two queries for the whole list)."""
    figures = overview.below(nodes)
    return [(node, figures[node.pk]) for node in nodes]
