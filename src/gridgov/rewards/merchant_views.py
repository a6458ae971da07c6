"""The cadre's pages for partner merchants: the list of the area's merchants, a new merchant, and one
merchant's catalogue and till staff. Every write is one call to ``gridgov.rewards.services`` (permission,
scope, audit); forms that could create twice on a double tap carry a one-time key."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError, message_of
from gridgov.orgs.models import Person
from gridgov.orgs.permissions import can
from gridgov.pages import page_of, person_of, refuse_in_form
from gridgov.rewards import selectors, services
from gridgov.rewards.forms import ItemForm, ItemUpdateForm, MerchantForm, StaffAddForm
from gridgov.rewards.models import CatalogueItem, Merchant, MerchantStaff


def _manager_or_403(request) -> Person:
    person = person_of(request)
    if not selectors.merchant_nodes_for(person).exists():
        raise DjangoPermissionDenied(_("Managing merchants needs a cadre's role."))
    return person


def _managed_merchant(request, pk: int) -> tuple[Person, Merchant]:
    person = person_of(request)
    merchant = get_object_or_404(Merchant.objects.select_related("node", "account"), pk=pk)
    if not can(person, "rewards.manage", merchant):
        raise DjangoPermissionDenied(_("This merchant is outside your area."))
    return person, merchant


def _detail_url(merchant: Merchant, anchor: str = "") -> str:
    return reverse("rewards:merchant", args=[merchant.pk]) + (f"#{anchor}" if anchor else "")


@login_required
def merchants(request):
    person = _manager_or_403(request)
    page = page_of(request, selectors.merchants_managed_by(person))
    return render(request, "rewards/merchants.html", {"page": page})


@login_required
def merchant_create(request):
    person = _manager_or_403(request)
    form = MerchantForm(request.POST or None, nodes=selectors.merchant_nodes_for(person),
                        initial={"creation_key": uuid.uuid4().hex})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                merchant = services.merchant_create_once(actor=person, name=data["name"], node=data["node"],
                                                         creation_key=data["creation_key"])
            except DomainError as error:
                refuse_in_form(form, error)
            else:
                messages.success(request, _("Merchant %(name)s is registered. Add its catalogue and staff below.")
                                 % {"name": merchant.name})
                return redirect("rewards:merchant", pk=merchant.pk)
    return render(request, "rewards/merchant_form.html", {"form": form}, status=status)


@login_required
def merchant_detail(request, pk: int):
    person, merchant = _managed_merchant(request, pk)
    return _render_detail(request, person, merchant)


def _render_detail(request, person, merchant, *, item_form=None, edited=None, staff_error="", status=200):
    """The merchant page; a form that failed is passed back bound, so its errors show where it was."""
    edit_forms = {}
    items = list(selectors.catalogue(merchant, include_inactive=True))
    for item in items:
        if edited is not None and edited.item.pk == item.pk:
            edit_forms[item.pk] = edited.form
        else:
            edit_forms[item.pk] = ItemUpdateForm(
                initial={"points": item.points, "stock": item.stock, "is_active": item.is_active},
                auto_id=f"item{item.pk}-%s",
            )
    query = request.GET.get("q", "").strip()[:50]
    context = {
        "merchant": merchant,
        "rows": [(item, edit_forms[item.pk]) for item in items],
        "item_form": item_form or ItemForm(initial={"creation_key": uuid.uuid4().hex}, auto_id="new-item-%s"),
        "staff": list(selectors.staff_links(merchant)),
        "query": query,
        "candidates": selectors.staff_candidates(person=person, merchant=merchant, query=query),
        "staff_error": staff_error,
        "may_view_settlement": selectors.may_view_settlement(person, merchant),
    }
    return render(request, "rewards/merchant.html", context, status=status)


@login_required
@require_POST
def merchant_active(request, pk: int):
    person, merchant = _managed_merchant(request, pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        services.merchant_set_active(actor=person, merchant=merchant, is_active=is_active)
    except DomainError as error:
        messages.error(request, message_of(error))
        return redirect("rewards:merchant", pk=merchant.pk)
    messages.success(request, _("The merchant now accepts points.") if is_active
                     else _("The merchant no longer accepts points."))
    return redirect("rewards:merchant", pk=merchant.pk)


@login_required
@require_POST
def item_create(request, pk: int):
    person, merchant = _managed_merchant(request, pk)
    form = ItemForm(request.POST, auto_id="new-item-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create_once(
                actor=person, merchant=merchant, creation_key=data["creation_key"], name=data["name"],
                kind=data["kind"], points=data["points"], stock=data["stock"], description=data["description"],
            )
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("%(item)s is in the catalogue.") % {"item": item.name})
            return redirect(_detail_url(merchant, "catalogue"))
    return _render_detail(request, person, merchant, item_form=form, status=400)


class _Edited:
    def __init__(self, item, form):
        self.item, self.form = item, form


@login_required
@require_POST
def item_update(request, pk: int, item_pk: int):
    person, merchant = _managed_merchant(request, pk)
    item = get_object_or_404(CatalogueItem, pk=item_pk, merchant=merchant)
    form = ItemUpdateForm(request.POST, auto_id=f"item{item.pk}-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_update(actor=person, item=item, points=data["points"], stock=data["stock"],
                                        is_active=data["is_active"])
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("%(item)s is saved.") % {"item": item.name})
            return redirect(_detail_url(merchant, f"item-{item.pk}"))
    return _render_detail(request, person, merchant, edited=_Edited(item, form), status=400)


@login_required
@require_POST
def staff_add(request, pk: int):
    person, merchant = _managed_merchant(request, pk)
    form = StaffAddForm(request.POST)
    candidate = None
    if form.is_valid():
        candidate = Person.objects.filter(pk=form.cleaned_data["person"], is_active=True).first()
    if candidate is None or not selectors.may_be_staff_of(manager=person, candidate=candidate):
        return _render_detail(request, person, merchant, status=400,
                              staff_error=_("Choose a person from the search results."))
    try:
        services.staff_add(actor=person, merchant=merchant, person=candidate)
    except DomainError as error:
        return _render_detail(request, person, merchant, staff_error=message_of(error), status=error.status)
    messages.success(request, _("%(person)s may now work this merchant's till.") % {"person": candidate.name})
    return redirect(_detail_url(merchant, "staff"))


@login_required
@require_POST
def staff_remove(request, pk: int, link_pk: int):
    person, merchant = _managed_merchant(request, pk)
    link = get_object_or_404(MerchantStaff.objects.select_related("person", "merchant__node"), pk=link_pk,
                             merchant=merchant)
    try:
        services.staff_remove(actor=person, link=link)
    except DomainError as error:
        return _render_detail(request, person, merchant, staff_error=message_of(error), status=error.status)
    messages.success(request, _("%(person)s no longer works this merchant's till.") % {"person": link.person.name})
    return redirect(_detail_url(merchant, "staff"))
