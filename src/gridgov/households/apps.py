from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "gridgov.households"
    label = "households"
    verbose_name = _("Households and the village layer")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.households import engines, errors, permissions  # noqa: F401  (register codes, actions)

        engines.register()
