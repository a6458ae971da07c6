from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError, PermissionDenied
from gridgov.ledger.models import Posting
from gridgov.orgs.models import NodeKind, Role
from gridgov.reports import services
from gridgov.reports.models import Category, EscalationLevel, Report, ReportState, RoutingRule
from gridgov.reports.tests.conftest import T0, jpeg
from gridgov.reports.workflow import InvalidTransition
from gridgov.testing.factories import node, person

# ---------------------------------------------------------------- filing and routing


def test_report_is_routed_to_the_grid_worker_above_the_micro_grid_with_both_deadlines(street, file_report):
    report = file_report()
    assert report.handler == street.worker_a
    assert report.state == ReportState.SUBMITTED
    assert report.response_due_at == T0 + timedelta(hours=24)
    assert report.resolution_due_at == T0 + timedelta(hours=72)
    assert report.due_at == report.response_due_at
    assert [event.event for event in report.events.all()] == ["submit"]
    assert AuditRecord.objects.filter(action="report.file", object_id=str(report.pk)).exists()


def test_report_in_a_grid_without_worker_falls_back_to_the_community_cadre(street, environment):
    empty_grid = node(street.community, NodeKind.GRID, "东门第三网格")
    resident = person("钱居民", node=empty_grid, role=Role.RESIDENT)
    report = services.report_file(actor=resident, node=empty_grid, category=environment, text="路灯坏了", now=T0)
    assert report.handler == street.community_cadre
    assert report.escalation == EscalationLevel.COMMUNITY


def test_routing_rule_sends_a_category_in_a_subtree_to_the_community_cadre(street, file_report):
    safety = Category.objects.get(code="safety")
    RoutingRule.objects.create(node=street.community, category=safety, handler_role=Role.COMMUNITY_CADRE)
    assert file_report(category=safety).handler == street.community_cadre
    assert file_report().handler == street.worker_a  # other categories still go to the grid


def test_deeper_routing_rule_wins_over_a_wider_one(street, file_report):
    RoutingRule.objects.create(node=street.street, category=None, handler_role=Role.STREET_CADRE)
    RoutingRule.objects.create(node=street.grid_a, category=None, handler_role=Role.GRID_WORKER)
    assert file_report().handler == street.worker_a


def test_report_with_no_text_and_no_photo_is_refused(street, file_report):
    with pytest.raises(DomainError) as error:
        file_report(text="  ")
    assert error.value.code == "empty_report"
    assert not Report.objects.exists()


def test_report_with_only_a_photo_is_accepted_and_the_photo_re_encoded(street, file_report):
    report = file_report(text="", photos=[jpeg(size=(3000, 2000))])
    photo = report.photos.get()
    assert max(photo.width, photo.height) <= 1600
    assert photo.image.name.endswith(".jpg")


def test_non_image_upload_is_refused_and_nothing_is_saved(street, file_report):
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(DomainError):
        file_report(photos=[fake])
    assert not Report.objects.exists()


def test_inactive_category_is_refused(street, file_report, environment):
    environment.is_active = False
    environment.save()
    with pytest.raises(DomainError) as error:
        file_report()
    assert error.value.code == "unknown_category"


def test_resident_cannot_report_about_another_community(street, file_report):
    with pytest.raises(PermissionDenied):
        file_report(node=street.grid_c)
    assert AuditRecord.objects.filter(action="report.file", outcome="denied").exists()


def test_resident_may_report_about_their_own_community(street, file_report):
    assert file_report(node=street.community).handler == street.community_cadre


# ---------------------------------------------------------------- transitions


def test_full_flow_accept_start_resolve_confirm_grants_points_once(street, file_report, budget):
    report = file_report()
    report = services.report_accept(actor=street.worker_a, report=report, now=T0 + timedelta(hours=1))
    assert report.due_at == report.resolution_due_at
    report = services.report_start(actor=street.worker_a, report=report, now=T0 + timedelta(hours=2))
    report = services.report_resolve(actor=street.worker_a, report=report, resolution="已清理", now=T0 + timedelta(hours=5))
    assert report.state == ReportState.RESOLVED and report.due_at is None and report.auto_close_at is not None
    report = services.report_rate(actor=street.resident, report=report, rating=5, comment="很快", now=T0 + timedelta(hours=6))
    assert report.state == ReportState.CONFIRMED and report.rating == 5
    posting = Posting.objects.get(idempotency_key=f"report:{report.pk}:points")
    assert report.posting_id == posting.pk
    assert [e.event for e in report.events.all()] == ["submit", "accept", "start", "resolve", "confirm", "points"]
    services._grant_points(report=report, now=T0)  # a replay pays nothing more
    assert Posting.objects.filter(source_id=str(report.pk), source_type="reports.report").count() == 1


def test_report_not_marked_useful_earns_no_points(street, file_report, budget):
    report = file_report()
    services.report_accept(actor=street.worker_a, report=report)
    services.report_resolve(actor=street.worker_a, report=report, resolution="误报", useful=False)
    services.report_rate(actor=street.resident, report=report, rating=4)
    assert not Posting.objects.filter(idempotency_key=f"report:{report.pk}:points").exists()


def test_confirmation_stands_when_the_budget_cannot_pay(street, file_report):
    report = file_report()
    services.report_accept(actor=street.worker_a, report=report)
    services.report_resolve(actor=street.worker_a, report=report, resolution="已处理")
    report = services.report_rate(actor=street.resident, report=report, rating=5)
    assert report.state == ReportState.CONFIRMED
    assert report.events.filter(event="points_refused").exists()


