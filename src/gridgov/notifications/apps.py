from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Messages (站内消息): apps register their kinds (``registry.register``) and call ``services.notify``."""

    name = "gridgov.notifications"
    label = "notifications"
    verbose_name = _("Messages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov import jobs
        from gridgov.notifications import webhook

        jobs.register("notifications.deliveries", _("Webhook deliveries"), webhook.resume_lost)
