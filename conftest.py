"""Shared test set-up: small factories for the tree and people, and SQLite's audit purge switch."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

# Data migrations whose rows (catalogues, categories) tests rely on. A transactional test's flush empties
# every table, so those rows are loaded again, idempotently, before each such test.
DATA_MIGRATIONS = [
    "gridgov.tasks.migrations.0002_catalogue",
    "gridgov.reports.migrations.0002_categories",
    "gridgov.volunteers.migrations.0002_categories",
    "gridgov.households.migrations.0002_defaults",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the test runner's flush (DELETE on SQLite) clear audit records between transactional tests."""
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO gridgov_audit_purge (allowed) VALUES (1)")
    yield


@pytest.fixture(scope="session", autouse=True)
def jobs_run_at_once():
    """Background jobs run inside the request that enqueues them, so a test sees their result at once
    (``GRIDGOV_JOBS=immediate``); a test that needs the queue sets ``settings.TASKS`` itself."""
    from django.test.utils import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashers cost ~0.3 s a password by design; tests create many logins."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def street(db):
    from gridgov.testing.factories import Street

    return Street()


@pytest.fixture(autouse=True)
def reload_data_migrations(request):
    """Before a transactional test (live server, threads), restore rows a previous flush removed."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        return
    request.getfixturevalue("_django_db_helper")
    for path in DATA_MIGRATIONS:
        importlib.import_module(path).load(apps, None)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run (see gridgov.testing.browser)."""
    from gridgov.testing.browser import launch

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
