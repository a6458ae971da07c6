"""Household pages: the cadres' list, a household's page (members, resident file, tags, links, visits), the
resident's own household, a member's linked households, the visit check-in, coverage, and Excel."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError, NotFound, PermissionDenied
from gridgov.households import imports, rules, selectors, services
from gridgov.households.forms import FileValueForm, ImportForm, LinkForm, MoveInForm, MoveOutForm, VisitForm
from gridgov.households.models import CareTag, FileField, Link, LinkKind, Relation
from gridgov.orgs.models import Person
from gridgov.orgs.permissions import can, may_somewhere
from gridgov.pages import declared_length, page_of, person_of, refuse_in_form, run_action

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def household_list(request):
    person = person_of(request)
    if not may_somewhere(person, "household.view"):
        raise PermissionDenied()
    query = request.GET.get("q", "").strip()[:50]
    rows = selectors.households_in_area(person, query=query)
    page = page_of(request, rows)
    heads = selectors.heads_of([household.pk for household in page])
    private = _sees_private(person)
    for household in page:
        head = heads.get(household.pk)
        household.head_name = (head.name if private else head.name_masked) if head else ""
    return render(request, "households/list.html", {
        "page": page, "query": query, "may_manage": may_somewhere(person, "household.manage"),
        "may_link": may_somewhere(person, "household.link")})


def _acting_on(request, pk):
    """The person behind the request and a household they may see (else ``not_found``)."""
    person = person_of(request)
    return person, selectors.household_for(actor=person, pk=pk)


def _form_problems(request, form) -> None:
    messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))


def _sees_private(person) -> bool:
    return may_somewhere(person, "person.view_private")


@login_required
def detail(request, pk):
    person, household = _acting_on(request, pk)
    resident = not can(person, "household.view", household)
    members = selectors.current_members(household)
    private = can(person, "person.view_private", household)
    for membership in members:
        membership.shown_name = membership.person.name if private or membership.person == person \
            else membership.person.name_masked
    context = {
        "household": household, "members": members, "resident": resident,
        "file": selectors.file_rows(actor=person, household=household, resident=resident),
        "tags": CareTag.choices, "relations": dict(Relation.choices),
        "may_manage": can(person, "household.manage", household),
        "may_tag": can(person, "household.tag", household),
        "may_link": can(person, "household.link", household),
        "may_visit": selectors.may_visit(person, household),
        "may_inspect": can(person, "household.inspect", household),
    }
    if not resident:
        context.update({
            "former": selectors.former_members(household), "links": selectors.active_links(household),
            "visits": selectors.recent_visits(household), "move_in_form": MoveInForm(),
            "candidates": selectors.link_candidates(household) if context["may_link"] else [],
            "kinds": LinkKind.choices, "breaches": rules.breaches_of(household),
            "breaches_12m": rules.breach_counts([household.pk]).get(household.pk, 0),
            "may_breach": can(person, "household.breach", household),
        })
        context["village_rules"] = list(rules.rules_for(household)) if context["may_breach"] else []
    return render(request, "households/detail.html", context)


@login_required
def mine(request):
    person = person_of(request)
    household = selectors.household_of(person)
    if household is not None:
        return redirect("households:detail", household.pk)
    return render(request, "households/mine.html", {})


@login_required
@require_POST
def file_reveal(request, pk, code):
    """Show one sensitive value (an audited reading) in place of its mask."""
    person, household = _acting_on(request, pk)
    field = get_object_or_404(FileField, code=code, is_active=True)
    value = services.file_read(actor=person, household=household, field=field)
    template = "households/_revealed.html" if request.headers.get("HX-Request") else "households/revealed.html"
    return render(request, template, {"value": value, "field": field, "household": household})


@login_required
@require_POST
def file_write(request, pk, code):
    person, household = _acting_on(request, pk)
    field = get_object_or_404(FileField, code=code, is_active=True)
    form = FileValueForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("value", [])))
    else:
        run_action(request, lambda: services.file_write(actor=person, household=household, field=field,
                                                        value=form.cleaned_data["value"]),
                   success=_("Saved: %(field)s.") % {"field": field.label})
    return redirect("households:detail", household.pk)


@login_required
@require_POST
def tag(request, pk):
    person, household = _acting_on(request, pk)
    member = selectors.member_of(household, request.POST.get("person"))
    on = request.POST.get("on") == "1"
    run_action(request, lambda: services.tag_set(actor=person, person=member, tag=request.POST.get("tag", ""), on=on),
               success=_("Care tag added.") if on else _("Care tag removed."))
    return redirect("households:detail", household.pk)


@login_required
@require_POST
def move_in(request, pk):
    person, household = _acting_on(request, pk)
    form = MoveInForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        newcomer = selectors.person_in_area(person, household, name=data["name"], phone=data["phone"])
        if newcomer is None:
            messages.error(request, _("Nobody of that name and phone is in this area; add the person first."))
        else:
            run_action(request, lambda: services.member_move_in(
                actor=person, household=household, person=newcomer, relation=data["relation"],
                moved_in=data["moved_in"]), success=_("%(name)s moved in.") % {"name": newcomer.name})
    else:
        _form_problems(request, form)
    return redirect("households:detail", household.pk)


@login_required
@require_POST
def move_out(request, pk):
    person, household = _acting_on(request, pk)
    form = MoveOutForm(request.POST)
    if form.is_valid():
        leaving = selectors.member_of(household, form.cleaned_data["person"])
        run_action(request, lambda: services.member_move_out(
            actor=person, household=household, person=leaving, moved_out=form.cleaned_data["moved_out"]),
            success=_("%(name)s moved out.") % {"name": leaving.name})
    else:
        _form_problems(request, form)
    return redirect("households:detail", household.pk)


@login_required
@require_POST
def link(request, pk):
    person, household = _acting_on(request, pk)
    form = LinkForm(request.POST, members=selectors.link_candidates(household))
    if form.is_valid():
        member = Person.objects.get(pk=form.cleaned_data["member"])
        run_action(request, lambda: services.link_create(actor=person, household=household, member=member,
                                                         kind=form.cleaned_data["kind"]),
                   success=_("%(name)s now serves this household.") % {"name": member.name})
    else:
        messages.error(request, _("Choose a member of this grid."))
    return redirect("households:detail", household.pk)


@login_required
@require_POST
def unlink(request, pk):
    person = person_of(request)
    found = selectors.link_for(actor=person, pk=pk)
    run_action(request, lambda: services.link_end(actor=person, link=found), success=_("Link ended."))
    return redirect("households:detail", found.household_id)


@login_required
def link_page(request, pk):
    """Where an alert about a due visit opens: the household's page (or the visit form for its member)."""
    person = person_of(request)
    found = Link.objects.filter(pk=pk).select_related("household").first()
    if found is None:
        raise NotFound()
    if found.member_id == person.pk and found.ended_at is None:
        return redirect("households:visit", found.household_id)
    return redirect("households:detail", selectors.household_for(actor=person, pk=found.household_id).pk)


