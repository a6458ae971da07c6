"""Password logins for pages, admin and ``POST /api/v1/auth/token``: Django's ``ModelBackend``, with the person.

A login whose person was deactivated (in the admin, through ``orgs.services.person_update``) cannot log
in any more, and the sessions it already holds stop at the next request: Django asks the backend for the
session's user on every request (``get_user``), and this backend refuses an inactive person there too. A
login switched off itself (``User.is_active``) is refused by ``ModelBackend`` already. API tokens are
deleted at the same moment (``orgs.signals``); ``gridgov.api.TokenAuth`` refuses inactive ones besides.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from gridgov.orgs.models import Person


class PersonBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        try:
            return user.person.is_active
        except Person.DoesNotExist:
            return True  # a login with no person (the installer's superuser) is refused elsewhere, page by page

    def get_user(self, user_id):
        """The session's user with its person in the same query (every page asks for the person next)."""
        user = get_user_model()._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
