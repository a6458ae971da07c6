from django.urls import path

from gridgov.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("queue/", views.queue, name="queue"),
    path("alerts/", views.alerts, name="alerts"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:event>/", views.act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
