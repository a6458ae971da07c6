from django.urls import path

from gridgov.orgs import excel_views

urlpatterns = [
    path("excel/", excel_views.excel_import, name="excel_import"),
    path("excel/template/", excel_views.excel_template, name="excel_template"),
    path("excel/export/", excel_views.excel_export, name="excel_export"),
]
