"""``gridgov.sql.Compiled``: a query compiled once answers as the ORM would, for each value bound, with the
ORM's conversions (times, booleans, JSON); a placeholder that does not reach the SQL whole is refused."""

import pytest
from django.db.models import Q

from gridgov.orgs.models import ApiToken, Person
from gridgov.orgs.services import api_token_create
from gridgov.sql import Compiled

pytestmark = pytest.mark.django_db

FIELDS = ["id", "name", "is_active", "created_at", "roles__role", "roles__node__path"]


def test_a_compiled_query_answers_like_the_orm_for_every_value(street):
    query = Compiled(lambda name: Person.objects.filter(Q(name=name) | Q(phone=name)).values_list(*FIELDS)
                     .order_by("pk", "roles__role"))
    for person in (street.worker_a, street.street_cadre, street.resident):
        orm = list(Person.objects.filter(Q(name=person.name) | Q(phone=person.name)).values_list(*FIELDS)
                   .order_by("pk", "roles__role"))
        assert query.rows(person.name) == orm and orm
    assert query.rows("nobody") == []
    assert len(query.compiled) == 1  # compiled once, bound three times


def test_the_token_query_of_every_api_call_finds_the_person_and_roles(street, client):
    _token, secret = api_token_create(actor=street.worker_a, label="t")
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["name"] == street.worker_a.name
    ApiToken.objects.update(last_used_at=None)
    street.worker_a.user.is_active = False
    street.worker_a.user.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_placeholder_that_does_not_reach_the_sql_whole_is_refused(street):
    with pytest.raises(ValueError):
        Compiled(lambda name: Person.objects.filter(name__startswith=name).values_list("id")).rows("周")
    with pytest.raises(ValueError):
        Compiled(lambda name: Person.objects.values_list("id")).rows("周")
