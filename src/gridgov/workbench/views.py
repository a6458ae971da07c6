"""The home page of every role (its workbench), the phone's "我的" page, and switching the role one acts in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridgov.navigation import SESSION_KEY, door, held_roles, shell_for
from gridgov.orgs.selectors import person_for_user
from gridgov.pages import person_of
from gridgov.workbench.selectors import places_of, workbench_for


@login_required
def home(request):
    person = person_for_user(request.user)
    if person is None:
        return render(request, "orgs/home_no_person.html")
    shell = shell_for(request, person)
    if not shell.role:
        return render(request, "workbench/no_role.html")
    workbench = workbench_for(person, shell.role)
    return render(request, workbench.template, {"workbench": workbench, "figures": workbench.figures,
                                                "today": timezone.localdate(),
                                                "places": places_of(person, shell.role),
                                                "budgets_link": door(person, "ledger:budgets", shell.role),
                                                **workbench.context})


@login_required
def more(request):
    """Everything the role opens that the tab bar has no room for, with who one is and how to switch roles."""
    person_of(request)
    return render(request, "workbench/more.html")


@login_required
@require_POST
def switch_role(request):
    person = person_of(request)
    role = request.POST.get("role", "")
    if role in held_roles(person):
        request.session[SESSION_KEY] = role
    return redirect("home")
