from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "gridgov.tasks"
    label = "tasks"
    verbose_name = _("Tasks and evidence")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.tasks import engines, errors, permissions  # noqa: F401  (register codes, actions)

        engines.register()
