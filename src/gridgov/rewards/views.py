"""Pages: my points code (phone), the merchant's till (phone), settlements and the dividend table."""

import uuid

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import DomainError, message_of
from gridgov.orgs.permissions import can
from gridgov.pages import person_of, refuse_in_form
from gridgov.rewards import dividend as dividends
from gridgov.rewards import exports, selectors, services
from gridgov.rewards.forms import CodeForm, ConfirmForm, DividendForm
from gridgov.rewards.models import CatalogueItem, Merchant, Redemption

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _code_context(person) -> dict:
    issued = services.token_current(person=person)
    qr = segno.make(issued.token, error="m")
    return {
        "issued": issued,
        "qr_svg": qr.svg_inline(scale=6, border=2, dark="#111", light="#fff", omitsize=True),
        "balance": services.points_of(person),
        "lifetime": settings.REWARDS_TOKEN_SECONDS,
        # Fetch a new code a little before this one lapses, so the screen never shows a dead code.
        "refresh_after": max(int((issued.expires_at - timezone.now()).total_seconds()) - 30, 15),
    }


@login_required
def my_code(request):
    person = person_of(request)
    context = _code_context(person)
    context["redemptions"] = list(selectors.redemptions_of(person)[:10])
    return render(request, "rewards/my_code.html", context)


@login_required
def my_code_card(request):
    """The code card alone: htmx swaps it in before the shown code expires."""
    return render(request, "rewards/_code_card.html", _code_context(person_of(request)))


def _till_merchants(person, requested: int | None):
    """The staff member's merchants and the one being served (the requested one, else the first)."""
    merchants = list(selectors.merchants_of_staff(person).filter(is_active=True))
    current = next((m for m in merchants if m.pk == requested), merchants[0] if merchants else None)
    return merchants, current


@login_required
def till(request):
    """Step 1: type or paste the member's code. Step 2 (POST): see the masked member and pick an item."""
    person = person_of(request)
    requested = request.POST.get("merchant") or request.GET.get("merchant")
    merchants, merchant = _till_merchants(person, int(requested) if str(requested or "").isdigit() else None)
    if merchant is None:
        raise DjangoPermissionDenied(_("You are not staff of any merchant."))
    context = {"merchants": merchants, "merchant": merchant}
    form = CodeForm(request.POST or None, initial={"merchant": merchant.pk})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.token_inspect(actor=person, token_string=form.cleaned_data["token"],
                                                merchant=merchant)
        except DomainError as refusal:
            form.add_error("token", message_of(refusal))
            status = refusal.status
        else:
            context.update(
                inspection=inspection,
                items=list(selectors.catalogue(merchant)),
                confirm=ConfirmForm(initial={"token": form.cleaned_data["token"], "merchant": merchant.pk,
                                             "idempotency_key": uuid.uuid4().hex}),
            )
    context["form"] = form
    return render(request, "rewards/till.html", context, status=status)


@login_required
def till_confirm(request):
    """Step 3: move the points. The form's idempotency key makes a double tap post once."""
    person = person_of(request)
    if request.method != "POST":
        return redirect("rewards:till")
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _till_error(request, person, _("Choose an item, then confirm."), status=400)
    merchant = get_object_or_404(Merchant, pk=form.cleaned_data["merchant"])
    item = CatalogueItem.objects.filter(pk=form.cleaned_data["item"], merchant=merchant).first()
    if item is None:
        return _till_error(request, person, _("Choose an item from this merchant's catalogue."), status=400,
                           merchant=merchant)
    try:
        redemption = services.redeem(actor=person, token_string=form.cleaned_data["token"], item=item,
                                     idempotency_key=form.cleaned_data["idempotency_key"])
    except DomainError as refusal:
        return _till_error(request, person, message_of(refusal), status=refusal.status, merchant=merchant)
    return redirect("rewards:receipt", pk=redemption.pk)


def _till_error(request, person, message, *, status, merchant=None):
    merchants, current = _till_merchants(person, merchant.pk if merchant else None)
    form = CodeForm(initial={"merchant": current.pk if current else None})
    return render(request, "rewards/till.html",
                  {"merchants": merchants, "merchant": current, "form": form, "error": message}, status=status)


@login_required
def receipt(request, pk: int):
    person = person_of(request)
    redemption = get_object_or_404(Redemption.objects.select_related("merchant", "member", "staff"), pk=pk)
    if person.pk != redemption.member_id and not selectors.may_view_settlement(person, redemption.merchant):
        raise DjangoPermissionDenied(_("This receipt is not yours to see."))
    balance = services.points_of(redemption.member)
    return render(request, "rewards/receipt.html", {"redemption": redemption, "balance": balance})


@login_required
def settlement(request, pk: int):
    person = person_of(request)
    merchant = get_object_or_404(Merchant.objects.select_related("node"), pk=pk)
    if not selectors.may_view_settlement(person, merchant):
        raise DjangoPermissionDenied(_("You may not read this merchant's settlement."))
    try:
        result = selectors.settlement(merchant=merchant, period=request.GET.get("period") or None)
    except DomainError as refusal:
        result = selectors.settlement(merchant=merchant, period=None)
        return render(request, "rewards/settlement.html", {"result": result, "error": message_of(refusal)},
                      status=refusal.status)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(exports.settlement_workbook(result), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="settlement-{merchant.pk}-{result.period}.xlsx"'
        return response
    return render(request, "rewards/settlement.html", {"result": result})


@login_required
def dividend(request):
    person = person_of(request)
    form = DividendForm(request.GET or None, person=person)
    context, status = {"form": form}, 200
    if request.GET and form.is_valid():
        node = form.cleaned_data["node"]
        if not can(person, "rewards.dividend", node):
            raise DjangoPermissionDenied(_("This village is outside your area."))
        try:
            table = dividends.dividend_table(node=node, year=form.cleaned_data["year"],
                                             amount=form.cleaned_data["amount"], unit=form.cleaned_data["unit"])
        except DomainError as refusal:
            refuse_in_form(form, refusal)
            status = refusal.status
        else:
            if request.GET.get("format") == "xlsx":
                response = HttpResponse(exports.dividend_workbook(table), content_type=XLSX)
                response["Content-Disposition"] = (
                    f'attachment; filename="dividend-{node.code}-{table.year}-{table.unit}.xlsx"'
                )
                return response
            context["table"] = table
            context["xlsx_query"] = request.GET.copy()
            context["xlsx_query"]["format"] = "xlsx"
    elif request.GET:
        status = 400
    context.update(rounding_rule=dividends.ROUNDING_RULE, points_rule=dividends.POINTS_RULE)
    return render(request, "rewards/dividend.html", context, status=status)
