from django.urls import path

from gridgov.ledger import views, views_proofs

app_name = "ledger"

urlpatterns = [
    path("", views.my_points, name="mine"),
    path("ranking/", views.ranking, name="ranking"),
    path("award/", views.award, name="award"),
    path("postings/<int:sequence>/reverse/", views.reverse, name="reverse"),
    path("budgets/", views.budgets, name="budgets"),
    path("proof/", views_proofs.proof_download, name="proof_download"),
    path("proof/qr/", views_proofs.proof_qr, name="proof_qr"),
]
