from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "gridgov.rewards"
    label = "rewards"
    verbose_name = _("Merchants, redemption and dividends")

    def ready(self):
        from gridgov.rewards import errors, permissions  # noqa: F401  (register codes, actions)
