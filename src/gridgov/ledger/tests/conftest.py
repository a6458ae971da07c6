import pytest
from django.utils import timezone


@pytest.fixture
def period():
    return timezone.localtime().strftime("%Y-%m")


@pytest.fixture
def budget(street, period):
    from gridgov.ledger.services import budget_set
    from gridgov.orgs.permissions import SYSTEM

    return budget_set(actor=SYSTEM, node=street.community, period=period, amount=1000)


@pytest.fixture
def english():
    """Messages asserted by their English source text (zh-Hans is the default and is translated)."""
    from django.utils import translation

    with translation.override("en"):
        yield
