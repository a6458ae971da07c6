"""What lets several app servers stand behind one proxy (docs/deployment.md): health checks for the proxy, and no
state kept in one server's memory or disk that another server would need."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError

PACKAGE = Path(__file__).resolve().parents[1]


def test_the_liveness_check_answers_without_the_database(client):
    response = client.get("/healthz")  # no django_db mark: any query would raise
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_readiness_check_asks_the_database(client):
    assert client.get("/readyz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_a_server_that_cannot_reach_its_database_is_not_ready(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json() == {"status": "unavailable", "databases": ["default"]}


def test_sessions_live_in_the_database_not_in_a_servers_memory():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_no_code_keeps_state_in_a_process_local_cache():
    """Django's default cache is each process's own memory: a value put there is missing on the next server."""
    users = [path.relative_to(PACKAGE) for path in PACKAGE.glob("**/*.py")
             if "tests" not in path.parts and re.search(r"django\.core\.cache|\bcaches\[", path.read_text())]
    assert users == [], f"these use Django's cache; give it a shared backend first (docs/deployment.md): {users}"


def test_every_server_reads_the_signing_key_named_by_the_setting(tmp_path):
    key = tmp_path / "shared" / "ledger.key"
    assert settings_of({"GRIDGOV_DATA_DIR": str(tmp_path / "data"), "GRIDGOV_LEDGER_SIGNING_KEY": str(key)},
                       "str(settings.LEDGER_SIGNING_KEY)") == str(key)


def test_behind_pgbouncer_nothing_is_prepared_and_no_cursor_outlives_its_transaction(tmp_path):
    environment = {"GRIDGOV_DATA_DIR": str(tmp_path), "GRIDGOV_PGBOUNCER": "1",
                   "GRIDGOV_DATABASE_URL": "postgres://gridgov:gridgov@127.0.0.1:6432/gridgov"}
    database = "settings.DATABASES['default']"
    assert settings_of(environment, f"[{database}['OPTIONS'].get('prepare_threshold', 'unset'), "
                                    f"{database}.get('DISABLE_SERVER_SIDE_CURSORS', False)]") == [None, True]


def settings_of(environment: dict, expression: str):
    """``expression`` (over ``settings``, JSON-ready) as a fresh process with ``environment`` reads it."""
    done = subprocess.run(
        [sys.executable, "-c", "import django, json; django.setup(); from django.conf import settings; "
                               f"print(json.dumps({expression}))"],
        env={**environment, "DJANGO_SETTINGS_MODULE": "gridgov.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
