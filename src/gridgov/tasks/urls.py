from django.urls import path

from gridgov.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.square, name="square"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/claim/", views.task_claim, name="claim"),
    path("<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/withdraw/", views.task_withdraw, name="task_withdraw"),
    path("mine/", views.mine, name="mine"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/release/", views.claim_release, name="release"),
    path("claims/<int:pk>/evaluate/", views.claim_evaluate, name="evaluate"),
    path("claims/<int:pk>/audit/", views.claim_audit, name="audit"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("publish/", views.publish, name="publish"),
    path("publish/areas/", views.publish_areas, name="publish_areas"),
    path("published/", views.published, name="published"),
    path("evaluation/", views.evaluation_queue, name="evaluation_queue"),
    path("audit/", views.audit_queue, name="audit_queue"),
    path("audit/confirm/", views.audit_batch, name="audit_batch"),
    path("overdue/", views.overdue, name="overdue"),
    path("notices/", views.notices, name="notices"),
]
