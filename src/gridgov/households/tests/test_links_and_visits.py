import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.deadlines.models import Alert, AlertLevel
from gridgov.deadlines.scan import scan_deadlines
from gridgov.errors import DomainError
from gridgov.geo import services as geo
from gridgov.households import selectors, services
from gridgov.households.models import Link, Visit
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.reports.models import Category, Report
from gridgov.testing.factories import person

SQUARE = {"type": "Polygon", "coordinates": [[[119.5, 28.1], [119.51, 28.1], [119.51, 28.11], [119.5, 28.11],
                                                [119.5, 28.1]]]}


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("visit.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_member_is_linked_only_to_households_of_a_grid_they_serve(village):
    with pytest.raises(DomainError) as refused:
        services.link_create(actor=village.street.community_cadre, household=village.across,
                             member=village.party_member, kind="party_member")
    assert refused.value.code == "link_outside_grid"
    link = services.link_create(actor=village.street.community_cadre, household=village.home,
                                member=village.party_member, kind="party_member")
    assert selectors.linked_households(village.party_member) == [link]


def test_linking_twice_is_refused(village):
    cadre = village.street.community_cadre
    services.link_create(actor=cadre, household=village.home, member=village.party_member, kind="party_member")
    with pytest.raises(DomainError) as refused:
        services.link_create(actor=cadre, household=village.home, member=village.party_member, kind="party_member")
    assert refused.value.code == "already_linked"


def test_coverage_counts_unlinked_households_and_members_under_quota(village):
    services.link_create(actor=village.street.community_cadre, household=village.home,
                         member=village.party_member, kind="party_member")
    report = selectors.coverage(node=village.street.community)
    assert (report.households, report.linked, report.unlinked) == (3, 1, 2)
    assert report.members_under_quota == 1  # one household, of at least seven
    assert village.next_door in report.unlinked_sample


def test_linked_member_records_a_visit_and_it_counts_this_month(village):
    services.link_create(actor=village.street.community_cadre, household=village.home,
                         member=village.party_member, kind="party_member")
    services.visit_record(actor=village.party_member, household=village.home, checked=["power", "gas"],
                          note="一切正常", photo=jpeg())
    [link] = selectors.linked_households(village.party_member)
    assert link.visited_this_month and not link.overdue
    assert selectors.visits_this_month() == 1


def test_someone_neither_linked_nor_a_worker_cannot_record_a_visit(village):
    with pytest.raises(DomainError) as refused:
        services.visit_record(actor=village.party_member, household=village.home)
    assert refused.value.code == "forbidden"


def test_a_repeated_visit_with_the_same_key_is_recorded_once(village):
    worker = village.street.worker_a
    first = services.visit_record(actor=worker, household=village.home, idempotency_key="k1")
    again = services.visit_record(actor=worker, household=village.home, idempotency_key="k1")
    assert first.pk == again.pk and Visit.objects.count() == 1


def test_an_item_not_on_the_checklist_is_refused(village):
    with pytest.raises(DomainError) as refused:
        services.visit_record(actor=village.street.worker_a, household=village.home, checked=["astrology"])
    assert refused.value.code == "unknown_item"
    assert not Visit.objects.exists()


def test_a_visit_located_outside_the_micro_grid_is_refused_where_a_boundary_exists(village):
    geo.boundary_set(actor=SYSTEM, node=village.street.micro_a1, geometry_in=SQUARE)
    worker = village.street.worker_a
    with pytest.raises(DomainError) as refused:
        services.visit_record(actor=worker, household=village.home, latitude="28.2", longitude="119.6")
    assert refused.value.code == "outside_boundary"
    assert not Visit.objects.exists()
    services.visit_record(actor=worker, household=village.home, latitude="28.105", longitude="119.505")
    assert Visit.objects.count() == 1


def test_what_a_visit_found_becomes_a_report_in_one_step(village):
    category = Category.objects.get(code="safety")
    visit = services.visit_record(actor=village.street.worker_a, household=village.home, checked=["power"],
                                  note="电线老化，有起火风险", report_category=category)
    report = Report.objects.get(pk=visit.report_id)
    assert report.text == "电线老化，有起火风险" and report.reporter == village.street.worker_a
    assert report.node == village.home.node


def test_a_report_without_words_is_refused_and_no_visit_is_kept(village):
    with pytest.raises(DomainError):
        services.visit_record(actor=village.street.worker_a, household=village.home,
                              report_category=Category.objects.get(code="safety"))
    assert not Visit.objects.exists()


def test_a_missed_visit_alerts_the_member(village):
    link = services.link_create(actor=village.street.community_cadre, household=village.home,
                                member=village.street.worker_a, kind="grid_worker")
    Link.objects.filter(pk=link.pk).update(visit_due_at=timezone.now() - timedelta(hours=1))
    scan_deadlines(now=timezone.now())
    alert = Alert.objects.filter(item_type="hh_visit", item_id=link.pk).order_by("-level").first()
    assert alert.recipient_id == village.street.worker_a.pk
    services.visit_record(actor=village.street.worker_a, household=village.home)
    assert Link.objects.get(pk=link.pk).visit_due_at > timezone.now()


def test_a_visit_missed_for_a_day_goes_to_the_grid_leader_else_to_the_community(village):
    street = village.street
    link = services.link_create(actor=street.community_cadre, household=village.home, member=street.worker_a,
                                kind="grid_worker")
    Link.objects.filter(pk=link.pk).update(visit_due_at=timezone.now() - timedelta(hours=25))
    scan_deadlines(now=timezone.now())
    escalated = Alert.objects.get(item_type="hh_visit", item_id=link.pk, level=AlertLevel.ESCALATED)
    assert escalated.recipient_id == street.community_cadre.pk  # the test street has no grid leader
    leader = person("网格长甲", node=street.grid_a, role=Role.GRID_LEADER)
    Alert.objects.all().delete()
    scan_deadlines(now=timezone.now())
    assert Alert.objects.get(item_type="hh_visit", item_id=link.pk, level=AlertLevel.ESCALATED).recipient_id == leader.pk
