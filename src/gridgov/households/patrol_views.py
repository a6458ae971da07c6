"""Patrol pages (巡查打卡): a worker's phone page (today's windows, the check-in with location, photo and note)
and the cadres' page of who missed which window, by grid. The same services as the API."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import DomainError, PermissionDenied
from gridgov.households import downloads, patrols, selectors
from gridgov.households.forms import PatrolForm
from gridgov.households.models import PatrolWindow
from gridgov.orgs.permissions import may_somewhere
from gridgov.orgs.tree import ancestor_paths
from gridgov.pages import page_of, person_of, refuse_in_form
from gridgov.submissions import FORM_FIELD

MISSED_DAYS = 7


@login_required
def patrol(request):
    person = person_of(request)
    if not may_somewhere(person, "household.patrol"):
        raise PermissionDenied()
    form = PatrolForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        window = PatrolWindow.objects.filter(pk=data["window"]).first() if data["window"] else None
        try:
            done = patrols.check_in(actor=person, window=window, latitude=data["latitude"],
                                    longitude=data["longitude"], photo=(data["photos"] or [None])[0],
                                    note=data["note"], idempotency_key=request.POST.get(FORM_FIELD, ""))
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Checked in for %(window)s at %(time)s.") % {
                "window": done.window.label, "time": timezone.localtime(done.checked_in_at).strftime("%H:%M")})
            return redirect("households:patrol")
    now = timezone.now()
    today = patrols.today_for(person, now=now)
    for each in today:
        each.now_state = each.state(now)
    return render(request, "households/patrol.html", {
        "today": today, "form": form, "open": [each for each in today if each.now_state == "open"],
        "done": sum(1 for each in today if each.done)}, status=400 if form.errors else 200)


@login_required
def missed(request):
    person = person_of(request)
    node = selectors.area_node(person, "household.patrol_view", request.GET.get("node", ""))
    until = downloads.day_of_text(request.GET.get("until")) or timezone.localdate()
    since = until - timedelta(days=MISSED_DAYS - 1)
    page = page_of(request, patrols.missed_in(node, since=since, until=until))
    return render(request, "households/patrols.html", {
        "node": node, "since": since, "until": until, "page": page, "children": patrols.by_child(node, since=since,
                                                                                                 until=until),
        "counts": patrols.counts_in(node, since=since, until=until),
        "windows": PatrolWindow.objects.filter(node__path__in=_above_and_below(node), is_active=True)
        .select_related("node")})


@login_required
def patrol_round(request, pk):
    """Where an alert about a round leads: the worker's own patrol page, or the cadres' page at its grid."""
    person = person_of(request)
    found = patrols.round_for(actor=person, pk=pk)
    if found.worker_id == person.pk:
        return redirect("households:patrol")
    return redirect(f"/households/patrols/?node={found.node.code}&until={found.day:%Y-%m-%d}")


def _above_and_below(node) -> list[str]:
    below = PatrolWindow.objects.filter(node__path__startswith=node.path).values_list("node__path", flat=True)
    return [*ancestor_paths(node.path), *below]
