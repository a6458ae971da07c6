"""Template context shared by every page: the person behind the login and the page shell their role opens."""

from django.templatetags.static import static

from gridgov.navigation import shell_for
from gridgov.orgs import selectors


def navigation(request):
    person = selectors.person_for_user(getattr(request, "user", None))
    return {
        "person": person,
        "shell": shell_for(request, person),
        "icons": static("gridgov/icons.svg"),  # <svg><use href="{{ icons }}#home"/></svg>
        "show_admin_link": bool(getattr(getattr(request, "user", None), "is_staff", False)),
    }
