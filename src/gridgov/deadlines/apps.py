from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    """The deadline engine: apps register what comes due (``registry.register``), the scan raises alerts."""

    name = "gridgov.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines and alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.deadlines import inbox
        from gridgov.deadlines.selectors import open_alerts_counted
        from gridgov.navigation import BADGE_AT_MOST, register_badge

        inbox.register()
        register_badge("alerts", lambda person: open_alerts_counted(person=person, at_most=BADGE_AT_MOST))
