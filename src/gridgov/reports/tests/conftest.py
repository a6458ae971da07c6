import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.reports import services
from gridgov.reports.models import Category

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning


def jpeg(name="photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def environment(db):
    return Category.objects.get(code="environment")  # 24 h to accept, 72 h to resolve, 5 points


@pytest.fixture
def file_report(street, environment):
    """The resident of 东门一网格微网格1 reports litter; routed to 刘网格 (worker of grid A)."""

    def file_report(**overrides):
        fields = dict(actor=street.resident, node=street.micro_a1, category=environment, text="垃圾桶满了没人清理",
                      address="东门路12号", now=T0)
        fields.update(overrides)
        return services.report_file(**fields)

    return file_report


@pytest.fixture
def budget(street):
    from django.utils import timezone

    from gridgov.ledger.services import budget_set
    from gridgov.orgs.permissions import SYSTEM

    period = timezone.localtime().strftime("%Y-%m")
    return budget_set(actor=SYSTEM, node=street.community, period=period, amount=1000)