@login_required
def linked(request):
    person = person_of(request)
    links = selectors.linked_households(person)
    return render(request, "households/linked.html", {
        "links": links, "not_visited": sum(1 for each in links if not each.visited_this_month),
        "visit_points": selectors.visit_points_this_month(person),
        "may_patrol": may_somewhere(person, "household.patrol"),
        "overdue": sum(1 for each in links if each.overdue)})


@login_required
def visit(request, pk):
    person, household = _acting_on(request, pk)
    if not selectors.may_visit(person, household):
        raise PermissionDenied(_("Only a member serving this household, or a worker of its area, records visits."))
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = services.visit_record(
                actor=person, household=household, checked=data["checked"], note=data["note"],
                latitude=data["latitude"], longitude=data["longitude"],
                photo=(data["photos"] or [None])[0], report_category=data["category"] if data["report"] else None)
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            if recorded.report_id:
                messages.success(request, _("Visit recorded, and the report was filed as a work order."))
            else:
                messages.success(request, _("Visit recorded."))
            return redirect("households:linked" if selectors.is_linked(person, household) else "households:detail",
                            *([] if selectors.is_linked(person, household) else [household.pk]))
    return render(request, "households/visit.html", {"household": household, "form": form,
                                                     "members": selectors.current_members(household)})


@login_required
def coverage(request):
    person = person_of(request)
    node = selectors.area_node(person, "household.link", request.GET.get("node", ""))
    report = selectors.coverage(node=node)
    under_quota = page_of(request, report.under_quota)  # the count and the page's rows, in SQL
    report.members_under_quota = under_quota.paginator.count  # the figure is the pager's count: one query
    return render(request, "households/coverage.html", {"node": node, "report": report, "under_quota": under_quota,
                                                        "children": selectors.coverage_children(node)})


@login_required
def excel(request):
    person = person_of(request)
    if not may_somewhere(person, "household.manage"):
        raise PermissionDenied()
    form, result, status = ImportForm(), None, 200
    if request.method == "POST":
        if declared_length(request) > settings.IMPORT_MAX_BYTES + 64 * 1024:
            messages.error(request, _("The file is too large; split it into several files."))
            status = 413
        else:
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = imports.import_households(actor=person, file=form.cleaned_data["file"])
                except DomainError as error:
                    refuse_in_form(form, error)
                    status = error.status
    return render(request, "households/excel.html", {
        "form": form, "result": result, "problem_headers": [_("Row"), _("Column"), _("Problem")],
        "problems": [(error.row, error.column, error.message) for error in result.errors] if result else []},
        status=status)


@login_required
def export(request):
    person = person_of(request)
    if not may_somewhere(person, "household.manage"):
        raise PermissionDenied()
    content = imports.households_workbook(imports.export_rows(actor=person))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"households-{timezone.localdate():%Y%m%d}.xlsx")
    return response


@login_required
def template(request):
    person = person_of(request)
    if not may_somewhere(person, "household.manage"):
        raise PermissionDenied()
    response = HttpResponse(imports.households_workbook(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "households-template.xlsx")
    return response

