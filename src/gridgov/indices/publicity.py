"""Lines that other engines add to what indices publishes (the 亮分公示 list and the public page behind an
organisation's QR code), registered from their ``AppConfig.ready``: indices imports none of them.

The ledger adds its latest co-signed checkpoint, so whoever reads the published scores can also check
the points behind them (SPEC §11).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """A title and lines of (words, value): the value (a hash, a key, an address) is shown as code, as it is."""

    title: str
    lines: list[tuple[str, str]]


PROVIDERS: list[Callable[[], Notice | None]] = []


def register(provider: Callable[[], Notice | None]) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def notices() -> list[Notice]:
    return [notice for provider in PROVIDERS if (notice := provider()) is not None]
