from django.apps import AppConfig


class GridgovConfig(AppConfig):
    """The project package itself: shared templates, static assets and the demo/stats commands."""

    name = "gridgov"
    verbose_name = "gridgov"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from gridgov.logins import forgive_own_failures

        user_logged_in.connect(forgive_own_failures, dispatch_uid="gridgov.logins.forgive_own_failures")
