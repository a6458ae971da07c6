from django.urls import path

from gridgov.oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_search, name="audit"),
    path("alerts/", views.alerts, name="alerts"),
    path("overdue/", views.overdue, name="overdue"),
]
