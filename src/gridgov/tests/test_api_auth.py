"""Bearer-token authentication: who the request is, and their roles, read in one query."""

import pytest

from gridgov.api import TokenAuth
from gridgov.orgs.models import Role, RoleAssignment
from gridgov.orgs.permissions import SYSTEM, assignments_of, can
from gridgov.orgs.services import api_token_create, role_grant
from gridgov.testing import factories


def used_token(rf, person) -> str:
    """A new token of ``person`` whose first use is recorded already (a write at most once a minute)."""
    _token, secret = api_token_create(actor=person)
    TokenAuth().authenticate(rf.get("/api/v1/me"), secret)
    return secret


def stored_roles(person):
    return sorted(RoleAssignment.objects.filter(person=person).values_list("role", "node_id", "node__path"))


def test_token_lookup_reads_the_person_and_every_role_in_one_query(street, rf, django_assert_num_queries):
    role_grant(actor=SYSTEM, person=street.worker_a, node=street.grid_c, role=Role.GRID_LEADER)
    request, secret = rf.get("/api/v1/me"), used_token(rf, street.worker_a)
    with django_assert_num_queries(1):
        person = TokenAuth().authenticate(request, secret)
        roles = assignments_of(person)
        assert can(person, "node.view", street.grid_c) and not can(person, "node.view", street.grid_b)
    assert (person.pk, person.name) == (street.worker_a.pk, street.worker_a.name)
    assert request.person is person and request.api_token.person_id == person.pk
    assert sorted(roles) == stored_roles(street.worker_a) and len(roles) == 2


def test_token_of_a_person_without_roles_authenticates_with_no_roles(db, rf):
    resident = factories.person("王居民")
    request, secret = rf.get("/api/v1/me"), used_token(rf, resident)
    person = TokenAuth().authenticate(request, secret)
    assert person.pk == resident.pk and assignments_of(person) == []


def test_token_of_an_inactive_person_is_refused(street, rf):
    request, secret = rf.get("/api/v1/me"), used_token(rf, street.worker_a)
    street.worker_a.is_active = False
    street.worker_a.save()
    assert TokenAuth().authenticate(request, secret) is None
    assert not hasattr(request, "person")


@pytest.mark.parametrize("secret", ["", "not-a-token", "x" * 201])
def test_unknown_or_malformed_token_is_refused(db, rf, secret):
    assert TokenAuth().authenticate(rf.get("/api/v1/me"), secret) is None
