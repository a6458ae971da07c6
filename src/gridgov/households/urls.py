from django.urls import path

from gridgov.households import board_views, bulletin_views, credit_views, patrol_views, rule_views, views

app_name = "households"

urlpatterns = [
    path("", views.household_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("linked/", views.linked, name="linked"),
    path("coverage/", views.coverage, name="coverage"),
    path("patrol/", patrol_views.patrol, name="patrol"),
    path("patrols/", patrol_views.missed, name="patrols"),
    path("patrols/<int:pk>/", patrol_views.patrol_round, name="patrol_round"),
    path("excel/", views.excel, name="excel"),
    path("excel/export/", views.export, name="export"),
    path("excel/template/", views.template, name="template"),
    path("ranking/", board_views.ranking_page, name="ranking"),
    path("bulletin/", bulletin_views.bulletin, name="bulletin"),
    path("bulletin/entries/<int:pk>/", bulletin_views.bulletin_entry, name="bulletin_entry"),
    path("branch/", bulletin_views.branch_records, name="branch_records"),
    path("credit/", credit_views.credit_page, name="credit"),
    path("credit/export/", credit_views.credit_download, name="credit_download"),
    path("credit/<int:pk>/revoke/", credit_views.credit_revoke, name="credit_revoke"),
    path("board/<str:code>/", board_views.board, name="board"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/inspect/", board_views.inspect, name="inspect"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/tag/", views.tag, name="tag"),
    path("<int:pk>/breaches/", rule_views.breach, name="breach"),
    path("breaches/<int:pk>/revoke/", rule_views.breach_revoke, name="breach_revoke"),
    path("<int:pk>/move-in/", views.move_in, name="move_in"),
    path("<int:pk>/move-out/", views.move_out, name="move_out"),
    path("<int:pk>/link/", views.link, name="link"),
    path("<int:pk>/file/<slug:code>/", views.file_write, name="file_write"),
    path("<int:pk>/file/<slug:code>/reveal/", views.file_reveal, name="file_reveal"),
    path("links/<int:pk>/", views.link_page, name="link"),
    path("links/<int:pk>/end/", views.unlink, name="unlink"),
]
