from django.urls import path

from gridgov.geo import views

app_name = "geo"

urlpatterns = [
    path("", views.boundaries, name="boundaries"),
    path("export/", views.export, name="export"),
    path("redraw/", views.redraw, name="redraw"),
]
