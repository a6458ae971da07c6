from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridgov.geo.tests.conftest import drawn  # noqa: F401  (the street with its boundaries, a fixture)
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.factories import person
from gridgov.volunteers import services
from gridgov.volunteers.models import Category

T0 = datetime(2025, 6, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning


class Volunteers:
    """Registered volunteers: two in micro-grid A1 (one a party member with the medical skill), one in A2, one in
    grid B's micro-grid, one in the village; plus the resident of A1 who asks for help."""

    def __init__(self, street):
        def volunteer(name, node, username="", **fields):
            someone = person(name, node=node, role=Role.RESIDENT, username=username)
            services.volunteer_register(actor=SYSTEM, person=someone, node=node, **fields)
            return someone

        self.a1 = volunteer("志愿者甲", street.micro_a1, "v_a1", is_party_member=True, skills="医护",
                            latitude="28.1001", longitude="119.5001")
        self.a1_far = volunteer("志愿者乙", street.micro_a1, "v_a1b", latitude="28.2000", longitude="119.6000")
        self.a2 = volunteer("志愿者丙", street.micro_a2, "v_a2", is_party_member=True)
        self.b1 = volunteer("志愿者丁", street.micro_b1, "v_b1")
        self.village = volunteer("志愿者戊", street.grid_c, "v_c")
        self.wish = Category.objects.get(code="wish")
        self.company = Category.objects.get(code="company")
        self.medical = Category.objects.get(code="medical")


@pytest.fixture
def crew(street):
    return Volunteers(street)


@pytest.fixture
def post(street, crew):
    """The resident of A1 posts a need (a 微心愿 for one helper, tomorrow morning, unless told otherwise)."""

    def post(**overrides):
        fields = dict(actor=street.resident, category=crew.wish, node=street.micro_a1, title="帮忙买药",
                      place="东门路1号", starts_at=T0 + timedelta(hours=2), helpers=1, now=T0)
        fields.update(overrides)
        return services.need_submit(**fields)

    return post


def served(need, helpers, *, start, minutes=90):
    """Each helper claims, checks in at ``start`` and out ``minutes`` later."""
    for helper in helpers:
        claim = services.need_claim(actor=helper, need=need, now=start)
        services.claim_check_in(actor=helper, claim=claim, latitude="28.1", longitude="119.5", now=start)
        services.claim_check_out(actor=helper, claim=claim, latitude="28.1", longitude="119.5",
                                 now=start + timedelta(minutes=minutes))
    need.refresh_from_db()
    return need
