from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    """The cockpit (驾驶舱) and the map (一张图): the state of an area at a glance, every figure a link."""

    name = "gridgov.cockpit"
    label = "cockpit"
    verbose_name = _("Cockpit and map")

    def ready(self):
        from gridgov.cockpit import permissions  # noqa: F401  (register the action)
