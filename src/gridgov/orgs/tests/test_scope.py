import pytest

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError, PermissionDenied
from gridgov.orgs import services
from gridgov.orgs.models import NodeKind, Role
from gridgov.orgs.permissions import SYSTEM, can, require


def test_worker_of_grid_a_cannot_view_grid_b(street):
    assert can(street.worker_a, "node.view", street.micro_a1)
    assert not can(street.worker_a, "node.view", street.grid_b)
    assert not can(street.worker_a, "node.view", street.community)


def test_street_cadre_covers_every_node_of_its_street(street):
    for node in [street.street, street.community, street.village, street.grid_c, street.micro_b1]:
        assert can(street.street_cadre, "node.manage", node)
    assert not can(street.street_cadre, "node.manage", street.district)


def test_community_cadre_cannot_manage_the_neighbouring_village(street):
    assert can(street.community_cadre, "node.manage", street.grid_a)
    assert not can(street.community_cadre, "node.manage", street.grid_c)


def test_role_without_the_action_is_refused_even_inside_scope(street):
    assert not can(street.worker_a, "node.manage", street.micro_a1)
    assert not can(street.resident, "person.view", street.micro_a1)


def test_refused_attempt_is_recorded_in_the_audit_trail(street):
    with pytest.raises(PermissionDenied):
        require(street.worker_a, "node.manage", street.grid_b)
    record = AuditRecord.objects.get(action="node.manage", outcome="denied")
    assert record.actor_id == street.worker_a.pk
    assert record.node_id == street.grid_b.pk


def test_worker_cannot_create_a_node_in_another_grid(street):
    with pytest.raises(PermissionDenied):
        services.node_create(actor=street.worker_b, parent=street.grid_a, kind=NodeKind.MICRO_GRID, code="X1", name="越权")


def test_inactive_person_may_do_nothing(street):
    street.street_cadre.is_active = False
    assert not can(street.street_cadre, "node.view", street.street)


def test_community_cadre_may_not_create_a_street_cadre(street):
    with pytest.raises(PermissionDenied):
        services.person_create(actor=street.community_cadre, name="越级", node=street.community, role=Role.STREET_CADRE)


def test_grid_cannot_be_placed_directly_under_a_street(street):
    with pytest.raises(DomainError):
        services.node_create(actor=street.street_cadre, parent=street.street, kind=NodeKind.GRID, code="BAD", name="错层")


def test_unknown_action_is_a_programming_error(street):
    with pytest.raises(ValueError):
        can(street.admin, "no.such.action", street.street)


def test_system_may_update_a_person_who_holds_no_role(street):
    loner = services.person_create(actor=SYSTEM, name="无角色")
    services.person_update(actor=SYSTEM, person=loner, phone="13900001111")
    loner.refresh_from_db()
    assert loner.phone == "13900001111"


def test_cadre_may_not_update_a_person_who_holds_no_role_in_their_area(street):
    loner = services.person_create(actor=SYSTEM, name="无角色")
    with pytest.raises(PermissionDenied):
        services.person_update(actor=street.community_cadre, person=loner, phone="13900001111")
