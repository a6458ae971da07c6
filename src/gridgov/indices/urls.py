from django.urls import path

from gridgov.indices import views

app_name = "indices"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.mine, name="mine"),
    path("record/", views.record, {"what": "activity"}, name="record_home"),
    path("record/<slug:what>/", views.record, name="record"),
    path("org/<int:pk>/", views.organisation, name="organisation"),
    path("org/<int:pk>/code/", views.organisation_code, name="organisation_code"),
    path("standing/<int:pk>/", views.explain, name="explain"),
    path("run/<int:pk>/<slug:action>/", views.run_action, name="run_action"),
    path("computation/<int:pk>/", views.computation, name="computation"),
    path("<slug:scheme>/<str:period>/", views.ranking, name="ranking"),
    path("<slug:scheme>/<str:period>/liangfen.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
]
