"""Report pages: the resident's phone form and list, the handler's queue, a report's timeline, alerts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.deadlines.selectors import alerts_for
from gridgov.media import private_jpeg
from gridgov.orgs.permissions import can
from gridgov.pages import page_of, person_of, run_action
from gridgov.reports import selectors, services
from gridgov.reports.forms import EscalateForm, RateForm, ReassignForm, ReportForm, ResolveForm
from gridgov.reports.models import OPEN_STATES, Report, ReportPhoto
from gridgov.reports.workflow import EVENT_LABELS


def _render(request, person, template, context):
    return render(request, template, {**context, "now": timezone.now()})


@login_required
def new(request):
    person = person_of(request)
    form = ReportForm(request.POST or None, request.FILES or None, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = []
        if run_action(request, lambda: created.append(services.report_file(
                actor=person, node=data["node"], category=data["category"], text=data["text"], address=data["address"],
                latitude=data["latitude"], longitude=data["longitude"], photos=data["photos"],
                public=data["public"])),
                success=_("Reported. You can follow it here.")):
            return redirect("reports:detail", created[0].pk)
    return _render(request, person, "reports/new.html", {"form": form})


@login_required
def mine(request):
    person = person_of(request)
    return _render(request, person, "reports/mine.html", {"reports": selectors.reports_of(reporter=person)[:200]})


@login_required
def queue(request):
    person = person_of(request)
    return _render(request, person, "reports/queue.html", {"reports": selectors.handler_queue(person=person)[:200]})


@login_required
def alerts(request):
    person = person_of(request)
    return _render(request, person, "reports/alerts.html", {"page": page_of(request, alerts_for(person=person))})


@login_required
def detail(request, pk):
    person = person_of(request)
    report = get_object_or_404(Report.objects.select_related("category", "node", "handler", "reporter"), pk=pk)
    if not selectors.report_visible(person=person, report=report):
        raise Http404
    is_handler = report.handler_id == person.pk or can(person, "report.dispatch", report)
    context = {
        "report": report, "events": report.events.select_related("actor"), "photos": report.photos.all(),
        "labels": {key: str(value) for key, value in EVENT_LABELS.items()},
        "is_reporter": report.reporter_id == person.pk, "is_handler": is_handler,
        "may_dispatch": can(person, "report.dispatch", report), "is_open": report.state in OPEN_STATES,
        "resolve_form": ResolveForm(), "rate_form": RateForm(), "escalate_form": EscalateForm(),
        "reassign_form": ReassignForm(report=report) if can(person, "report.dispatch", report) else None,
    }
    return _render(request, person, "reports/detail.html", context)


@login_required
@require_POST
def act(request, pk, event):
    """One POST endpoint per step; the service decides whether this person may take it now."""
    person = person_of(request)
    report = get_object_or_404(Report, pk=pk)
    if event == "accept":
        run_action(request, lambda: services.report_accept(actor=person, report=report), success=_("Accepted."))
    elif event == "start":
        run_action(request, lambda: services.report_start(actor=person, report=report), success=_("Work started."))
    elif event == "resolve":
        form = ResolveForm(request.POST)
        if form.is_valid():
            run_action(request, lambda: services.report_resolve(actor=person, report=report, **form.cleaned_data),
                 success=_("Marked resolved; the reporter is asked to rate it."))
        else:
            messages.error(request, _("Say what was done."))
    elif event == "rate":
        form = RateForm(request.POST)
        if form.is_valid():
            run_action(request, lambda: services.report_rate(actor=person, report=report, **form.cleaned_data),
                 success=_("Thank you for your rating."))
        else:
            messages.error(request, _("Give a rating from 1 to 5."))
    elif event == "escalate":
        form = EscalateForm(request.POST)
        form.is_valid()
        run_action(request, lambda: services.report_escalate(actor=person, report=report,
                                                       reason=form.cleaned_data.get("reason", "")),
             success=_("Escalated."))
    elif event == "reassign":
        form = ReassignForm(request.POST, report=report)
        if form.is_valid():
            run_action(request, lambda: services.report_reassign(actor=person, report=report,
                                                           handler=form.cleaned_data["handler"]),
                 success=_("Reassigned."))
        else:
            messages.error(request, _("Choose who takes the report."))
    else:
        raise Http404
    return redirect("reports:detail", report.pk)


@login_required
def photo(request, pk):
    person = person_of(request)
    photo = get_object_or_404(ReportPhoto.objects.select_related("report", "report__node"), pk=pk)
    if not selectors.report_visible(person=person, report=photo.report):
        raise Http404
    return private_jpeg(photo.image)


