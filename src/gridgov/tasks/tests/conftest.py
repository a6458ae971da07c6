import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.tasks import services
from gridgov.tasks.models import WorkType


def jpeg(name="photo.jpg", size=(64, 48), exif=None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG", **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def ensure_catalogue():
    """Transactional tests flush tables, data-migration rows included: load the catalogue again."""
    if not WorkType.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("gridgov.tasks.migrations.0002_catalogue").load(apps, None)


@pytest.fixture
def publish(street):
    ensure_catalogue()

    """Publish a task to the community (every worker in 东门社区 sees it)."""

    def publish(**overrides):
        fields = dict(
            actor=street.community_cadre, node=street.community, title="消防安全巡查",
            work_type=WorkType.objects.get(name="消防安全"), points=20, places=3,
            deadline=timezone.now() + timedelta(days=7), requires_photo=False, requires_text=True,
        )
        fields.update(overrides)
        return services.task_publish(**fields)

    return publish


@pytest.fixture
def budget(street):
    """A generous budget for 东门社区 this month, so confirmed audits can post points."""
    from gridgov.ledger.services import budget_set
    from gridgov.orgs.permissions import SYSTEM

    period = timezone.localtime().strftime("%Y-%m")
    return budget_set(actor=SYSTEM, node=street.community, period=period, amount=100000)
