from django.urls import path

from gridgov.bookings import views

app_name = "bookings"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("bases/<slug:code>/", views.base, name="base"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("routes/", views.routes, name="routes"),
    path("league/", views.league, name="league"),
    path("routes/<slug:code>/", views.route, name="route"),
    path("mine/", views.mine, name="mine"),
    path("mine.ics", views.mine_ics, name="mine_ics"),
    path("bases/", views.managed, name="managed"),
    path("bases/<slug:code>/edit/", views.base_edit, name="base_edit"),
    path("bases/<slug:code>/photos/", views.base_photos, name="base_photos"),
    path("bases/<slug:code>/photos/<int:pk>/remove/", views.base_photo_remove, name="base_photo_remove"),
    path("photos/<int:pk>/", views.base_photo, name="base_photo"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("bases/<slug:code>/calendar/", views.base_calendar, name="base_calendar"),
    path("bases/<slug:code>/calendar.ics", views.base_ics, name="base_ics"),
    path("report.xlsx", views.year_report, name="year_report"),
    path("queue/", views.queue, name="queue"),
    path("liaison/", views.liaison, name="liaison"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/liaison/", views.assign_liaison, name="assign_liaison"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("rate/<str:token>/", views.rate, name="rate"),
]
