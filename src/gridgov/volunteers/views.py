"""Volunteer pages: the square of needs near me, a need's page (claim, check in and out, confirm, review),
posting a need, my hours against the yearly rule, the cadres' list of needs and of who falls short, and
call-outs with their live count."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError, message_of
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import may_somewhere, role_paths
from gridgov.orgs.tree import under
from gridgov.pages import page_of, person_of, refuse_in_form, run_action
from gridgov.volunteers import calendar, selectors, services
from gridgov.volunteers.forms import CheckForm, ConfirmForm, JoinForm, NeedForm, RankingForm, ReasonForm, ServiceDayForm
from gridgov.volunteers.models import ClaimState, Need, NeedState

MAX_AREA_NODES = 300


def area_nodes(person, action: str) -> list[Node]:
    """The nodes a form may offer: where ``person`` may do ``action`` and below, the widest first."""
    return list(Node.objects.filter(under(role_paths(person, action))).order_by("path")[:MAX_AREA_NODES])


def _form_error(request, form) -> None:
    messages.error(request, message_of(next(iter(form.errors.values()))) if form.errors else _("Check the form."))


@login_required
def square(request):
    person = person_of(request)
    volunteer = selectors.volunteer_for(person)
    return render(request, "volunteers/square.html", {
        "volunteer": volunteer, "needs": selectors.needs_square(person=person)[:100],
        "claims": selectors.claims_of(person=person).filter(
            state__in=[ClaimState.CLAIMED, ClaimState.CHECKED_IN])[:50],
        "callouts": selectors.callouts_for(person=person).filter(closed_at=None)[:5], "now": timezone.now()})


def _need(request, pk):
    person = person_of(request)
    need = get_object_or_404(Need.objects.select_related("category", "node", "requester"), pk=pk)
    if not selectors.need_visible(person=person, need=need):
        raise Http404
    return person, need


@login_required
def need(request, pk):
    person, found = _need(request, pk)
    mine = found.claims.filter(volunteer=person).exclude(state=ClaimState.WITHDRAWN).first()
    is_cadre = may_somewhere(person, "volunteer.manage") and any(
        found.node.path.startswith(path) for path in role_paths(person, "volunteer.manage"))
    return render(request, "volunteers/need.html", {
        "need": found, "mine": mine, "claims": found.claims.exclude(state=ClaimState.WITHDRAWN)
        .select_related("volunteer"), "is_requester": found.requester_id == person.pk, "is_cadre": is_cadre,
        "may_claim": mine is None and found.state in (NeedState.PUBLISHED,) and found.requester_id != person.pk
        and selectors.volunteer_for(person) is not None,
        "check_form": CheckForm(), "confirm_form": ConfirmForm(), "reason_form": ReasonForm(), "now": timezone.now()})


@login_required
@require_POST
def claim(request, pk):
    person, found = _need(request, pk)
    run_action(request, lambda: services.need_claim(actor=person, need=found),
               success=_("Claimed. Check in when you arrive."))
    return redirect("volunteers:need", pk)


def _check(request, pk, service, success):
    person, found = _need(request, pk)
    mine = found.claims.filter(volunteer=person).exclude(state=ClaimState.WITHDRAWN).first()
    if mine is None:
        raise Http404
    form = CheckForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
    else:
        data = form.cleaned_data
        run_action(request, lambda: service(actor=person, claim=mine, **data), success=success)
    return redirect("volunteers:need", pk)


@login_required
@require_POST
def check_in(request, pk):
    return _check(request, pk, lambda minutes, **data: services.claim_check_in(**data), _("Checked in."))


@login_required
@require_POST
def check_out(request, pk):
    return _check(request, pk, services.claim_check_out, _("Checked out. The requester confirms your hours."))


@login_required
@require_POST
def confirm(request, pk):
    person, found = _need(request, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
    else:
        run_action(request, lambda: services.need_confirm(actor=person, need=found,
                                                          rating=form.cleaned_data["rating"]),
                   success=_("Confirmed. The helpers' hours are credited."))
    return redirect("volunteers:need", pk)


def _with_reason(request, pk, act, success):
    """A decision on a need that may carry a reason (review, cancel); back to the need's page."""
    person, found = _need(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    run_action(request, lambda: act(person, found, form.cleaned_data.get("reason", "")), success=success)
    return redirect("volunteers:need", pk)


@login_required
@require_POST
def review(request, pk):
    approve = request.POST.get("approve") == "1"
    return _with_reason(request, pk, lambda person, found, reason: services.need_review(
        actor=person, need=found, approve=approve, reason=reason),
        _("Published.") if approve else _("Not published."))


@login_required
@require_POST
def cancel(request, pk):
    return _with_reason(request, pk, lambda person, found, reason: services.need_cancel(
        actor=person, need=found, reason=reason), _("Cancelled."))


@login_required
def new(request):
    person = person_of(request)
    form = NeedForm(request.POST or None, nodes=area_nodes(person, "volunteer.need"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.need_submit(actor=person, **data)
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Posted. Volunteers nearby are told at once.")
                             if created.state == NeedState.PUBLISHED else _("Posted. A cadre reviews it first."))
            return redirect("volunteers:need", created.pk)
    return render(request, "volunteers/new.html", {"form": form})


@login_required
def mine(request):
    person = person_of(request)
    return render(request, "volunteers/mine.html", {"needs": selectors.needs_of(person=person)[:100],
                                                    "claims": selectors.claims_of(person=person)[:100]})


@login_required
def hours(request):
    person = person_of(request)
    volunteer = selectors.volunteer_for(person)
    year = selectors.this_year()
    minutes = selectors.minutes_in_year(person=person, year=year)
    form = JoinForm(request.POST or None, nodes=area_nodes(person, "volunteer.join"),
                    initial={"node": volunteer.node_id, "skills": volunteer.skills,
                             "is_party_member": volunteer.is_party_member} if volunteer else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_register(actor=person, person=person, **form.cleaned_data)
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Your volunteer registration is saved."))
            return redirect("volunteers:hours")
    required = selectors.YEARLY_MINUTES
    return render(request, "volunteers/hours.html", {
        "volunteer": volunteer, "year": year, "hours": round(minutes / 60, 1), "required": required // 60,
        "percent": min(100, round(100 * minutes / required)), "short": minutes < required,
        "remind": selectors.reminder_due() and minutes < required and volunteer and volunteer.is_party_member,
        "form": form})


def _area_root(request, person, action):
    """The node a cadre's page shows: ``?node=`` when it lies in their area, else the widest of their area."""
    roots = area_nodes(person, action)
    if not roots:
        raise Http404
    wanted = request.GET.get("node", "")
    return next((node for node in roots if str(node.pk) == wanted), roots[0]), roots


@login_required
def needs(request):
    person = person_of(request)
    if not may_somewhere(person, "volunteer.view"):
        raise Http404
    state = request.GET.get("state", "")
    now = timezone.now()
    return render(request, "volunteers/needs.html", {
        "page": page_of(request, selectors.needs_in_area(person=person, state=state, now=now)), "state": state,
        "states": NeedState.choices, "now": now, "recent_days": selectors.RECENT_CLOSED_DAYS})


@login_required
def shortfall(request):
    person = person_of(request)
    if not may_somewhere(person, "volunteer.view"):
        raise Http404
    node, roots = _area_root(request, person, "volunteer.view")
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = selectors.this_year()
    year = min(max(year, 2000), selectors.this_year())
    rows = selectors.standings(node=node, year=year, party_only=request.GET.get("all") != "1")
    return render(request, "volunteers/shortfall.html", {
        "node": node, "roots": [root for root in roots if root.depth <= node.depth + 1][:50], "year": year,
        "page": page_of(request, rows), "short": rows.short_count(), "required": selectors.YEARLY_MINUTES // 60,
        "remind": selectors.reminder_due(), "all": request.GET.get("all") == "1"})


@login_required
@require_POST
def release(request, pk):
    person, found = _need(request, pk)
    mine = found.claims.filter(volunteer=person).exclude(state=ClaimState.WITHDRAWN).first()
    if mine is None:
        raise Http404
    run_action(request, lambda: services.claim_release(actor=person, claim=mine),
               success=_("Your place is given back; other volunteers are told."))
    return redirect("volunteers:need", pk)


@login_required
def service_days(request):
    """The recurring service days of the cadre's area, and a form to add one."""
    person = person_of(request)
    if not may_somewhere(person, "volunteer.manage"):
        raise Http404
    form = ServiceDayForm(request.POST or None, nodes=area_nodes(person, "volunteer.manage"))
    if request.method == "POST" and form.is_valid():
        try:
            saved = calendar.service_day_save(actor=person, **form.cleaned_data)
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            posted = calendar.generate()
            messages.success(request, _("Service day “%(name)s” saved; %(count)d need(s) posted.")
                             % {"name": saved.name, "count": posted})
            return redirect("volunteers:service_days")
    return render(request, "volunteers/service_days.html", {
        "rules": selectors.service_days_in_area(person=person)[:200], "form": form})


@login_required
@require_POST
def service_day_switch(request, pk):
    person = person_of(request)
    rule = get_object_or_404(selectors.service_days_in_area(person=person), pk=pk)
    active = request.POST.get("active") == "1"
    run_action(request, lambda: calendar.service_day_switch(actor=person, rule=rule, active=active),
               success=_("Service day started again.") if active else _("Service day stopped."))
    return redirect("volunteers:service_days")


def _ranking_input(request, default_period: str = "month"):
    asked = request.GET.copy()
    if not asked.get("period"):
        asked["period"] = default_period
    form = RankingForm(asked)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or default_period
    order = data.get("order") or "hours"
    since, until = selectors.period_bounds(period, timezone.localdate())
    return form, {"since": since, "until": until, "category": data.get("category"), "order": order}, period


@login_required
def ranking(request):
    """The cadres' ranking: volunteers and units of an area by hours or rating, per category and period."""
    person = person_of(request)
    if not may_somewhere(person, "volunteer.view"):
        raise Http404
    node, roots = _area_root(request, person, "volunteer.view")
    form, query, period = _ranking_input(request)
    return render(request, "volunteers/ranking.html", {
        "node": node, "roots": [root for root in roots if root.depth <= node.depth + 1][:50], "form": form,
        "people": selectors.ranking(node=node, by="person", limit=100, **query),
        "units": selectors.ranking(node=node, by="node", limit=50, **query), "period": period,
        "boards": selectors.public_communities(node=node)})


def public(request, code):
    """A community's public volunteer ranking (no login): names as the installation decides, no personal data."""
    node = selectors.public_community(code)
    if node is None:
        raise Http404
    form, query, period = _ranking_input(request, default_period="year")  # the 12-hour rule's period
    display = settings.VOLUNTEER_PUBLIC_NAMES
    people = [(row, row.name if display == "full" else row.name_masked if display == "masked" else "")
              for row in selectors.ranking(node=node, by="person", limit=30, **query)]
    return render(request, "volunteers/public.html", {
        "node": node, "form": form, "people": people, "period": period,
        "units": selectors.ranking(node=node, by="node", limit=30, **query),
        "hours": selectors.area_hours(node=node, **query)})
