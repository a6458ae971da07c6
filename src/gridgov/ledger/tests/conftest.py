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


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    """Each test signs with a key of its own (generated on first use, as in an installation)."""
    settings.LEDGER_SIGNING_KEY = tmp_path / "ledger-signing.key"
    return settings.LEDGER_SIGNING_KEY
