from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """Each role's home page: what waits for them, counted live, each figure a link to the work."""

    name = "gridgov.workbench"
    label = "workbench"
    verbose_name = _("Workbench")
