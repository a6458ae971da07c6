"""Monthly inspections, the village ranking, the red/black list and the public board with handled reports."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.households import ranking
from gridgov.households.models import Inspection, NameDisplay, VillageBoard
from gridgov.reports import services as reports
from gridgov.reports.models import Category

GOOD = {"yard": 30, "sorting": 28, "surroundings": 20, "civility": 19}
POOR = {"yard": 10, "sorting": 9, "surroundings": 8, "civility": 5}


def test_inspections_rank_households_and_fill_the_red_and_black_lists(village):
    worker = village.street.worker_a
    ranking.inspection_record(actor=worker, household=village.home, scores=GOOD)
    ranking.inspection_record(actor=worker, household=village.next_door, scores=POOR)
    month = ranking.month_of()
    rows = ranking.ranking(node=village.street.community, month=month)
    assert [(row.rank, row.household_id, row.total) for row in rows] == [(1, village.home.pk, 97),
                                                                        (2, village.next_door.pk, 32)]
    VillageBoard.objects.create(node=village.street.community, red_count=1, black_count=1, black_below=60)
    red, black = ranking.red_and_black(node=village.street.community, month=month)
    assert [row.household_id for row in red] == [village.home.pk]
    assert [row.household_id for row in black] == [village.next_door.pk]


def test_a_second_scoring_of_the_month_replaces_the_first(village):
    worker = village.street.worker_a
    ranking.inspection_record(actor=worker, household=village.home, scores=GOOD)
    ranking.inspection_record(actor=worker, household=village.home, scores=POOR)
    ranking.inspection_record(actor=worker, household=village.home, scores=POOR)  # the same again: nothing new
    assert Inspection.objects.get().total == 32
    assert AuditRecord.objects.filter(action="household.inspect").count() == 2


def test_scores_out_of_range_or_missing_are_refused(village):
    worker = village.street.worker_a
    with pytest.raises(DomainError):
        ranking.inspection_record(actor=worker, household=village.home, scores={**GOOD, "yard": 31})
    with pytest.raises(DomainError) as refused:
        ranking.inspection_record(actor=worker, household=village.home, scores={"yard": 30})
    assert refused.value.code == "unknown_item"
    with pytest.raises(DomainError):
        ranking.inspection_record(actor=worker, household=village.home, scores={**GOOD, "yard": "2.5"})
    assert not Inspection.objects.exists()


def test_a_worker_cannot_inspect_outside_their_grid(village):
    with pytest.raises(DomainError) as refused:
        ranking.inspection_record(actor=village.street.worker_a, household=village.across, scores=GOOD)
    assert refused.value.code == "forbidden"


def test_the_board_names_households_as_the_installation_decides(village):
    ranking.inspection_record(actor=village.street.worker_a, household=village.home, scores=GOOD)
    [row] = ranking.ranking(node=village.street.community, month=ranking.month_of())
    assert row.shown(NameDisplay.FULL) == "周居民家 · 1号"
    assert row.shown(NameDisplay.MASKED) == "周**家 · 1号"
    assert row.shown(NameDisplay.HOUSE_NUMBER) == "1号"


def test_public_board_shows_handled_public_reports_without_the_reporter(client, village):
    ranking.inspection_record(actor=village.street.worker_a, household=village.home, scores=GOOD)
    category = Category.objects.get(code="environment")
    shown = reports.report_file(actor=village.head, node=village.street.micro_a1, category=category,
                                text="路灯坏了三天", public=True)
    hidden = reports.report_file(actor=village.head, node=village.street.micro_a1, category=category,
                                 text="不公开的事", public=False)
    for report in (shown, hidden):
        handler = report.handler
        reports.report_accept(actor=handler, report=report)
        reports.report_resolve(actor=handler, report=report, resolution="已更换灯泡")
    page = client.get(reverse("households:board", args=[village.street.community.code])).content.decode()
    assert "路灯坏了三天" in page and "已更换灯泡" in page and "限时" in page
    assert "不公开的事" not in page and "周居民" not in page  # masked by default, reporter never named
    assert "周**家" in page


def test_the_board_of_an_unknown_village_is_404(client, db):
    assert client.get(reverse("households:board", args=["NOPE"])).status_code == 404


def test_inspection_page_saves_and_refuses_in_place(client, village):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="worker_a"))
    url = reverse("households:inspect", args=[village.home.pk])
    assert client.post(url, {**GOOD, "yard": 99}).status_code == 400
    assert client.post(url, GOOD).status_code == 302
    assert Inspection.objects.get().month == timezone.localdate().replace(day=1)
