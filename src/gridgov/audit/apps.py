from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: a foundation every app writes to and that imports none of them."""

    name = "gridgov.audit"
    label = "audit"
    verbose_name = _("Audit trail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.audit import errors  # noqa: F401  (register codes)
