"""Template context shared by every page: the person behind the login and the navigation their roles open."""

from gridgov.navigation import menu_for
from gridgov.orgs import selectors
from gridgov.orgs.overview import navigation_for


def navigation(request):
    person = selectors.person_for_user(getattr(request, "user", None))
    return {
        "person": person,
        "nav": navigation_for(person),
        "menu": menu_for(person, request.path),
        "show_admin_link": bool(getattr(getattr(request, "user", None), "is_staff", False)),
    }
