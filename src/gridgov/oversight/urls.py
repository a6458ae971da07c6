from django.urls import path

from gridgov.oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_search, name="audit"),
]
