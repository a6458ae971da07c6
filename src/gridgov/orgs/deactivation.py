"""Switching off a login or a person ends its access at once, whichever way it was switched off.

The admin's user and person pages, ``services.person_update`` (the admin's person form, the API) and any
later caller all end in a ``save()`` with ``is_active`` False; these receivers of ``post_save`` then
delete the API tokens (``services.api_tokens_end``). Sessions end in ``orgs.backends.PersonBackend``,
which refuses the session's user at its next request.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from gridgov.orgs.models import Person


def _switched_off(instance, update_fields) -> bool:
    """Saved inactive. A save that does not write ``is_active`` (a login's ``last_login``) is no change of it."""
    return not instance.is_active and (update_fields is None or "is_active" in update_fields)


def login_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if _switched_off(instance, update_fields):
        from gridgov.orgs.services import api_tokens_end

        api_tokens_end(people=Person.objects.filter(user=instance))


def person_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if _switched_off(instance, update_fields):
        from gridgov.orgs.services import api_tokens_end

        api_tokens_end(people=[instance])


def connect() -> None:
    post_save.connect(login_saved, sender=get_user_model(), dispatch_uid="orgs.deactivation.login")
    post_save.connect(person_saved, sender=Person, dispatch_uid="orgs.deactivation.person")
