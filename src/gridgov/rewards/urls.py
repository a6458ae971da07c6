from django.urls import path

from gridgov.rewards import views

app_name = "rewards"

urlpatterns = [
    path("my-code/", views.my_code, name="my_code"),
    path("my-code/card/", views.my_code_card, name="my_code_card"),
    path("till/", views.till, name="till"),
    path("till/confirm/", views.till_confirm, name="till_confirm"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("merchants/<int:pk>/settlement/", views.settlement, name="settlement"),
    path("dividend/", views.dividend, name="dividend"),
]
