"""The branches' records and the weekly village bulletin (红榜村 / 黑榜村), for cadres: the newest bulletin of
the area's street, the area's records, and the upload form (the same service as the API)."""

from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gridgov.errors import DomainError, refusal
from gridgov.households import downloads, selectors, villages
from gridgov.households.models import BranchRecordKind, BulletinEntry
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import role_paths
from gridgov.pages import person_of


@login_required
def bulletin(request):
    person = person_of(request)
    node = selectors.area_node(person, "household.bulletin", request.GET.get("node", ""))
    found = villages.bulletin_for(node)
    entries = list(found.entries.select_related("node")) if found else []
    return render(request, "households/bulletin.html", {
        "node": node, "bulletin": found, "red": [e for e in entries if e.standing == "red"],
        "black": [e for e in entries if e.standing == "black"], "entries": entries,
        "may_record": bool(role_paths(person, "household.branch_record"))})


@login_required
def bulletin_entry(request, pk):
    person = person_of(request)
    entry = get_object_or_404(BulletinEntry.objects.select_related("node"), pk=pk)
    selectors.area_node(person, "household.branch_record", entry.node.code)
    return redirect("households:branch_records")


@login_required
def branch_records(request):
    person = person_of(request)
    node = selectors.area_node(person, "household.branch_record", request.GET.get("node", ""))
    choices = list(Node.objects.filter(path__startswith=node.path, kind__in=villages.VILLAGE_KINDS).order_by("path"))
    errors = []
    if request.method == "POST":
        village = next((choice for choice in choices if choice.code == request.POST.get("village")), None)
        try:
            if village is None:
                raise refusal("branch_node", _("Branch records are uploaded for a village or a community."))
            attendees = request.POST.get("attendees", "").strip()
            villages.record_upload(
                actor=person, node=village, kind=request.POST.get("kind", ""), activity=request.POST.get("activity", ""),
                held_on=downloads.day_of_text(request.POST.get("held_on", "")), attendees=int(attendees) if attendees.isdigit() else -1,
                minutes=request.POST.get("minutes", ""), photo=request.FILES.get("photo"),
                idempotency_key=request.POST.get("idempotency_key", ""))
        except DomainError as error:
            errors.append(error.message)
        else:
            messages.success(request, _("Branch record uploaded."))
            return redirect(f"{request.path}?node={node.code}")
    return render(request, "households/branch_records.html", {
        "node": node, "villages": choices, "kinds": BranchRecordKind.choices, "meetings": villages.MEETINGS,
        "records": villages.records_of(node)[:100], "errors": errors, "posted": request.POST,
        "key": request.POST.get("idempotency_key") or uuid4().hex},
        status=400 if errors else 200)
