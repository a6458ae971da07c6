"""The member's personal points code: a signed random nonce (for the QR) and an 8-character alias (to type).

Neither reveals who the member is: the nonce is random and the person is found through the token row.
The signature (``TimestampSigner``, own salt) makes forged or altered QR text fail before any lookup;
its timestamp and the row's ``expires_at`` both bound the lifetime.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridgov.orgs.models import Person
from gridgov.rewards.errors import RewardsRefusal
from gridgov.rewards.models import RedemptionToken

SALT = "gridgov.rewards.token"
# No 0/O, 1/I/L: staff type these from a phone screen.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class IssuedToken:
    token: str  # what the QR code encodes
    code: str  # the typeable alias, e.g. "K7QM2XRA" (shown as "K7QM-2XRA")
    expires_at: datetime

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def token_issue(*, person: Person) -> IssuedToken:
    """A fresh code for ``person`` to show. Earlier unused codes stay valid until they expire.

    Not audited: a phone showing its code refreshes it every few minutes, and an unused code changes
    nothing; the redemption that uses one is audited.
    """
    if person is None or not person.is_active:
        raise RewardsRefusal("token_invalid")
    expires_at = timezone.now() + timedelta(seconds=settings.REWARDS_TOKEN_SECONDS)
    nonce = secrets.token_urlsafe(12)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                row = RedemptionToken.objects.create(nonce=nonce, code=_new_code(), person=person, expires_at=expires_at)
            break
        except IntegrityError:  # an 8-character code collided (about 1 in 10^11): draw another
            nonce = secrets.token_urlsafe(12)
    else:  # pragma: no cover - five collisions in a row means the random source is broken
        raise RuntimeError("could not draw a unique redemption code")
    return IssuedToken(token=_signer().sign(row.nonce), code=row.code, expires_at=row.expires_at)


SHOWN_AT_LEAST = 60  # seconds a code shown again must still live


def token_current(*, person: Person) -> IssuedToken:
    """The code a page shows: the person's latest unused code while it lives another minute, else a new one.
    A page is a GET: reloading it, a prefetch or the offline cache refreshing it shows the same code instead of
    writing a new row each time; the API's POST asks for a fresh one (``token_issue``)."""
    if person is not None and person.is_active:
        live = (RedemptionToken.objects.filter(person=person, used_at__isnull=True,
                                               expires_at__gt=timezone.now() + timedelta(seconds=SHOWN_AT_LEAST))
                .order_by("-expires_at").first())
        if live is not None:
            return IssuedToken(token=_signer().sign(live.nonce), code=live.code, expires_at=live.expires_at)
    return token_issue(person=person)


def normalise_code(text: str) -> str | None:
    """``k7qm-2xra`` and ``K7QM 2XRA`` are the same typed code; anything else is not a code."""
    code = text.strip().upper().replace("-", "").replace(" ", "")
    if len(code) == CODE_LENGTH and all(char in CODE_ALPHABET for char in code):
        return code
    return None


def token_find(token_string: str) -> RedemptionToken:
    """The live token named by QR text or a typed code, or a ``RewardsRefusal`` saying why not."""
    text = (token_string or "").strip()
    if not text or len(text) > 200:
        raise RewardsRefusal("token_invalid")
    if ":" in text:
        try:
            nonce = _signer().unsign(text, max_age=settings.REWARDS_TOKEN_SECONDS)
        except signing.SignatureExpired:
            raise RewardsRefusal("token_expired") from None
        except signing.BadSignature:
            raise RewardsRefusal("token_invalid") from None
        row = RedemptionToken.objects.select_related("person").filter(nonce=nonce).first()
    else:
        code = normalise_code(text)
        if code is None:
            raise RewardsRefusal("token_invalid")
        row = RedemptionToken.objects.select_related("person").filter(code=code).first()
    if row is None:
        raise RewardsRefusal("token_unknown")
    if row.used_at is not None:
        raise RewardsRefusal("token_used")
    if row.expires_at <= timezone.now():
        raise RewardsRefusal("token_expired")
    return row


def token_mark_used(row: RedemptionToken) -> None:
    """Claim the token inside the caller's transaction; a second claimer updates zero rows and is refused."""
    now = timezone.now()
    claimed = RedemptionToken.objects.filter(pk=row.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        used = RedemptionToken.objects.filter(pk=row.pk, used_at__isnull=False).exists()
        raise RewardsRefusal("token_used" if used else "token_expired")
    row.used_at = now
