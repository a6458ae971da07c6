"""Village-rule breaches on the household page: record one, revoke one with a reason. The same services as the
API; refusals come back as messages on the household page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.households import downloads, rules, selectors
from gridgov.households.models import VillageRule
from gridgov.pages import person_of, run_action


@login_required
@require_POST
def breach(request, pk):
    person = person_of(request)
    household = selectors.household_for(actor=person, pk=pk)
    rule = VillageRule.objects.filter(pk=_number(request.POST.get("rule"))).first()
    occurred_on = downloads.day_of_text(request.POST.get("occurred_on", ""))
    run_action(request, lambda: rules.breach_record(actor=person, household=household, rule=rule,
                                                    occurred_on=occurred_on, note=request.POST.get("note", "")),
               success=_("Breach recorded."))
    return redirect(f"/households/{household.pk}/#compliance")


@login_required
@require_POST
def breach_revoke(request, pk):
    person = person_of(request)
    found = rules.breach_for(actor=person, pk=pk)
    run_action(request, lambda: rules.breach_revoke(actor=person, breach=found, reason=request.POST.get("reason", "")),
               success=_("Breach revoked."))
    return redirect(f"/households/{found.household_id}/#compliance")


def _number(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
