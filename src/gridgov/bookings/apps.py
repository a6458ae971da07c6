from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "gridgov.bookings"
    label = "bookings"
    verbose_name = _("Bookings of education and activity bases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.bookings import engines, errors, permissions  # noqa: F401  (register codes, actions)

        engines.register()
