from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gridgov import health, pwa
from gridgov.api import api
from gridgov.indices import views as indices_views
from gridgov.ledger import views_proofs as ledger_proof_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["gridgov"]), name="javascript-catalog"),
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    path("offline/", pwa.offline, name="pwa_offline"),
    path("favicon.ico", pwa.favicon),
    path("healthz", health.live, name="health_live"),
    path("readyz", health.ready, name="health_ready"),
    path("orgs/", include("gridgov.orgs.excel_urls")),
    path("tasks/", include("gridgov.tasks.urls")),
    path("rewards/", include("gridgov.rewards.urls")),
    path("points/", include("gridgov.ledger.urls")),
    path("reports/", include("gridgov.reports.urls")),
    path("bookings/", include("gridgov.bookings.urls")),
    path("volunteers/", include("gridgov.volunteers.urls")),
    path("households/", include("gridgov.households.urls")),
    path("oversight/", include("gridgov.oversight.urls")),
    path("indices/", include("gridgov.indices.urls")),
    path("geo/", include("gridgov.geo.urls")),
    path("messages/", include("gridgov.notifications.urls")),
    path("", include("gridgov.cockpit.urls")),
    path("o/<str:slug>/", indices_views.public_organisation, name="indices_public"),
    path("verify/", ledger_proof_views.verifier_page, name="ledger_verifier"),
    path("", include("gridgov.orgs.urls")),
    path("", include("gridgov.workbench.urls")),
]
