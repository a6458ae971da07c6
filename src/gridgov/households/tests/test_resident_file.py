import pytest

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.households import selectors, services
from gridgov.households.models import CareTag, FileField, Link


@pytest.fixture
def fields(db):
    return {field.code: field for field in FileField.objects.all()}


def test_sensitive_value_is_masked_in_the_file_and_its_reading_is_audited(village, fields):
    cadre = village.street.community_cadre
    services.file_write(actor=cadre, household=village.home, field=fields["income"], value="3-6万元")
    rows = {row.field.code: row for row in selectors.file_rows(actor=cadre, household=village.home)}
    assert rows["income"].shown == selectors.MASK and rows["income"].masked
    assert services.file_read(actor=cadre, household=village.home, field=fields["income"]) == "3-6万元"
    reading = AuditRecord.objects.get(action="household.file_read")
    assert reading.actor_id == cadre.pk and reading.after == {"field": "income"}


def test_sensitive_values_stay_out_of_the_audit_trail(village, fields):
    services.file_write(actor=village.street.community_cadre, household=village.home, field=fields["offences"],
                        value="无")
    record = AuditRecord.objects.get(action="household.file_write")
    assert "无" not in str(record.after) and "无" not in str(record.before)


def test_grid_worker_cannot_read_a_sensitive_field(village, fields):
    services.file_write(actor=village.street.community_cadre, household=village.home, field=fields["disputes"],
                        value="宅基地纠纷")
    with pytest.raises(DomainError) as refused:
        services.file_read(actor=village.street.worker_a, household=village.home, field=fields["disputes"])
    assert refused.value.code == "forbidden"
    assert AuditRecord.objects.filter(action="household.file_read_sensitive", outcome="denied").exists()
    rows = {row.field.code: row for row in selectors.file_rows(actor=village.street.worker_a, household=village.home)}
    assert rows["disputes"].shown == selectors.MASK and not rows["disputes"].masked  # masked, and no way to ask


def test_resident_sees_only_the_open_fields_of_their_household(village, fields):
    services.file_write(actor=village.street.community_cadre, household=village.home, field=fields["hukou_type"],
                        value="农业户口")
    rows = selectors.file_rows(actor=village.head, household=village.home, resident=True)
    assert {row.field.sensitivity for row in rows} == {"open"}
    assert any(row.shown == "农业户口" for row in rows)


def test_writing_the_same_value_again_writes_nothing(village, fields):
    cadre = village.street.community_cadre
    services.file_write(actor=cadre, household=village.home, field=fields["employment"], value="务农")
    services.file_write(actor=cadre, household=village.home, field=fields["employment"], value="务农")
    assert AuditRecord.objects.filter(action="household.file_write").count() == 1


def test_text_over_the_column_is_refused_not_cut(village, fields):
    with pytest.raises(DomainError):
        services.file_write(actor=village.street.community_cadre, household=village.home,
                            field=fields["employment"], value="长" * 1001)


def test_a_care_tag_brings_the_next_visit_forward(village):
    cadre = village.street.community_cadre
    link = services.link_create(actor=cadre, household=village.home, member=village.street.worker_a,
                                kind="grid_worker")
    default_due = link.visit_due_at
    services.tag_set(actor=village.street.worker_a, person=village.head, tag=CareTag.ELDERLY_ALONE, on=True)
    link = Link.objects.get(pk=link.pk)
    assert (default_due - link.visit_due_at).days >= 20  # every 7 days instead of 30
    assert services.visit_days(village.home) == 7


def test_an_unknown_tag_is_refused(village):
    with pytest.raises(DomainError) as refused:
        services.tag_set(actor=village.street.community_cadre, person=village.head, tag="rich", on=True)
    assert refused.value.code == "unknown_tag"
