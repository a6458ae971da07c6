import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.bookings import services
from gridgov.bookings.models import Base, BaseSlot, Plan, ReviewRule, Section
from gridgov.orgs.models import Role
from gridgov.testing.factories import person

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning
VISIT = date(2025, 3, 10)  # the next Monday


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class Catalogue:
    """One base (open Monday to Friday, a morning slot of 40 people) with two plans and a liaison pool; the base's
    staff member; a rule sending bookings of 30 people or more to the street cadre for a second review."""

    def __init__(self, street):
        self.section = Section.objects.create(code="party", name="党性教育", order=1)
        self.base = Base.objects.create(section=self.section, code="red-hall", name="红色纪念馆", node=street.village,
                                        address="白岩村1号", open_weekdays="12345", review_hours=2, cutoff_hours=24)
        self.staff = person("基地员", node=street.village, role=Role.RESIDENT, username="base_staff")
        self.base.staff.add(self.staff)
        self.morning = BaseSlot.objects.create(base=self.base, label="上午", starts_at=time(9), ends_at=time(11, 30),
                                               capacity=40)
        self.afternoon = BaseSlot.objects.create(base=self.base, label="下午", starts_at=time(14), ends_at=time(16),
                                                 capacity=40)
        self.plan = Plan.objects.create(base=self.base, theme="重温入党誓词", duration_minutes=120,
                                        teaching="入党誓词\n革命历史", activities="参观展馆，集体宣誓")
        self.other_plan = Plan.objects.create(base=self.base, theme="红色故事会", duration_minutes=90)
        self.liaison = person("讲解员甲", node=street.village, role=Role.RESIDENT, username="liaison")
        self.liaison_b = person("讲解员乙", node=street.village, role=Role.RESIDENT)
        self.plan.liaisons.add(self.liaison, self.liaison_b)
        self.rule = ReviewRule.objects.create(name="30人以上街道复审", min_headcount=30, reviewer_node=street.street,
                                              reviewer_role=Role.STREET_CADRE, review_hours=8)


@pytest.fixture
def next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


@pytest.fixture
def catalogue(street):
    return Catalogue(street)


@pytest.fixture
def book(street, catalogue):
    """东门社区's cadre books the morning of VISIT for 20 people (no second review)."""

    def book(**overrides):
        fields = dict(actor=street.community_cadre, organisation=street.community, plan=catalogue.plan,
                      slot=catalogue.morning, date=VISIT, headcount=20, now=T0)
        fields.update(overrides)
        return services.booking_create(**fields)

    return book
