from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "gridgov.ledger"
    label = "ledger"
    verbose_name = _("Points ledger")

    def ready(self):
        from gridgov.ledger import permissions  # noqa: F401  (registers the points.* actions)
