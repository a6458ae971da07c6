"""``unread_messages`` for the page shell: counted only when a template shows it (one indexed COUNT)."""

from django.utils.functional import SimpleLazyObject

from gridgov.notifications.selectors import unread_count
from gridgov.orgs.selectors import person_for_user


def unread_messages(request):
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"unread_messages": 0}
    return {"unread_messages": SimpleLazyObject(lambda: unread_count(person=person_for_user(user)))}
