from gridgov.audit.models import AuditRecord
from gridgov.households import services
from gridgov.households.models import CareTag, Visit, VisitPoints
from gridgov.ledger.selectors import granted_for_sources
from gridgov.ledger.services import budget_set, journal
from gridgov.orgs.permissions import SYSTEM


def test_a_visit_earns_the_visitor_points_once_even_when_recorded_twice(village):
    VisitPoints.objects.create(tag="", points=2)
    budget_set(actor=SYSTEM, node=village.street.community, period=journal.current_period(), amount=100)
    worker = village.street.worker_a
    first = services.visit_record(actor=worker, household=village.home, idempotency_key="v-1")
    again = services.visit_record(actor=worker, household=village.home, idempotency_key="v-1")
    assert first.pk == again.pk and Visit.objects.count() == 1
    services._points_for_visit(first)  # the grant itself retried: the ledger's key pays once
    assert granted_for_sources(Visit, [first.pk]) == {first.pk: 2}


def test_the_highest_rate_of_the_households_tags_applies(village):
    VisitPoints.objects.create(tag="", points=1)
    VisitPoints.objects.create(tag=CareTag.ELDERLY_ALONE, points=5)
    services.tag_set(actor=SYSTEM, person=village.spouse, tag=CareTag.ELDERLY_ALONE, on=True)
    assert services.points_per_visit(village.home) == 5
    assert services.points_per_visit(village.next_door) == 1


def test_without_a_budget_the_visit_stands_and_the_refusal_is_audited(village):
    VisitPoints.objects.create(tag="", points=2)
    visit = services.visit_record(actor=village.street.worker_a, household=village.home)
    assert Visit.objects.filter(pk=visit.pk).exists()
    assert granted_for_sources(Visit, [visit.pk]) == {}
    assert AuditRecord.objects.filter(action="household.visit_points_refused").count() == 1


def test_without_a_rate_a_visit_earns_nothing_and_nothing_is_audited(village):
    visit = services.visit_record(actor=village.street.worker_a, household=village.home)
    assert granted_for_sources(Visit, [visit.pk]) == {}
    assert not AuditRecord.objects.filter(action="household.visit_points_refused").exists()
