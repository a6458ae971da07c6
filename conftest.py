"""Shared test set-up: small factories for the tree and people, and SQLite's audit purge switch."""

import pytest
from django.db import connection


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the test runner's flush (DELETE on SQLite) clear audit records between transactional tests."""
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO gridgov_audit_purge (allowed) VALUES (1)")
    yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashers cost ~0.3 s a password by design; tests create many logins."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def street(db):
    from gridgov.testing.factories import Street

    return Street()
