"""Property-based tests from the OpenAPI document (Schemathesis), in-process against the WSGI app.

For every documented operation, Hypothesis draws requests from the operation's schema (valid ones, and
invalid ones) and a caller among eight roles of a small seeded street; half the draws use the ids and
codes of things that exist, so the requests go past the look-ups. Every answer must be no 500, with a
documented status, content type and body. Deterministic (derandomized) and a fixed number of examples per
operation, to stay inside the CI budget on both databases.
"""

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gridgov.api import api
from gridgov.bookings import services as bookings
from gridgov.bookings.tests.conftest import Catalogue
from gridgov.households import services as households
from gridgov.indices import schemes
from gridgov.indices import services as indices
from gridgov.ledger import journal
from gridgov.ledger import services as ledger
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.orgs.services import api_token_create
from gridgov.reports import services as reports
from gridgov.reports.models import Category
from gridgov.rewards import services as rewards
from gridgov.tasks import services as tasks
from gridgov.tasks.models import WorkType
from gridgov.testing.factories import Street, person

# Per operation (~70 of them); more for a deeper run by hand: GRIDGOV_SCHEMATHESIS_EXAMPLES=200 pytest -k schemathesis
EXAMPLES = int(os.environ.get("GRIDGOV_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["worker_a", "community_cadre", "auditor", "street_cadre", "clerk", "resident", "supervisor", "admin"]


def load_schema():
    from gridgov.wsgi import application

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = application
    return loaded


SCHEMA = load_schema()
OPERATIONS = {f"{operation.method.upper()} {operation.path}": operation
              for operation in (result.ok() for result in SCHEMA.get_all_operations())}


class Seeded:
    """A street with something of each kind, a token per role, and the path values that name them."""

    def __init__(self):
        self.street = street = Street()
        period = journal.current_period()
        ledger.budget_set(actor=SYSTEM, node=street.community, period=period, amount=10_000)
        clerk = person("钱店员", node=street.community, role=Role.MERCHANT_STAFF, username="clerk")
        merchant = rewards.merchant_create(actor=street.community_cadre, name="东门惠民超市", node=street.community)
        rewards.staff_add(actor=street.community_cadre, merchant=merchant, person=clerk)
        item = rewards.item_create(actor=street.community_cadre, merchant=merchant, name="洗衣皂", points=30, stock=5)
        task = tasks.task_publish(actor=street.community_cadre, node=street.community, title="消防安全巡查",
                                  work_type=WorkType.objects.get(name="消防安全"), points=20, places=3,
                                  deadline=timezone.now() + timedelta(days=7), requires_photo=False)
        claim = tasks.task_claim(actor=street.worker_a, task=task)
        tasks.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕")
        report = reports.report_file(actor=street.resident, node=street.micro_a1, text="路灯坏了",
                                     category=Category.objects.get(code="environment"))
        posting = ledger.grant_points(actor=SYSTEM, person=street.resident, amount=50, reason="种子积分",
                                      idempotency_key="seed-grant", budget_node=street.community)
        rule_set = indices.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)[0]
        slug = indices.org_code_issue(actor=SYSTEM, node=street.community).slug
        catalogue = Catalogue(street)
        today = timezone.localdate()
        booking = bookings.booking_create(actor=street.community_cadre, organisation=street.community,
                                          plan=catalogue.plan, slot=catalogue.morning, headcount=10,
                                          date=today + timedelta(days=7 - today.weekday()))
        household = households.household_create(actor=SYSTEM, node=street.micro_a1, code="H-SEED",
                                                house_number="1号")
        households.member_move_in(actor=SYSTEM, household=household, person=street.resident, relation="head",
                                  moved_in=today - timedelta(days=400))
        link = households.link_create(actor=SYSTEM, household=household, member=street.worker_a, kind="grid_worker")
        people = {role: getattr(street, role, None) for role in ROLES}
        people["clerk"] = clerk
        self.tokens = {role: api_token_create(actor=someone)[1] for role, someone in people.items()}
        self.path_values = {
            "task_id": task.pk, "claim_id": claim.pk, "report_id": report.pk, "merchant_id": merchant.pk,
            "pk": rule_set.pk, "code": street.community.code, "scheme": rule_set.code, "period": period,
            "sequence": posting.sequence, "slug": slug, "booking_id": booking.pk,
            "household_id": household.pk, "link_id": link.pk,
        }
        code = street.community.code
        self.body_values = {
            "node_code": code, "node": code, "budget_node": code, "work_type_code": task.work_type.code,
            "category": "environment", "person_id": street.worker_a.pk, "handler_id": street.worker_b.pk,
            "item_id": item.pk, "merchant_id": merchant.pk, "claim_ids": [claim.pk],
            "token": rewards.token_issue(person=street.resident).token, "period": period,
            "organisation": code, "plan_id": catalogue.plan.pk, "slot_id": catalogue.morning.pk,
            "member_id": street.worker_a.pk, "report_category": "environment",
        }


@pytest.fixture
def seeded(db):
    return Seeded()


@pytest.fixture
def in_the_test_transaction():
    """Django's test client keeps requests inside the test's transaction by not closing the connection at
    each request's start and end; the WSGI calls here need the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def cases(operation, seeded: Seeded):
    """Valid and invalid requests, drawn as they come, or naming the seeded things in the path and body."""
    known = {parameter.name: seeded.path_values[parameter.name] for parameter in operation.path_parameters
             if parameter.name in seeded.path_values}

    def naming_seeded_things(case):
        for body in (case.body, case.query):
            if isinstance(body, dict):
                body.update({key: value for key, value in seeded.body_values.items() if key in body})
        return case

    return st.one_of(
        operation.as_strategy(),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        operation.as_strategy(path_parameters=known).map(naming_seeded_things),
    )


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_every_answer_is_documented_and_never_a_500(label, seeded, in_the_test_transaction):
    operation = OPERATIONS[label]

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=cases(operation, seeded), role=st.sampled_from(ROLES))
    def check(case, role):
        headers = {"Authorization": f"Bearer {seeded.tokens[role]}"}
        if label == "DELETE /api/v1/auth/token":
            headers = {"Authorization": f"Bearer {api_token_create(actor=seeded.street.worker_b)[1]}"}
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_every_operation_is_exercised():
    assert len(OPERATIONS) == sum(len(methods) for methods in api.get_openapi_schema()["paths"].values())
