"""The patrol pages: a worker's windows today and the check-in, the cadres' missed windows by grid; the credit
page in pages; the household page's compliance."""

from datetime import time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from gridgov.households import credit, patrols, rules, services
from gridgov.households.models import PatrolRound
from gridgov.households.tests.test_api import bearer
from gridgov.orgs.permissions import SYSTEM
from gridgov.submissions import FORM_FIELD
from gridgov.testing.raw_text import raw_text

pytestmark = pytest.mark.django_db


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def all_day(street):
    """A window open all day every day (so the test does not depend on the hour it runs)."""
    return patrols.window_create(actor=street.street_cadre, node=street.community, label="全天巡查",
                                 starts=time(0, 0), ends=time(23, 59, 59), weekdays="1234567",
                                 now=timezone.now() - timedelta(days=1))


def test_a_worker_checks_in_on_the_patrol_page(client, street, all_day):
    login(client, "worker_a")
    page = client.get(reverse("households:patrol")).content.decode()
    assert "全天巡查" in page and "打卡" in page and raw_text(page) == []
    answer = client.post(reverse("households:patrol"), {"window": all_day.pk, "note": "一切正常",
                                                        FORM_FIELD: "t1"})
    assert answer.status_code == 302
    page = client.get(reverse("households:patrol")).content.decode()
    assert 'data-testid="patrol-done"' in page and 'data-testid="patrol-check-in"' not in page
    assert PatrolRound.objects.get(worker=street.worker_a).state == "done"


def test_a_second_check_in_on_the_page_shows_the_refusal(client, street, all_day):
    patrols.check_in(actor=street.worker_a, now=timezone.now())
    login(client, "worker_a")
    answer = client.post(reverse("households:patrol"), {"window": all_day.pk})
    assert answer.status_code == 400 and "已完成" in answer.content.decode()
    assert PatrolRound.objects.count() == 1


def test_the_cadre_page_counts_missed_windows_by_area_and_lists_who_missed_them(client, street):
    yesterday = timezone.localdate() - timedelta(days=1)
    window = patrols.window_create(actor=street.street_cadre, node=street.community, label="早巡",
                                   starts=time(8, 30), ends=time(9, 30), weekdays="1234567",
                                   now=timezone.now() - timedelta(days=3))
    patrols.rounds_due(timezone.make_aware(timezone.datetime.combine(yesterday, time(6))))
    page = login(client, "community").get(reverse("households:patrols")).content.decode()
    assert "东门第一网格" in page and "刘网格" in page and "早巡" in page and raw_text(page) == []
    assert 'data-testid="missed-count">2<' in page  # worker_a in grid A and worker_b in grid B
    assert f'?node={street.grid_a.code}&amp;' in page  # the drill-down to the grid
    assert PatrolRound.objects.filter(window=window).count() == 2
    assert login(client, "worker_a").get(reverse("households:patrols")).status_code == 403


def test_the_patrol_api_lists_today_and_checks_in_once(client, street, all_day):
    auth = bearer(street.worker_a)
    today = client.get("/api/v1/households/patrols/today", **auth).json()["items"]  # one page, like every list
    assert [(row["window"]["label"], row["state"]) for row in today] == [("全天巡查", "open")]
    first = client.post("/api/v1/households/patrols/check-ins", {"note": "正常"}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="abc", **auth)
    again = client.post("/api/v1/households/patrols/check-ins", {"note": "正常"}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="abc", **auth)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    twice = client.post("/api/v1/households/patrols/check-ins", {}, content_type="application/json", **auth)
    assert twice.status_code == 409 and twice.json()["code"] == "already_checked_in"
    outsider = client.post("/api/v1/households/patrols/check-ins", {}, content_type="application/json",
                           **bearer(street.community_cadre))
    assert outsider.status_code == 400 and outsider.json()["code"] == "outside_window"


def test_a_cadre_sets_a_window_through_the_api_and_a_worker_cannot(client, street):
    body = {"node": "C01", "label": "夜巡", "starts": "20:00", "ends": "21:00", "weekdays": "67"}
    made = client.post("/api/v1/households/patrols/windows", body, content_type="application/json",
                       **bearer(street.community_cadre))
    assert made.status_code == 201 and made.json()["weekdays"] == "67"
    listed = client.get("/api/v1/households/patrols/windows?node=C01", **bearer(street.community_cadre)).json()
    assert (listed["count"], [each["label"] for each in listed["items"]]) == (1, ["夜巡"])  # one page, like every list
    refused = client.post("/api/v1/households/patrols/windows", {**body, "node": "G01"},
                          content_type="application/json", **bearer(street.worker_a))
    assert refused.status_code == 403
    wrong = client.post("/api/v1/households/patrols/windows", {**body, "starts": "22:00"},
                        content_type="application/json", **bearer(street.community_cadre))
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_window"


def test_the_credit_page_is_paged(client, village):
    for number in range(60):
        household = services.household_create(actor=SYSTEM, node=village.street.micro_a1,
                                              code=f"H-P-{number:02d}", house_number=f"{number}号")
        credit.consent_record(actor=village.street.community_cadre, household=household, partner="泰隆银行",
                              given_on=timezone.localdate())
    login(client, "community")
    first = client.get(reverse("households:credit"), {"node": "C01"}).content.decode()
    assert first.count("/revoke/") == 50 and "page=2" in first
    second = client.get(reverse("households:credit"), {"node": "C01", "page": 2}).content.decode()
    assert second.count("/revoke/") == 10


def test_the_household_page_shows_compliance_to_workers_not_to_the_resident(client, village):
    rule = rules.rule_create(actor=village.street.community_cadre, node=village.street.community, code="litter",
                             text="不乱扔垃圾")
    rules.breach_record(actor=village.street.worker_a, household=village.home, rule=rule,
                        occurred_on=timezone.localdate(), note="路边堆放")
    page = login(client, "worker_a").get(reverse("households:detail", args=[village.home.pk])).content.decode()
    assert "不乱扔垃圾" in page and "近 12 个月违反村规民约 1 次" in page and raw_text(page) == []
    page = login(client, "resident").get(reverse("households:detail", args=[village.home.pk])).content.decode()
    assert "不乱扔垃圾" not in page and "村规民约" not in page
