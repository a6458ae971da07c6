from django.urls import path

from gridgov.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.my_points, name="mine"),
    path("ranking/", views.ranking, name="ranking"),
    path("award/", views.award, name="award"),
    path("postings/<int:sequence>/reverse/", views.reverse, name="reverse"),
    path("budgets/", views.budgets, name="budgets"),
]
