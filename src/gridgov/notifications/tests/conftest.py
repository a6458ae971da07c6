from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridgov.notifications.models import Message

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning


def inbox_of(person):
    """(title, count) of ``person``'s messages, the latest first."""
    return list(Message.objects.filter(recipient=person).order_by("-updated_at", "-id").values_list("title", "count"))


def recipients(kind=None):
    messages = Message.objects.all() if kind is None else Message.objects.filter(kind=kind)
    return sorted(messages.values_list("recipient__name", flat=True))


@pytest.fixture
def publish(street):
    """Publish a task (as the community cadre, to 东门社区 unless told otherwise)."""
    from gridgov.tasks import services
    from gridgov.tasks.models import WorkType

    def publish(**overrides):
        fields = dict(actor=street.community_cadre, node=street.community, title="消防安全巡查",
                      work_type=WorkType.objects.get(name="消防安全"), points=20, places=5,
                      deadline=T0 + timedelta(days=7), requires_photo=False, requires_text=True, now=T0)
        fields.update(overrides)
        return services.task_publish(**fields)

    return publish


@pytest.fixture
def budget(street):
    """Budgets for this month (grants post in the current month, whatever ``now`` the tasks run at)."""
    from django.utils import timezone

    from gridgov.ledger.services import budget_set
    from gridgov.orgs.permissions import SYSTEM

    period = timezone.localtime().strftime("%Y-%m")
    return budget_set(actor=SYSTEM, node=street.community, period=period, amount=100_000)


@pytest.fixture
def environment(db):
    from gridgov.reports.models import Category

    return Category.objects.get(code="environment")  # 24 h to accept, 72 h to resolve, 5 points
