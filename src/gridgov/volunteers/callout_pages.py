"""Call-out pages (紧急动员): the list, raising one, its page with the live count, the answer buttons and the
map of who is coming, the map's refresh, answering and closing."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.errors import DomainError
from gridgov.orgs.permissions import may_somewhere
from gridgov.pages import person_of, refuse_in_form, run_action
from gridgov.security import policy_for
from gridgov.volunteers import callouts, selectors
from gridgov.volunteers.forms import AnswerForm, CalloutForm
from gridgov.volunteers.models import Callout
from gridgov.volunteers.views import _form_error, area_nodes

LIVE_SECONDS = 5  # how often a call-out's count and map refresh


@login_required
def callout_list(request):
    person = person_of(request)
    if may_somewhere(person, "volunteer.view"):
        found = selectors.callouts_in_area(person=person)
    else:
        found = selectors.callouts_for(person=person)
    return render(request, "volunteers/callouts.html", {"callouts": found[:100],
                                                        "may_raise": may_somewhere(person, "volunteer.callout")})


@login_required
def callout_new(request):
    person = person_of(request)
    if not may_somewhere(person, "volunteer.callout"):
        raise Http404
    form = CalloutForm(request.POST or None, nodes=area_nodes(person, "volunteer.callout"))
    if request.method == "POST" and form.is_valid():
        try:
            raised = callouts.callout_raise(actor=person, **form.cleaned_data)
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Call-out sent to %(count)d volunteers.") % {"count": raised.told})
            return redirect("volunteers:callout", raised.pk)
    return render(request, "volunteers/callout_new.html", {"form": form})


def _callout(request, pk):
    person = person_of(request)
    found = get_object_or_404(Callout.objects.select_related("node", "raised_by"), pk=pk)
    in_area = selectors.callout_in_area(person=person, callout=found)
    volunteer = selectors.volunteer_for(person)
    if not in_area and not (volunteer and volunteer.node.path.startswith(found.node.path)):
        raise Http404
    return person, found, in_area


@login_required
def callout(request, pk):
    """The call-out: its live count, the answer buttons for volunteers, and a map of the assembly point and
    (for the area's cadres) of who is coming, drawn from the data embedded here and refreshed by
    ``callout_map_data``."""
    person, found, in_area = _callout(request, pk)
    live = selectors.callout_live(found, with_people=in_area)
    drawn = selectors.callout_map(found, cadre=in_area, boundaries=True, live=live)
    response = render(request, "volunteers/callout.html", {
        "callout": found, "live": live, "in_area": in_area, "map": drawn,
        "map_config": {"data": reverse("volunteers:callout_map", args=[found.pk]), "tiles": settings.MAP_TILE_URL,
                       "tiles_attribution": settings.MAP_TILE_ATTRIBUTION, "every": LIVE_SECONDS * 1000},
        "map_labels": {"assembly": _("Assembly point"), "zoom_in": _("Zoom in"), "zoom_out": _("Zoom out"),
                       "shared": _("location shared when answering"), "registered": _("registered location"),
                       "grid": _("centre of their grid"), "failed": _("The map could not be refreshed."),
                       "drawn": _("People on the map: %(count)s")},
        "answer": selectors.answer_of(callout=found, person=person),
        "may_answer": selectors.volunteer_for(person) is not None, "may_close": in_area and may_somewhere(
            person, "volunteer.callout") and found.closed_at is None})
    if settings.MAP_TILE_URL:  # the intranet tile server's images may be shown here, as on the cockpit's map
        response["Content-Security-Policy"] = policy_for(request.path).replace(
            "img-src 'self' blob:", f"img-src 'self' blob: {settings.MAP_TILE_ORIGIN}")
    return response


@login_required
def callout_count(request, pk):
    _person, found, in_area = _callout(request, pk)
    return render(request, "volunteers/_live.html", {
        "callout": found, "live": selectors.callout_live(found, with_people=in_area), "in_area": in_area})


@login_required
@require_GET
def callout_map_data(request, pk):
    """The map's refresh for the logged-in page (the API's ``/volunteers/callouts/{id}/map`` takes a token):
    names and people only for the cadres of the area; ``?boundaries=1`` adds the area's GeoJSON."""
    _person, found, in_area = _callout(request, pk)
    return JsonResponse(selectors.callout_map(found, cadre=in_area, boundaries=request.GET.get("boundaries") == "1"),
                        json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def callout_answer(request, pk):
    person, found, _in_area = _callout(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
    else:
        run_action(request, lambda: callouts.callout_answer(actor=person, callout=found, **form.cleaned_data),
                   success=_("Thank you, your answer is recorded."))
    return redirect("volunteers:callout", pk)


@login_required
@require_POST
def callout_close(request, pk):
    person, found, _in_area = _callout(request, pk)
    run_action(request, lambda: callouts.callout_close(actor=person, callout=found), success=_("Call-out closed."))
    return redirect("volunteers:callout", pk)
