import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Assertions match the English source strings (zh-Hans is the default language)."""
    with translation.override("en"):
        yield