def test_bad_rating_reopens_with_a_new_resolution_deadline(street, file_report):
    report = file_report()
    services.report_accept(actor=street.worker_a, report=report, now=T0)
    services.report_resolve(actor=street.worker_a, report=report, resolution="处理了", now=T0 + timedelta(hours=1))
    later = T0 + timedelta(hours=10)
    report = services.report_rate(actor=street.resident, report=report, rating=1, comment="没解决", now=later)
    assert report.state == ReportState.IN_PROGRESS
    assert report.reopen_count == 1
    assert report.due_at == later + timedelta(hours=72)


def test_bad_rating_after_two_reopens_confirms(street, file_report):
    report = file_report()
    services.report_accept(actor=street.worker_a, report=report)
    for _ in range(2):
        services.report_resolve(actor=street.worker_a, report=report, resolution="再处理")
        services.report_rate(actor=street.resident, report=report, rating=2)
    services.report_resolve(actor=street.worker_a, report=report, resolution="第三次")
    report = services.report_rate(actor=street.resident, report=report, rating=1)
    assert report.state == ReportState.CONFIRMED and report.rating == 1


def test_resolving_before_accepting_is_refused_and_nothing_changes(street, file_report):
    report = file_report()
    with pytest.raises(InvalidTransition):
        services.report_resolve(actor=street.worker_a, report=report, resolution="x")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_second_confirmation_is_refused(street, file_report):
    report = file_report()
    services.report_accept(actor=street.worker_a, report=report)
    services.report_resolve(actor=street.worker_a, report=report, resolution="好")
    services.report_rate(actor=street.resident, report=report, rating=5)
    with pytest.raises(InvalidTransition):
        services.report_rate(actor=street.resident, report=report, rating=5)


@pytest.mark.parametrize("who", ["worker_b", "resident", "supervisor", "auditor", "village_cadre"])
def test_only_the_handler_or_a_cadre_over_the_node_may_accept(street, file_report, who):
    report = file_report()
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=getattr(street, who), report=report)
    assert AuditRecord.objects.filter(action="report.accept", outcome="denied").exists()


@pytest.mark.parametrize("who", ["community_cadre", "street_cadre", "admin"])
def test_a_cadre_over_the_node_may_act_for_the_handler(street, file_report, who):
    report = services.report_accept(actor=getattr(street, who), report=file_report())
    assert report.state == ReportState.ACCEPTED


@pytest.mark.parametrize("who", ["worker_a", "community_cadre", "supervisor", "street_cadre"])
def test_only_the_reporter_may_rate(street, file_report, who):
    report = file_report()
    services.report_accept(actor=street.worker_a, report=report)
    services.report_resolve(actor=street.worker_a, report=report, resolution="好")
    with pytest.raises(PermissionDenied):
        services.report_rate(actor=getattr(street, who), report=report, rating=5)


@pytest.mark.parametrize("rating", [0, 6, "abc", None])
def test_rating_outside_1_to_5_is_refused(street, file_report, rating):
    report = file_report()
    services.report_accept(actor=street.worker_a, report=report)
    services.report_resolve(actor=street.worker_a, report=report, resolution="好")
    with pytest.raises(DomainError):
        services.report_rate(actor=street.resident, report=report, rating=rating)


def test_cadre_reassigns_and_it_is_recorded_on_the_timeline(street, file_report):
    worker_a2 = person("吴网格", node=street.grid_a, role=Role.GRID_WORKER)
    report = services.report_reassign(actor=street.community_cadre, report=file_report(), handler=worker_a2)
    assert report.handler == worker_a2
    assert report.events.filter(event="reassign", note__contains="吴网格").exists()
    assert AuditRecord.objects.filter(action="report.reassign", outcome="done").exists()


def test_worker_may_not_reassign(street, file_report):
    with pytest.raises(PermissionDenied):
        services.report_reassign(actor=street.worker_a, report=file_report(), handler=street.worker_b)


def test_reassigning_to_someone_outside_the_area_is_refused(street, file_report):
    with pytest.raises(DomainError):
        services.report_reassign(actor=street.street_cadre, report=file_report(), handler=street.village_cadre)


def test_escalation_goes_to_the_community_then_the_street_and_no_further(street, file_report):
    report = file_report()
    report = services.report_escalate(actor=street.worker_a, report=report, reason="需要协调")
    assert (report.handler, report.escalation) == (street.community_cadre, EscalationLevel.COMMUNITY)
    report = services.report_escalate(actor=street.community_cadre, report=report)
    assert (report.handler, report.escalation) == (street.street_cadre, EscalationLevel.STREET)
    with pytest.raises(DomainError):
        services.report_escalate(actor=street.street_cadre, report=report)
    assert report.events.filter(event="escalate").count() == 2


def test_resident_may_not_escalate(street, file_report):
    with pytest.raises(PermissionDenied):
        services.report_escalate(actor=street.resident, report=file_report())


def test_nobody_but_the_system_auto_closes(street, file_report):
    from gridgov.reports.workflow import Event

    report = file_report()
    with pytest.raises(PermissionDenied):
        services._transition(actor=street.admin, report=report, event=Event.AUTO_CLOSE)
