from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gridgov.orgs import selectors


@login_required
def home(request):
    person = selectors.person_for_user(request.user)
    roles = list(selectors.roles_of(person)) if person else []
    return render(request, "orgs/home.html", {"roles": roles})
