"""The households part of the demo street: its visits earn what the visit rules give, through the ledger, as a
recorded visit does (the service's idempotency key per visit), so the members' statements show them.

The orgs, geo, ledger and households seeders run once for the module, as ``gridgov.demo.seed_demo`` runs them,
inside a transaction rolled back at the end.
"""

import random
from collections import Counter
from types import SimpleNamespace

import pytest
from django.db import transaction

from gridgov import demo
from gridgov.households import services
from gridgov.households.models import Visit
from gridgov.ledger.models import Posting
from gridgov.ledger.selectors import granted_for_sources, person_account, statement
from gridgov.orgs.tree import paying_node

pytestmark = pytest.mark.django_db
SEEDERS = ["gridgov.orgs.demo.seed", "gridgov.geo.demo.seed", "gridgov.ledger.demo.seed",
           "gridgov.households.demo.seed"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    from django.utils.module_loading import import_string

    with django_db_blocker.unblock(), transaction.atomic():
        out = demo.DemoOutput()
        for path in SEEDERS:
            import_string(path)(rng=random.Random(f"{demo.DEMO_SEED}:{path}"), out=out)
        yield SimpleNamespace(out=out)
        transaction.set_rollback(True)


def test_every_demo_visit_earns_the_rules_points_once_from_the_budget_over_its_household(seeded):
    visits = list(Visit.objects.select_related("household", "node"))
    assert len(visits) > 1000
    rates = services.points_per_visit_of([visit.household_id for visit in visits])
    paid = granted_for_sources(Visit, [visit.pk for visit in visits])
    assert {visit.pk: paid.get(visit.pk, 0) for visit in visits} == {visit.pk: rates[visit.household_id]
                                                                    for visit in visits}
    assert set(Counter(rates.values())) >= {2, 3}  # the rate for every visit, and the care tags' higher one
    keys = {f"households:visit:{visit.pk}:points" for visit in visits}
    postings = Posting.objects.filter(idempotency_key__in=keys)
    assert postings.count() == len(visits)
    sample = visits[0]
    posting = postings.get(idempotency_key=f"households:visit:{sample.pk}:points")
    assert posting.node == paying_node(sample.node)
    assert posting.reason == services.visit_points_reason(sample.household)


def test_a_demo_visitor_statement_shows_the_visit_points(seeded):
    visit = Visit.objects.select_related("household", "visitor").first()
    lines = statement(account=person_account(visit.visitor))
    reasons = [line.posting.reason for line in lines]
    assert services.visit_points_reason(visit.household) in reasons
