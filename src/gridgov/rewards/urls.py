from django.urls import path

from gridgov.rewards import merchant_views, views

app_name = "rewards"

urlpatterns = [
    path("my-code/", views.my_code, name="my_code"),
    path("my-code/card/", views.my_code_card, name="my_code_card"),
    path("till/", views.till, name="till"),
    path("till/confirm/", views.till_confirm, name="till_confirm"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("merchants/", merchant_views.merchants, name="merchants"),
    path("merchants/new/", merchant_views.merchant_create, name="merchant_create"),
    path("merchants/<int:pk>/", merchant_views.merchant_detail, name="merchant"),
    path("merchants/<int:pk>/active/", merchant_views.merchant_active, name="merchant_active"),
    path("merchants/<int:pk>/items/", merchant_views.item_create, name="item_create"),
    path("merchants/<int:pk>/items/<int:item_pk>/", merchant_views.item_update, name="item_update"),
    path("merchants/<int:pk>/staff/", merchant_views.staff_add, name="staff_add"),
    path("merchants/<int:pk>/staff/<int:link_pk>/remove/", merchant_views.staff_remove, name="staff_remove"),
    path("merchants/<int:pk>/settlement/", views.settlement, name="settlement"),
    path("dividend/", views.dividend, name="dividend"),
]
