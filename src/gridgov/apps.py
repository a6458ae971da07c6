from django.apps import AppConfig


class GridgovConfig(AppConfig):
    """The project package itself: shared templates, static assets and the demo/stats commands."""

    name = "gridgov"
    verbose_name = "gridgov"
