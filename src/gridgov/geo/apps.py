from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "gridgov.geo"
    label = "geo"
    verbose_name = _("Boundaries and locations")

    def ready(self):
        from gridgov.geo import errors, permissions  # noqa: F401  (register the codes and the actions)
