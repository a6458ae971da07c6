from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "gridgov.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer service and rapid response")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.volunteers import engines, errors, permissions  # noqa: F401  (register codes, actions)

        engines.register()
