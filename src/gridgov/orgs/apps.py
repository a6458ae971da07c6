from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gridgov.orgs"
    label = "orgs"
    verbose_name = _("Organisations and people")

    def ready(self):
        from gridgov.orgs import deactivation, errors  # noqa: F401  (errors registers the login codes)

        deactivation.connect()
