"""Every model of a gridgov app names itself (``__str__``): the audit log, the admin and error messages show a
record by what it is, never as "Household object (12)"."""

from django.apps import apps
from django.db import models


def test_every_model_of_a_gridgov_app_defines_its_own_str():
    nameless = sorted(model._meta.label for model in apps.get_models()
                      if model.__module__.startswith("gridgov.") and not model._meta.auto_created
                      and model.__str__ is models.Model.__str__)
    assert nameless == []
