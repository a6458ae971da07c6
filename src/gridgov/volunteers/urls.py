from django.urls import path

from gridgov.volunteers import callout_pages, views

app_name = "volunteers"

urlpatterns = [
    path("", views.square, name="square"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("hours/", views.hours, name="hours"),
    path("needs/", views.needs, name="needs"),
    path("shortfall/", views.shortfall, name="shortfall"),
    path("needs/<int:pk>/", views.need, name="need"),
    path("needs/<int:pk>/claim/", views.claim, name="claim"),
    path("needs/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("needs/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("needs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("needs/<int:pk>/review/", views.review, name="review"),
    path("needs/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("needs/<int:pk>/release/", views.release, name="release"),
    path("service-days/", views.service_days, name="service_days"),
    path("service-days/<int:pk>/switch/", views.service_day_switch, name="service_day_switch"),
    path("ranking/", views.ranking, name="ranking"),
    path("public/<str:code>/", views.public, name="public"),
    path("callouts/", callout_pages.callout_list, name="callouts"),
    path("callouts/new/", callout_pages.callout_new, name="callout_new"),
    path("callouts/<int:pk>/", callout_pages.callout, name="callout"),
    path("callouts/<int:pk>/count/", callout_pages.callout_count, name="callout_count"),
    path("callouts/<int:pk>/map/", callout_pages.callout_map_data, name="callout_map"),
    path("callouts/<int:pk>/answer/", callout_pages.callout_answer, name="callout_answer"),
    path("callouts/<int:pk>/close/", callout_pages.callout_close, name="callout_close"),
]
