from django.urls import path

from gridgov.workbench import views

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.more, name="more"),
    path("me/role/", views.switch_role, name="switch_role"),
]
