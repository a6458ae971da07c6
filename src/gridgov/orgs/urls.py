from django.contrib.auth import views as auth_views
from django.urls import path

from gridgov.orgs import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tree/", views.tree_index, name="tree"),
    path("tree/<str:code>/", views.tree_node, name="tree_node"),
    path("tree/<str:code>/children/", views.tree_children, name="tree_children"),
]
