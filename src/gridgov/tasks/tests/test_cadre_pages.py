"""The cadre's task pages: a publish form that helps (areas picked from the tree, errors next to the field,
input kept), published tasks with their claimants and progress, changing and withdrawing a task."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.tasks import services
from gridgov.tasks.models import ClaimState, Task, TaskStatus, WorkType
from gridgov.tasks.tests.conftest import ensure_catalogue


@pytest.fixture
def cadre(client, street):
    ensure_catalogue()
    client.force_login(street.community_cadre.user)
    return client


def form_fields(street, **overrides) -> dict:
    fields = {
        "form_token": uuid.uuid4(), "nodes": [street.grid_a.pk, street.grid_b.pk], "title": "冬季消防巡查",
        "work_type": WorkType.objects.get(name="消防安全").pk, "points": 20, "places": 2,
        "deadline": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"), "requires_text": "on",
        "recurrence": "",
    }
    fields.update(overrides)
    return fields


def test_the_publish_form_has_real_empty_choices_and_work_types_grouped_by_module(cadre):
    page = cadre.get(reverse("tasks:publish")).content.decode()
    assert "---------" not in page
    assert "不分级（直接填写积分）" in page and "请选择工作类型" in page
    assert '<optgroup label="基层治理">' in page
    assert 'name="nodes"' in page and "东门第一网格" in page and "data-area-picker" in page
    assert "data-disable-on-submit" in page and "data-busy-label" in page


def test_publishing_to_two_grids_from_the_form(cadre, street):
    response = cadre.post(reverse("tasks:publish"), form_fields(street))
    assert response.status_code == 302
    assert sorted(Task.objects.values_list("node_id", flat=True)) == sorted([street.grid_a.pk, street.grid_b.pk])


def test_a_refused_form_keeps_the_input_and_says_what_is_wrong_next_to_the_field(cadre, street):
    page = cadre.post(reverse("tasks:publish"), form_fields(street, nodes=[], points="", title="保留我"))
    text = page.content.decode()
    assert page.status_code == 200 and not Task.objects.exists()
    assert 'class="error-summary"' in text and 'href="#field-nodes"' in text and 'href="#field-points"' in text
    assert "请至少选择一个区域" in text and "请选择难度等级或填写积分" in text
    assert 'value="保留我"' in text and 'aria-invalid="true"' in text


def test_a_refusal_of_the_service_shows_next_to_the_areas(cadre, street):
    text = cadre.post(reverse("tasks:publish"), form_fields(street, nodes=[street.community.pk, street.grid_a.pk]))
    text = text.content.decode()
    assert "在已选的 东门社区 之内" in text and not Task.objects.exists()
    assert f'id="area-{street.grid_a.pk}" data-place="浮云街道 › 东门社区 › 东门第一网格" checked' in text


def test_the_area_search_finds_areas_by_pinyin_initials_within_the_publishers_reach(cadre, street):
    found = cadre.get(reverse("tasks:publish_areas"), {"q": "dmdy"}).content.decode()
    assert f'data-pick="{street.grid_a.pk}"' in found and "东门社区" in found
    assert "data-pick" not in cadre.get(reverse("tasks:publish_areas"), {"q": "白岩"}).content.decode()
    micro = cadre.get(reverse("tasks:publish_areas"), {"q": "微网格"}).content.decode()
    assert "data-pick" not in micro  # micro-grids take no tasks of their own


def test_published_tasks_show_claimants_and_progress(cadre, street, publish):
    task = publish(places=4)
    claim = services.task_claim(actor=street.worker_a, task=task)
    services.claim_submit(actor=street.worker_a, claim=claim, text="完成")
    services.task_claim(actor=street.worker_b, task=task)
    text = cadre.get(reverse("tasks:published")).content.decode()
    assert "刘网格" in text and "孙网格" in text and reverse("tasks:claim_detail", args=[claim.pk]) in text
    assert '<td class="num" data-label="认领人数">' not in text  # numbers are labelled by their column
    assert ">2 / 4<" in text and 'class="task-table"' in text


def test_the_published_list_shows_each_tasks_latest_claimants_and_links_the_rest_to_the_task(cadre, street, publish,
                                                                                            monkeypatch):
    from gridgov.tasks import views

    monkeypatch.setattr(views, "PUBLISHED_CLAIMANTS", 1)
    task = publish(places=4)
    services.task_claim(actor=street.worker_a, task=task)
    services.task_claim(actor=street.worker_b, task=task)
    text = cadre.get(reverse("tasks:published")).content.decode()
    assert "孙网格" in text and "刘网格" not in text  # the latest only; the task's page lists them all
    assert f'<a href="{reverse("tasks:task_detail", args=[task.pk])}">另有 1 位更早的领取人' in text
    assert "刘网格" in cadre.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()


def test_the_task_page_offers_its_publisher_change_and_a_confirmed_danger_withdraw(cadre, street, publish):
    task = publish()
    services.task_claim(actor=street.worker_a, task=task)
    text = cadre.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert reverse("tasks:task_edit", args=[task.pk]) in text
    assert 'class="button danger"' in text and "data-confirm=" in text and "撤回后不能恢复" in text
    assert "刘网格" in text


def test_the_worker_sees_no_management_on_the_task_page(client, street, publish):
    task = publish()
    client.force_login(street.worker_a.user)
    text = client.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert "撤回任务" not in text and reverse("tasks:task_edit", args=[task.pk]) not in text
    assert client.get(reverse("tasks:task_edit", args=[task.pk])).status_code == 404


def test_changing_a_task_through_the_form(cadre, street, publish):
    task = publish()
    services.task_claim(actor=street.worker_a, task=task)
    page = cadre.get(reverse("tasks:task_edit", args=[task.pk])).content.decode()
    assert timezone.localtime(task.deadline).strftime("%Y-%m-%dT%H:%M") in page
    fields = {"form_token": uuid.uuid4(), "title": "消防安全巡查（调整）", "description": "", "places": 0,
              "deadline": timezone.localtime(task.deadline).strftime("%Y-%m-%dT%H:%M"), "requires_text": "on"}
    refused = cadre.post(reverse("tasks:task_edit", args=[task.pk]), fields).content.decode()
    assert 'href="#field-places"' in refused and 'value="消防安全巡查（调整）"' in refused
    earlier = (timezone.localtime(task.deadline) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = cadre.post(reverse("tasks:task_edit", args=[task.pk]),
                         {**fields, "form_token": uuid.uuid4(), "places": 3, "deadline": earlier}).content.decode()
    assert "截止时间只能推后" in refused
    done = cadre.post(reverse("tasks:task_edit", args=[task.pk]), {**fields, "form_token": uuid.uuid4(), "places": 5})
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.places) == ("消防安全巡查（调整）", 5)


def test_withdrawing_through_the_page_needs_a_reason_and_releases_places(cadre, street, publish):
    task = publish()
    claim = services.task_claim(actor=street.worker_a, task=task)
    url = reverse("tasks:task_withdraw", args=[task.pk])
    refused = cadre.post(url, {"form_token": uuid.uuid4(), "reason": ""})
    assert refused.status_code == 400 and 'href="#field-reason"' in refused.content.decode()
    done = cadre.post(url, {"form_token": uuid.uuid4(), "reason": "上级通知取消"})
    assert done.status_code == 302
    task.refresh_from_db()
    claim.refresh_from_db()
    assert task.status == TaskStatus.CLOSED and claim.state == ClaimState.RELEASED
    text = cadre.get(reverse("tasks:task_detail", args=[task.pk])).content.decode()
    assert "上级通知取消" in text and "撤回任务" not in text
