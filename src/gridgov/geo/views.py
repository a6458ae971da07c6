"""The cadres' page for boundaries: import a GeoJSON file (every problem listed per feature), export one; and
the form behind "redraw this boundary" on the map."""

import json
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.errors import DomainError, Invalid, PermissionDenied, message_of
from gridgov.geo import selectors, services
from gridgov.geo.forms import ImportForm
from gridgov.orgs.imports import scope_roots_for
from gridgov.orgs.permissions import may_somewhere
from gridgov.orgs.selectors import node_in_area
from gridgov.pages import declared_length, person_of

UPLOAD_OVERHEAD = 64 * 1024  # the form's other fields and the multipart framing around the file


@login_required
@require_http_methods(["GET", "POST"])
def boundaries(request):
    person = person_of(request)
    if not may_somewhere(person, "geo.manage"):
        raise PermissionDenied(_("You may not import boundaries: no role of yours allows it."))
    form, result, refused, status = ImportForm(), None, "", 200
    if request.method == "POST":
        if declared_length(request) > settings.IMPORT_MAX_BYTES + UPLOAD_OVERHEAD:
            # Refused before Django reads the upload into a temporary file.
            refused = _("The file is larger than %(limit)s; split it, e.g. one file per community.") % {
                "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
            status = 413
        else:
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                result = services.boundaries_import(actor=person, file=form.cleaned_data["file"],
                                                    crs=form.cleaned_data["crs"])
                if result.ok:
                    messages.success(request, _("Imported %(features)d features: %(created)d new, %(updated)d "
                                                "redrawn, %(unchanged)d unchanged.") % {
                        "features": result.features, "created": result.created, "updated": result.updated,
                        "unchanged": result.unchanged})
                    return redirect("geo:boundaries")
    return render(request, "geo/boundaries.html", {
        "form": form, "result": result, "refused": refused, "roots": scope_roots_for(person, "geo.manage"),
        "limit": settings.IMPORT_MAX_BYTES, "problem_headers": [_("Feature"), _("Code"), _("Problem")],
        "problems": [(error.feature, error.code, error.message) for error in result.errors] if result else [],
    }, status=status)


@login_required
@require_GET
def export(request):
    person = person_of(request)
    node = node_in_area(person, request.GET.get("node", "").strip())
    response = HttpResponse(selectors.boundaries_export_text(node=node), content_type="application/geo+json")
    response["Content-Disposition"] = content_disposition_header(True, f"边界-{node.code}.geojson")
    return response


REDRAWN_MAX_CHARACTERS = 1_000_000  # the drawn polygon's JSON: thousands of vertices, far more than a hand draws


@login_required
@require_POST
def redraw(request):
    """Save a boundary redrawn on the map (``node``: its code, ``geometry``: a GeoJSON Polygon as JSON text)
    through ``services.boundary_set``, and go back to the map (``next``). A refusal goes back with the reason
    and ``redraw=<code>``, so the map reopens the drawing as it was."""
    person = person_of(request)
    code = request.POST.get("node", "").strip()[:100]
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("geo:boundaries")
    try:
        node = node_in_area(person, code)
        _boundary, changed = services.boundary_set(actor=person, node=node,
                                                   geometry_in=_drawn(request.POST.get("geometry", "")))
    except DomainError as error:
        messages.error(request, message_of(error))
        return redirect(_with_query(target, redraw=code))
    if changed:
        messages.success(request, _("The boundary of %(name)s is saved.") % {"name": node.name})
    else:
        messages.info(request, _("The boundary of %(name)s was already exactly this; nothing changed.")
                      % {"name": node.name})
    return redirect(_with_query(target, redraw=None))


def _drawn(text: str) -> dict:
    if len(text) > REDRAWN_MAX_CHARACTERS:
        raise Invalid(_("The drawing has too many vertices; simplify it."), code="invalid_geometry")
    try:
        drawn = json.loads(text)
    except (ValueError, RecursionError):
        drawn = None
    if not isinstance(drawn, dict):
        raise Invalid(_("The drawing could not be read; draw the boundary again."), code="invalid_geometry")
    return drawn


def _with_query(address: str, **changes) -> str:
    """``address`` with its query's ``changes`` applied (None: removed)."""
    parts = urlsplit(address)
    query = QueryDict(parts.query, mutable=True)
    for name, value in changes.items():
        query.pop(name, None)
        if value:
            query[name] = value
    return urlunsplit(parts._replace(query=urlencode(list(query.lists()), doseq=True)))
