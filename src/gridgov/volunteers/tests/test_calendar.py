"""Calendar rules: service days as data post their needs ahead, once per date however often the generator runs;
cadres manage them through the service, the page and the API; bad rules are refused."""

import json
from datetime import date, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

from gridgov.errors import DomainError
from gridgov.orgs.services import api_token_create
from gridgov.volunteers import calendar
from gridgov.volunteers.models import Cadence, Category, Need, NeedState, ServiceDay
from gridgov.volunteers.tests.conftest import T0

pytestmark = pytest.mark.django_db


def rule(street, **overrides):
    fields = dict(actor=street.community_cadre, node=street.community, name="每周组团服务日",
                  category=Category.objects.get(code="service"), cadence=Cadence.WEEKLY, weekday=5,
                  title="组团服务", place="东门社区党群服务中心", start_time=time(9, 30), helpers=8, lead_days=7, now=T0)
    fields.update(overrides)
    return calendar.service_day_save(**fields)


def test_the_three_rules_post_their_dates_and_a_second_run_posts_nothing(street, crew):
    weekly = rule(street)
    monthly = rule(street, name="每月20日志愿服务", cadence=Cadence.MONTHLY, day_of_month=20, lead_days=20)
    week = rule(street, name="志愿服务周", cadence=Cadence.LAST_WEEK, month=6, lead_days=30)
    assert calendar.generate(now=T0) == 1 + 1 + 7
    assert calendar.generate(now=T0) == 0
    assert calendar.generate(now=T0 + timedelta(hours=1)) == 0
    assert list(Need.objects.filter(service_day=weekly).values_list("service_date", flat=True)) == [date(2025, 6, 7)]
    assert list(Need.objects.filter(service_day=monthly).values_list("service_date", flat=True)) == [date(2025, 6, 20)]
    assert sorted(Need.objects.filter(service_day=week).values_list("service_date", flat=True)) == [
        date(2025, 6, day) for day in range(24, 31)]
    need = Need.objects.get(service_day=weekly)
    assert need.state == NeedState.PUBLISHED and need.requester == street.community_cadre and need.helpers == 8
    assert need.wave >= 1  # told to volunteers like any need
    # a week later the next Saturday is posted, and only it
    assert calendar.generate(now=T0 + timedelta(days=7)) == 1
    assert Need.objects.filter(service_day=weekly).count() == 2


def test_a_date_is_one_need_even_when_two_runs_race_past_the_first_check(street, crew):
    weekly = rule(street)
    calendar.generate(now=T0)
    need = Need.objects.get(service_day=weekly)
    ServiceDay.objects.filter(pk=weekly.pk).update(generated_until=None)
    assert calendar.generate(now=T0) == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.create(category=need.category, node=need.node, requester=need.requester, title="x", place="y",
                            starts_at=need.starts_at, service_day=weekly, service_date=need.service_date)


def test_a_stopped_rule_posts_nothing_and_only_a_cadre_of_the_area_manages_rules(street, crew):
    weekly = rule(street)
    calendar.service_day_switch(actor=street.community_cadre, rule=weekly, active=False)
    assert calendar.generate(now=T0) == 0
    with pytest.raises(DomainError) as refused:
        calendar.service_day_switch(actor=street.community_cadre, rule=weekly, active=False)
    assert refused.value.code == "invalid_state"
    with pytest.raises(DomainError) as refused:
        rule(street, actor=street.village_cadre)
    assert refused.value.code in ("out_of_scope", "not_found", "forbidden")
    with pytest.raises(DomainError):
        calendar.service_day_switch(actor=street.worker_a, rule=weekly, active=True)


@pytest.mark.parametrize("overrides", [
    {"weekday": 7}, {"cadence": "daily"}, {"cadence": Cadence.LAST_WEEK, "month": 13}, {"lead_days": 61},
    {"start_time": "9点"},
])
def test_bad_rules_are_refused_and_nothing_is_saved(street, crew, overrides):
    with pytest.raises(DomainError):
        rule(street, **overrides)
    assert not ServiceDay.objects.exists()


def test_the_page_adds_a_rule_and_the_api_adds_one_once_per_key(client, street, crew):
    client.force_login(get_user_model().objects.get(username="community"))
    page = client.get(reverse("volunteers:service_days")).content.decode()
    assert 'id="service-day-form"' in page
    response = client.post(reverse("volunteers:service_days"), {
        "name": "每月20日志愿服务", "node": street.community.pk, "category": Category.objects.get(code="service").pk,
        "cadence": "monthly", "day_of_month": 20, "title": "清洁家园", "place": "社区广场", "start_time": "08:30",
        "helpers": 5, "lead_days": 40, "form_token": "s1"})
    assert response.status_code == 302
    assert ServiceDay.objects.get().day_of_month == 20 and Need.objects.filter(service_day__isnull=False).exists()
    client.force_login(get_user_model().objects.get(username="resident"))
    assert client.get(reverse("volunteers:service_days")).status_code == 404
    _token, secret = api_token_create(actor=street.community_cadre, label="t")
    body = {"name": "志愿服务周", "node": "C01", "category": "service", "cadence": "last_week", "month": 6,
            "title": "志愿服务周", "place": "社区广场", "start_time": "09:00"}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_IDEMPOTENCY_KEY": "d1"}
    first = client.post("/api/v1/volunteers/service-days", json.dumps(body), content_type="application/json",
                        **headers)
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/volunteers/service-days", json.dumps(body), content_type="application/json",
                        **headers)
    assert again.json()["id"] == first.json()["id"] and ServiceDay.objects.count() == 2
    bad = client.post("/api/v1/volunteers/service-days", json.dumps({**body, "month": None}),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    outside = client.post("/api/v1/volunteers/service-days", json.dumps({**body, "node": "V01"}),
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert outside.status_code == 404
