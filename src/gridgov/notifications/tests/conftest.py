from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridgov.notifications.models import Message
from gridgov.reports.tests.conftest import environment  # noqa: F401  (a fixture: the category 环境卫生)
from gridgov.tasks.tests.conftest import budget  # noqa: F401  (a fixture: 东门社区's budget this month)

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
