"""The engine: one message per recipient per event, folded while unread and within the kind's window, written
set-based, committed with the action."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import translation

from gridgov.notifications import registry, services
from gridgov.notifications.models import Message
from gridgov.notifications.registry import Kind
from gridgov.notifications.tests.conftest import T0, inbox_of
from gridgov.orgs.models import Person, Role
from gridgov.testing.factories import person

KIND = "test_news"


@pytest.fixture(autouse=True)
def news_kind():
    registry.register(Kind(KIND, "测试", summary="你有 %(count)s 条测试消息", group_window=timedelta(hours=1)))
    yield
    registry.KINDS.pop(KIND)


def news(recipients, *, now=T0, title="一条消息", group_key="news", **extra):
    return services.notify(kind=KIND, recipients=recipients, title=title, url="/tasks/", group_key=group_key,
                           now=now, **extra)


def test_each_recipient_gets_one_message(street):
    news([street.worker_a, street.worker_b.pk])
    assert inbox_of(street.worker_a) == [("一条消息", 1)]
    assert inbox_of(street.worker_b) == [("一条消息", 1)]
    assert Message.objects.count() == 2


def test_a_second_event_of_the_group_folds_into_the_unread_message_and_moves_it_to_the_top(street):
    news([street.worker_a], title="第一条")
    news([street.worker_a], title="别的", group_key="other", now=T0 + timedelta(minutes=1))
    news([street.worker_a], title="第二条", now=T0 + timedelta(minutes=2))
    assert inbox_of(street.worker_a) == [("你有 2 条测试消息", 2), ("别的", 1)]
    folded = Message.objects.get(recipient=street.worker_a, group_key="news")
    assert folded.updated_at == T0 + timedelta(minutes=2) and folded.created_at == T0
    assert "第二条" in folded.body


def test_a_read_message_takes_no_more_events(street):
    news([street.worker_a], title="第一条")
    services.messages_read_all(person=street.worker_a)
    news([street.worker_a], title="第二条", now=T0 + timedelta(minutes=1))
    assert inbox_of(street.worker_a) == [("第二条", 1), ("第一条", 1)]


def test_an_event_after_the_window_starts_a_new_message(street):
    news([street.worker_a], title="第一条")
    news([street.worker_a], title="第二条", now=T0 + timedelta(hours=1, minutes=1))
    assert inbox_of(street.worker_a) == [("第二条", 1), ("第一条", 1)]


def test_events_without_a_group_key_are_never_folded(street):
    news([street.worker_a], group_key=None)
    news([street.worker_a], group_key=None)
    assert inbox_of(street.worker_a) == [("一条消息", 1), ("一条消息", 1)]


def test_several_events_for_one_person_in_one_call_are_one_message(street):
    news([street.worker_a] * 3 + [street.worker_b])
    assert inbox_of(street.worker_a) == [("你有 3 条测试消息", 3)]
    assert inbox_of(street.worker_b) == [("一条消息", 1)]


def test_fan_out_takes_the_same_few_statements_for_many_recipients(street, django_assert_max_num_queries):
    people = [person(f"成员{index}", node=street.grid_a, role=Role.GRID_WORKER) for index in range(300)]
    news(people[:150])  # half of them have an unread message of the group already
    recipients = Person.objects.filter(roles__node=street.grid_a, roles__role=Role.GRID_WORKER)
    with django_assert_max_num_queries(3):  # the recipients, one UPDATE, one INSERT
        news(recipients, now=T0 + timedelta(minutes=5))
    assert Message.objects.filter(count=2).count() == 150
    assert Message.objects.filter(count=1).count() == 151  # the other 150 and 刘网格


def test_a_rolled_back_action_notifies_nobody(street):
    with pytest.raises(RuntimeError), transaction.atomic():
        news([street.worker_a])
        raise RuntimeError("the action failed")
    assert not Message.objects.exists()


def test_messages_are_worded_in_the_installation_language_whoever_acted(street, publish):
    with translation.override("en"):
        publish(title="河道巡查")
    assert inbox_of(street.worker_a) == [("新任务：河道巡查", 1)]


def test_an_unregistered_kind_is_a_bug(street):
    with pytest.raises(ValueError):
        services.notify(kind="nothing_like_it", recipients=[street.worker_a], title="?", url="/")


def test_a_title_made_from_a_long_one_fits_its_column(street):
    news([street.worker_a], title="很长" * 150)
    title = Message.objects.get().title
    assert len(title) == 200 and title.endswith("…")


def test_stats_count_messages_and_the_unread(street):
    from gridgov.demo import collect_stats

    news([street.worker_a, street.worker_b])
    services.messages_read_all(person=street.worker_b)
    assert collect_stats()["messages"] == {"total": 2, "unread": 1}
