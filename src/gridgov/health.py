"""Health checks for the reverse proxy or load balancer in front of several app servers (docs/deployment.md).

``/healthz`` answers without touching the database: the process is up and serving (it is also the floor the
throughput benchmark measures endpoints against, bench/tasks.py). ``/readyz`` also asks each configured
database for one row, and answers 503 naming the one that does not answer, so the proxy stops sending work to
a server that cannot reach PostgreSQL.
"""

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    failing = []
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            failing.append(alias)
    if failing:
        return JsonResponse({"status": "unavailable", "databases": failing}, status=503)
    return JsonResponse({"status": "ok"})
