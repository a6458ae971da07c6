"""The inbox pages: the recipient's own messages only; a tap opens the page to act on and marks it read."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.notifications.models import Message
from gridgov.notifications.services import notify
from gridgov.notifications.tests.conftest import T0


def logged_in(client, person):
    client.force_login(person.user)
    return client


def test_the_inbox_shows_my_messages_the_latest_first(client, street, publish):
    publish(title="较早的任务")
    publish(node=street.grid_a, title="较新的任务", now=T0 + timedelta(minutes=1))
    page = logged_in(client, street.worker_a).get("/messages/").content.decode()
    assert page.index("较新的任务") < page.index("较早的任务")
    assert "全部标为已读" in page and "条未读" in page


def test_someone_elses_messages_are_neither_shown_nor_opened(client, street, publish):
    publish(node=street.grid_a, title="只给一网格")
    message = Message.objects.get(recipient=street.worker_a)
    client = logged_in(client, street.worker_b)
    assert "只给一网格" not in client.get("/messages/").content.decode()
    assert client.post(f"/messages/{message.pk}/open/").status_code == 404
    assert Message.objects.get(pk=message.pk).read_at is None


def test_opening_a_message_marks_it_read_and_goes_to_the_page_to_act_on(client, street, publish):
    task = publish(node=street.grid_a)
    message = Message.objects.get(recipient=street.worker_a)
    response = logged_in(client, street.worker_a).post(f"/messages/{message.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    assert Message.objects.get(pk=message.pk).read_at is not None
    assert client.get(response["Location"]).status_code == 200


def test_opening_is_a_post_so_a_link_never_marks_a_message_read(client, street, publish):
    publish(node=street.grid_a)
    message = Message.objects.get(recipient=street.worker_a)
    assert logged_in(client, street.worker_a).get(f"/messages/{message.pk}/open/").status_code == 405
    assert Message.objects.get(pk=message.pk).read_at is None


def test_mark_all_as_read_reads_only_mine(client, street, publish):
    publish()
    response = logged_in(client, street.worker_a).post("/messages/read-all/", follow=True)
    assert "已全部标为已读" in response.content.decode()
    assert list(Message.objects.filter(read_at=None).values_list("recipient__name", flat=True)) == ["孙网格"]


def test_the_unread_tab_and_the_badge(client, street, publish):
    publish(title="已读的")
    publish(node=street.grid_a, title="未读的", now=T0 + timedelta(minutes=1))
    Message.objects.filter(title="新任务：已读的", recipient=street.worker_a).update(read_at=T0)
    client = logged_in(client, street.worker_a)
    unread = client.get("/messages/?unread=1").content.decode()
    assert "未读的" in unread and "已读的" not in unread
    badge = client.get("/messages/badge/", headers={"HX-Request": "true"}).content.decode()
    assert 'aria-label="消息：1 条未读"' in badge and '<span class="badge">1</span>' in badge
    assert 'hx-get="/messages/badge/"' in badge
    assert 'aria-label="消息：1 条未读"' in client.get("/").content.decode()  # the page shell's bell


def test_the_shell_counts_unread_messages_with_one_query(client, street, publish):
    publish()
    client = logged_in(client, street.worker_a)
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    reads = [query["sql"] for query in captured.captured_queries if "notifications_message" in query["sql"]]
    assert len(reads) == 1 and "COUNT" in reads[0].upper()


def test_the_inbox_is_paginated(client, street):
    for minute in range(25):
        notify(kind="work_order", recipients=[street.worker_a], title=f"工单{minute:02d}", url="/reports/queue/",
               now=T0 + timedelta(minutes=minute))
    client = logged_in(client, street.worker_a)
    first = client.get("/messages/").content.decode()
    assert "工单24" in first and "工单00" not in first and "page=2" in first
    assert "工单00" in client.get("/messages/?page=2").content.decode()


@pytest.mark.parametrize("flow", ["task", "claim", "points", "work_order", "deadline"])
def test_every_message_opens_its_page_for_its_recipient(client, street, publish, budget, environment, flow):
    from gridgov.deadlines import scan
    from gridgov.reports import services as reports
    from gridgov.tasks import services as tasks

    if flow in ("task", "claim", "points"):
        claim = tasks.task_claim(actor=street.worker_a, task=publish(), now=T0 + timedelta(hours=1))
        if flow != "task":
            claim = tasks.claim_submit(actor=street.worker_a, claim=claim, text="完成", now=T0 + timedelta(hours=2))
            claim = tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="补照片")
            claim = tasks.claim_submit(actor=street.worker_a, claim=claim, text="已补", now=T0 + timedelta(hours=3))
            claim = tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)
            claim = tasks.claim_audit(actor=street.auditor, claim=claim, confirm=False, reason="重新考评")
            claim = tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)
            tasks.claim_audit(actor=street.auditor, claim=claim, confirm=True)
    else:
        reports.report_file(actor=street.resident, node=street.micro_a1, category=environment, text="垃圾", now=T0)
        if flow == "deadline":
            scan.scan_deadlines(now=T0 + timedelta(hours=72))
    messages = list(Message.objects.select_related("recipient__user"))
    assert messages
    for message in messages:
        client.force_login(message.recipient.user)
        assert client.get(message.url).status_code == 200, (message.kind, message.url, message.recipient.name)
