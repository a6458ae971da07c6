"""The cadres' page for boundaries: import a GeoJSON file (every problem listed per feature), export one."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.errors import PermissionDenied
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
