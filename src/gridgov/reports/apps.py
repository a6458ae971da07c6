from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "gridgov.reports"
    label = "reports"
    verbose_name = _("Resident reports and alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.reports import engines, errors, permissions  # noqa: F401  (register codes, actions)

        engines.register()
