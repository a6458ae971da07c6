"""积分授信 for cadres: the area's consents (record one by household code, revoke one) and the signed downloads
(.json, .xlsx) for a partner. The same services as the API."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError, NotFound
from gridgov.households import credit, downloads, ranking, selectors
from gridgov.households.models import Household
from gridgov.pages import page_of, person_of


@login_required
def credit_page(request):
    person = person_of(request)
    node = selectors.area_node(person, "household.credit_consent", request.GET.get("node", ""))
    errors = []
    if request.method == "POST":
        household = (Household.objects.filter(code=request.POST.get("household", "").strip(),
                                              node__path__startswith=node.path).first())
        try:
            if household is None:
                raise NotFound(_("No household with this code in the area."))
            credit.consent_record(actor=person, household=household, partner=request.POST.get("partner", ""),
                                  given_on=downloads.day_of_text(request.POST.get("given_on", "")))
        except DomainError as error:
            errors.append(error.message)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect(f"{request.path}?node={node.code}")
    consents = credit.consents_in_area(person, node)
    return render(request, "households/credit.html", {
        "node": node, "open": page_of(request, consents.filter(revoked_at__isnull=True)),
        "partners": sorted(set(consents.filter(revoked_at__isnull=True).values_list("partner", flat=True))),
        "month": ranking.month_of(), "errors": errors, "posted": request.POST}, status=400 if errors else 200)


@login_required
@require_POST
def credit_revoke(request, pk):
    person = person_of(request)
    consent = credit.consent_revoke(actor=person, consent=credit.consent_for(actor=person, pk=pk))
    messages.success(request, _("Consent revoked."))
    return redirect(f"/households/credit/?node={consent.household.node.code}")


@login_required
def credit_download(request):
    person = person_of(request)
    node = selectors.area_node(person, "household.credit_export", request.GET.get("node", ""))
    form = request.GET.get("form", "json")
    export = credit.credit_export(actor=person, node=node, partner=request.GET.get("partner", ""),
                                  month=downloads.month_of_text(request.GET.get("month", "")), form=form)
    return downloads.credit_response(export, form)
