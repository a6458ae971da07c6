"""Pages for Excel import and export: thin wrappers over ``gridgov.orgs.imports``."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.errors import DomainError, message_of
from gridgov.orgs import excel, exports, imports, selectors
from gridgov.pages import declared_length

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_CHOICES = [(excel.TREE, gettext_lazy("Organisation tree")), (excel.PEOPLE, gettext_lazy("People and roles"))]


class ImportForm(forms.Form):
    sheet = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=SHEET_CHOICES)
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"), allow_empty_file=True)


def _message(request, message, status: int):
    return render(request, "orgs/excel_message.html", {"message": message}, status=status)


def _forbidden(request, message=None):
    return _message(request, message or _("You may not import or export here: no role of yours allows it."), 403)


@login_required
@require_http_methods(["GET", "POST"])
def excel_import(request):
    person = selectors.person_for_user(request.user)
    may_import = bool(imports.scope_roots_for(person, "orgs.import"))
    export_roots = imports.scope_roots_for(person, "orgs.export")
    if not may_import and (request.method == "POST" or not export_roots):
        return _forbidden(request)
    form, result, refused = ImportForm(), None, ""
    if request.method == "POST":
        # Refuse an oversized upload before Django reads it into temporary files.
        if declared_length(request) > settings.IMPORT_MAX_BYTES + 64 * 1024:
            refused = _("The file is larger than %(limit)s; split it into several files.") % {
                "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
            status = 413
        else:
            form = ImportForm(request.POST, request.FILES)
            status = 200
            if form.is_valid():
                service = imports.import_tree if form.cleaned_data["sheet"] == excel.TREE else imports.import_people
                try:
                    result = service(actor=person, file=form.cleaned_data["file"])
                except DomainError as error:
                    return _message(request, message_of(error), error.status)
    else:
        status = 200
    return render(request, "orgs/excel_import.html", {
        "form": form, "result": result, "refused": refused, "may_import": may_import, "export_roots": export_roots,
        "sheets": SHEET_CHOICES, "problem_headers": [_("Row"), _("Column"), _("Problem")],
        "problems": [(error.row, error.column, error.message) for error in result.errors] if result else [],
    }, status=status)


def _download(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def excel_template(request):
    person = selectors.person_for_user(request.user)
    try:
        return _download(*exports.template_workbook(actor=person, sheet=request.GET.get("sheet", excel.TREE)))
    except DomainError as error:
        return _message(request, message_of(error), error.status)


@login_required
@require_GET
def excel_export(request):
    person = selectors.person_for_user(request.user)
    try:
        return _download(*exports.export_workbook(
            actor=person, sheet=request.GET.get("sheet", excel.TREE), node_code=request.GET.get("node", "").strip() or None,
        ))
    except DomainError as error:
        return _message(request, message_of(error), error.status)
