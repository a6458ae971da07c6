"""The supervisor's pages (read-only): overdue items by level, alerts, anomaly findings, the audit trail.
The dashboard shows the first few open alerts and overdue reports and says how many there are; the whole
lists are pages of their own, 50 rows a page (a province's large street has thousands of each).

Open to ``audit.view`` (platform admin, supervisor) within the area of that role; a person holding it at
several nodes picks one with ``?node=<code>``.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.selectors import alerts_under, open_alerts_by_level
from gridgov.limits import LimitedDateField
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import assignments_of, can
from gridgov.oversight import findings as computed
from gridgov.oversight import labels
from gridgov.oversight.selectors import audit_records_under
from gridgov.pages import page_of, person_of

# The page lists this many findings of each rule, and this many ids of each kind of evidence of a finding;
# it says how many there are in all, and the API hands back every finding.
FINDINGS_SHOWN = 50
EVIDENCE_SHOWN = 20
DASHBOARD_ROWS = 10  # open alerts, and overdue reports, on the dashboard; the rest on their own pages


def _scope(request):
    """(person, the node whose subtree they oversee, all their oversight nodes) or 404."""
    person = person_of(request)
    roots = [node_id for role, node_id, _path in assignments_of(person) if role in ("platform_admin", "supervisor")]
    nodes = [node for node in Node.objects.filter(pk__in=roots).order_by("path") if can(person, "audit.view", node)]
    if not nodes:
        raise Http404
    wanted = request.GET.get("node", "")
    node = next((n for n in nodes if n.code == wanted), nodes[0])
    return person, node, nodes


@login_required
def dashboard(request):
    from gridgov.reports import selectors as report_selectors

    person, node, nodes = _scope(request)
    now = timezone.now()
    run = computed.current(node, now=now)
    findings = [(rule, found[:FINDINGS_SHOWN], len(found)) for rule, found in computed.by_rule(run)]
    levels = report_selectors.overdue_by_level(node=node, now=now)
    return render(request, "oversight/dashboard.html", {
        "node": node, "nodes": nodes, "levels": levels,
        "overdue": report_selectors.overdue_reports_under(node=node, now=now)[:DASHBOARD_ROWS],
        "overdue_count": sum(row["overdue"] for row in levels),
        "alerts": alerts_under(node=node)[:DASHBOARD_ROWS],
        "alert_count": sum(open_alerts_by_level(node=node).values()),
        "findings": findings, "finding_count": sum(total for _rule, _found, total in findings),
        "period_days": computed.PERIOD_DAYS, "computed_at": run.computed_at, "evidence_shown": EVIDENCE_SHOWN,
        "handling_days": report_selectors.HANDLING_WINDOW_DAYS,
    })


@login_required
def alerts(request):
    """Every open alert of the area, the highest level and the nearest deadline first."""
    _person, node, nodes = _scope(request)
    return render(request, "oversight/alerts.html", {
        "node": node, "nodes": nodes, "page": page_of(request, alerts_under(node=node)),
    })


@login_required
def overdue(request):
    """Every overdue report of the area, the longest overdue first."""
    from gridgov.reports import selectors as report_selectors

    _person, node, nodes = _scope(request)
    return render(request, "oversight/overdue.html", {
        "node": node, "nodes": nodes, "page": page_of(request, report_selectors.overdue_reports_under(node=node)),
    })


class AuditSearchForm(forms.Form):
    person = forms.CharField(label=_("Person (name)"), max_length=50, required=False)
    place = forms.CharField(label=_("Node (code)"), max_length=32, required=False)
    action = forms.ChoiceField(label=_("Action"), choices=labels.action_choices, required=False)
    since = LimitedDateField(label=_("From"), required=False)
    until = LimitedDateField(label=_("To (inclusive)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


def _labelled(record):
    record.action_label = labels.action_label(record.action)
    record.role_label = labels.role_label(record.actor_role)
    record.reason_text = labels.reason_text(record.reason)
    record.object_text = labels.object_text(record)
    return record


@login_required
def audit_search(request):
    person, node, nodes = _scope(request)
    form = AuditSearchForm(request.GET or None)
    records = audit_records_under(node=node)
    message = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        zone = timezone.get_current_timezone()
        since = datetime.combine(data["since"], time.min, zone) if data.get("since") else None
        until = datetime.combine(data["until"] + timedelta(days=1), time.min, zone) if data.get("until") else None
        place = node
        if data.get("place"):
            place = Node.objects.filter(code=data["place"].strip(), path__startswith=node.path).first()
            if place is None:
                message = _("No node with this code in your area.")
                place = node
        records = audit_records_under(node=place, action=data.get("action", "").strip(), since=since, until=until)
        if data.get("person"):
            ids = list(Person.objects.filter(name__contains=data["person"].strip()).values_list("pk", flat=True)[:200])
            records = records.filter(actor_id__in=ids)
    page = page_of(request, records)
    page.object_list = [_labelled(record) for record in page.object_list]
    return render(request, "oversight/audit.html", {
        "node": node, "nodes": nodes, "form": form, "page": page, "message": message,
    })
