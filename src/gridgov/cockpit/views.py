"""The cockpit (驾驶舱), its large-screen mode (大屏) and the map (一张图) of the viewer's area or of a node in it."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov.cockpit import selectors
from gridgov.errors import PermissionDenied
from gridgov.geo import selectors as geo
from gridgov.indices.models import Colour
from gridgov.orgs.imports import scope_roots_for
from gridgov.orgs.permissions import can
from gridgov.orgs.selectors import node_in_area
from gridgov.pages import person_of
from gridgov.replicas import replica_reads
from gridgov.security import policy_for

SCREEN_REFRESH_SECONDS = 300
MAP_DEPTH = 2  # the map draws the children of its node, and their children as thin lines


def _area(request):
    """The viewer, the node asked for (``?node=CODE``, within their area) or their own top node, and the topmost
    nodes they may open."""
    person = person_of(request)
    roots = scope_roots_for(person, "cockpit.view")
    if not roots:
        raise PermissionDenied(_("The cockpit is for the cadres of an area: no role of yours opens it."))
    code = request.GET.get("node", "").strip()
    node = node_in_area(person, code, "cockpit.view") if code else roots[0]
    return person, node, roots


@replica_reads
@login_required
@require_GET
def cockpit(request):
    person, node, roots = _area(request)
    return render(request, "cockpit/cockpit.html", _context(node, roots, person))


@replica_reads
@login_required
@require_GET
def screen(request):
    person, node, roots = _area(request)
    context = _context(node, roots, person)
    context.update(refresh=SCREEN_REFRESH_SECONDS, refresh_minutes=SCREEN_REFRESH_SECONDS // 60)
    return render(request, "cockpit/screen.html", context)


def _context(node, roots, person) -> dict:
    board = selectors.cockpit(node, viewer_roots=roots)
    links = selectors.links_for(person)
    return {"board": board, "node": node, "roots": roots if len(roots) > 1 else [], "links": links,
            "work": selectors.shown(board.work, links), "alerts": selectors.shown(board.alerts, links), "charts": {
        "weeks": [row["label"] for row in board.weeks],
        "filed": [row["filed"] for row in board.weeks],
        "closure": [row["closure"] for row in board.weeks],
        "on_time": [row["on_time"] for row in board.weeks],
        "points": [row["points"] for row in board.weeks],
        "categories": [row["name"] for row in board.categories][:10],
        "category_filed": [row["filed"] for row in board.categories][:10],
        "labels": {"filed": _("Reports filed"), "closure": _("Resolved (%)"), "on_time": _("Resolved in time (%)"),
                   "points": _("Points granted")},
    }}


@replica_reads
@login_required
@require_GET
def area_map(request):
    person, node, roots = _area(request)
    tiles = settings.MAP_TILE_URL
    redraw = can(person, "geo.manage", node)  # the areas shown are inside ``node``: redrawn under the same grant
    response = render(request, "cockpit/map.html", {
        "node": node, "roots": roots if len(roots) > 1 else [], "trail": selectors.trail(node, roots),
        "redraw": redraw,
        "config": {"node": node.code, "tiles": tiles, "tiles_attribution": settings.MAP_TILE_ATTRIBUTION,
                   "data": reverse("cockpit:map_data"),
                   "report": reverse("reports:detail", kwargs={"pk": 0}),
                   "claim": reverse("tasks:claim_detail", kwargs={"pk": 0}),
                   "page": reverse("cockpit:map"), "redraw": redraw},
        "labels": {"colour": _("Colour code: %(name)s"), "none": _("No figure"), "no_boundaries": _(
            "No boundaries are drawn for this area yet: a cadre imports them under Boundaries."),
            "loaded": _(
            "%(areas)d areas, %(reports)d open reports and %(claims)d pieces of work with a location."), "failed": _(
            "The map could not be loaded; reload the page to try again."), "open": _("Open"),
            "overdue": _("Overdue"), "report": _("Report"), "task": _("Task"), "zoom_in": _("Zoom in"), "zoom_out": _("Zoom out"),
            "choose": _("Click the area whose boundary you want to redraw."),
            "editing": _("Redrawing %(name)s: drag a corner to move it, click the map to add a corner on the "
                         "nearest edge, click a corner to remove it. Then save."),
            "fresh": _("Redrawing %(name)s from scratch: click the map to place its corners in order, at least 3."),
            "too_few": _("A boundary needs at least 3 corners."),
            "colours": {colour.value: str(colour.label) for colour in Colour}},
    })
    if tiles:  # the intranet tile server's images may be shown here (only here)
        response["Content-Security-Policy"] = policy_for(request.path).replace(
            "img-src 'self' blob:", f"img-src 'self' blob: {settings.MAP_TILE_ORIGIN}")
    return response


@replica_reads
@login_required
@require_GET
def map_data(request):
    """What the map page draws, for the logged-in viewer: ``{"boundaries": GeoJSON of the node down two levels,
    "layers": selectors.map_layers}`` (the API's ``/geo/{code}`` and ``/cockpit/{code}/layers`` take a token)."""
    _person, node, _roots = _area(request)
    text = ('{"boundaries":' + geo.features(node=node, depth=MAP_DEPTH) + ',"layers":'
            + json.dumps(selectors.map_layers(node), cls=DjangoJSONEncoder, ensure_ascii=False) + "}")
    return HttpResponse(text, content_type="application/json")
