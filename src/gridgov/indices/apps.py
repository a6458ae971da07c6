from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicesConfig(AppConfig):
    name = "gridgov.indices"
    label = "indices"
    verbose_name = _("Indices, star ratings and colour codes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.indices import permissions  # noqa: F401  (registers the index actions)
