"""Read replicas (gridgov/replicas.py): marked pages read the replica, writers and their own next reads the primary.

The end-to-end test runs a second Python process with ``GRIDGOV_REPLICA_URL`` pointing at a stale copy of the
database (a replica lagging behind), so the replica alias and the router exist there as in production.
"""

import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from django.db import connection
from django.test import RequestFactory

from gridgov import replicas

SCRIPT = textwrap.dedent("""
    import json
    import django
    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory
    from gridgov import replicas
    from gridgov.orgs.models import Node

    Node.add_root(kind="street", code="S-NEW", name="新街道")  # on the primary, after the copy: not on the replica

    @replicas.replica_reads
    def page(request):
        return HttpResponse(",".join(Node.objects.values_list("code", flat=True)))

    def after_post():
        middleware = replicas.WroteRecentlyMiddleware(lambda request: HttpResponse())
        return middleware(RequestFactory().post("/anything/")).cookies[replicas.WROTE_COOKIE].value

    factory = RequestFactory()
    print(json.dumps({
        "marked_page": page(factory.get("/")).content.decode(),
        "after_a_write": page(factory.get("/", HTTP_COOKIE=f"{replicas.WROTE_COOKIE}={after_post()}")).content.decode(),
        "post_to_marked_page": page(factory.post("/")).content.decode(),
        "unmarked_read": ",".join(Node.objects.values_list("code", flat=True)),
        "replica_migrated": replicas.ReplicaRouter().allow_migrate("replica", "orgs"),
    }))
""")


@pytest.mark.django_db(transaction=True)
def test_a_marked_page_reads_the_replica_until_the_reader_writes(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the stale replica is a copy of the SQLite test database")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    shutil.copy(connection.settings_dict["NAME"], primary)
    shutil.copy(primary, replica)
    env = {"GRIDGOV_DATA_DIR": str(tmp_path / "data"), "GRIDGOV_DATABASE_URL": f"sqlite:///{primary}",
           "GRIDGOV_REPLICA_URL": f"sqlite:///{replica}", "DJANGO_SETTINGS_MODULE": "gridgov.settings",
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert "S-NEW" not in seen["marked_page"]  # read from the lagging replica
    assert "S-NEW" in seen["after_a_write"]  # the writer reads its own write
    assert "S-NEW" in seen["post_to_marked_page"]
    assert "S-NEW" in seen["unmarked_read"]
    assert seen["replica_migrated"] is False


def test_without_a_replica_a_marked_page_reads_the_primary(settings):
    assert replicas.REPLICA not in settings.DATABASES
    assert not replicas.may_read_replica(RequestFactory().get("/"))


def test_who_is_asking_is_read_from_the_primary_even_on_a_marked_page():
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session

    token = replicas._reading_replica.set(True)
    try:
        router = replicas.ReplicaRouter()
        assert router.db_for_read(Session) == router.db_for_read(User) == "default"
        assert router.db_for_write(Session) == "default"
    finally:
        replicas._reading_replica.reset(token)


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_a_garbled_wrote_cookie_counts_as_no_recent_write(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    request = RequestFactory().get("/", HTTP_COOKIE=f"{replicas.WROTE_COOKIE}=nonsense")
    assert replicas.may_read_replica(request)
