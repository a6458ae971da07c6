from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicesConfig(AppConfig):
    name = "gridgov.indices"
    label = "indices"
    verbose_name = _("Indices, star ratings and colour codes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.indices import errors, permissions, sources  # noqa: F401  (register codes, actions)

        sources.register_own()
        from gridgov import jobs
        from gridgov.indices.services import computations_resume

        jobs.register("indices.computations", _("Index computations"), computations_resume)
