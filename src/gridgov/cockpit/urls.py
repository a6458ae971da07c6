from django.urls import path

from gridgov.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("cockpit/", views.cockpit, name="cockpit"),
    path("cockpit/screen/", views.screen, name="screen"),
    path("map/", views.area_map, name="map"),
    path("map/data/", views.map_data, name="map_data"),
]
