"""The outbound webhook (optional per installation): every new or grouped message, POSTed to the gateway
that forwards it by SMS or government IM.

Without ``GRIDGOV_WEBHOOK_URL`` nothing is recorded and nothing is sent. With it, ``schedule`` (called by
``notify`` inside the acting service's transaction) writes a pending ``Delivery`` per message event and, once
that transaction has committed, enqueues one background job for them (``jobs.deliver_job``): the action never
waits for the gateway and a failing gateway never fails it; a rolled-back action sends nothing.

Each POST is JSON signed with the shared secret: ``X-Gridgov-Timestamp`` (Unix seconds) and
``X-Gridgov-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``; ``X-Gridgov-Delivery`` names the
event, the same on every attempt, so the receiver can drop a repeat. A 2xx answer is success; anything else
is retried with exponential backoff (1, 2, 4, 8, 16 minutes: six attempts in all, scheduled with the job
backend's ``run_after``), each attempt recorded on the delivery. Once the gateway fails to answer, the rest
of that job's deliveries wait for the same retry rather than each waiting out the timeout.
"""

import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gridgov import jobs
from gridgov.notifications import fanout
from gridgov.notifications.models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 5
MAX_ERROR = Delivery._meta.get_field("last_error").max_length


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** (attempts - 1))


def schedule(messages: list[tuple[int, int]], *, now) -> list[int]:
    """Record a delivery per ``(message id, count)`` and have them sent after the commit."""
    ids = fanout.insert_deliveries(messages, now=now)
    if ids:
        transaction.on_commit(lambda: enqueue(ids), robust=True)
    return ids


def enqueue(delivery_ids: list[int], *, run_after=None) -> None:
    from gridgov.notifications.jobs import deliver_job

    job = deliver_job if run_after is None else deliver_job.using(run_after=run_after)
    job.enqueue(delivery_ids=list(delivery_ids))


RESUMED_PER_JOB = 500


def resume_lost(*, now) -> int:
    """Pending deliveries whose job was lost (``gridgov.jobs``): never tried ``LOST_AFTER`` after they were
    made, or their retry that long overdue. They go to new jobs; a delivery sent meanwhile is not sent again
    (``deliver`` sends only what is pending). How many were sent again."""
    cutoff = now - jobs.LOST_AFTER
    lost = list(Delivery.objects.filter(Q(next_try_at__lt=cutoff) | Q(next_try_at=None, created_at__lt=cutoff),
                                        status=DeliveryStatus.PENDING).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(lost), RESUMED_PER_JOB):
        enqueue(lost[start:start + RESUMED_PER_JOB])
    return len(lost)


def signature(body: bytes, *, timestamp: str, secret: str) -> str:
    """``sha256=<hex>`` of ``<timestamp>.<body>`` keyed with the secret (what the receiver recomputes)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(delivery: Delivery) -> bytes:
    """The JSON a gateway needs to pass the message on: who (with the phone, for SMS), what, where to act."""
    message, person = delivery.message, delivery.message.recipient
    return json.dumps({
        "delivery": delivery.key,
        "message": message.pk,
        "kind": message.kind,
        "recipient": {"id": person.pk, "name": person.name, "phone": person.phone},
        "title": message.title,
        "body": message.body,
        "url": settings.SITE_URL + message.url,
        "count": message.count,
        "time": message.updated_at.isoformat(),
    }, ensure_ascii=False, separators=(",", ":")).encode()


def post(body: bytes, *, key: str) -> None:
    """One attempt; raises on anything but a 2xx answer."""
    timestamp = str(int(time.time()))
    request = urllib.request.Request(settings.WEBHOOK_URL, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "gridgov-webhook/1",
        "X-Gridgov-Delivery": key,
        "X-Gridgov-Timestamp": timestamp,
        "X-Gridgov-Signature": signature(body, timestamp=timestamp, secret=settings.WEBHOOK_SECRET),
    })
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(settings.WEBHOOK_URL, response.status, response.reason, response.headers,
                                         None)


def deliver(delivery_ids: list[int], *, now=None) -> dict:
    """Send the pending deliveries among ``delivery_ids`` (the job); schedule the failed ones again."""
    now = now or timezone.now()
    result = {status: 0 for status in DeliveryStatus.values}
    pending = (Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING)
               .select_related("message__recipient").order_by("pk"))
    retry: dict = {}  # when -> the deliveries to try again then
    down = None  # (error, when to retry) once the gateway did not answer: the rest wait with that one
    for delivery in pending:
        status = _settle(delivery)
        if status is None and down is not None:
            delivery.last_error, delivery.next_try_at = down
        elif status is None:
            delivery.attempts += 1
            try:
                post(payload(delivery), key=delivery.key)
            except (OSError, ValueError, http.client.HTTPException) as error:  # refused, timed out, non-2xx …
                delivery.last_error = _describe(error)[:MAX_ERROR]
                delivery.next_try_at = now + backoff(delivery.attempts)
                if not isinstance(error, urllib.error.HTTPError):
                    down = (delivery.last_error, delivery.next_try_at)
                if delivery.attempts >= MAX_ATTEMPTS:
                    status = DeliveryStatus.FAILED
            else:
                status = DeliveryStatus.SENT
        if status is None:
            status = DeliveryStatus.PENDING
            retry.setdefault(delivery.next_try_at, []).append(delivery.pk)
        else:
            delivery.next_try_at = None
        delivery.status = status
        delivery.sent_at = now if status == DeliveryStatus.SENT else None
        delivery.save(update_fields=["status", "attempts", "last_error", "next_try_at", "sent_at"])
        result[status] += 1
    for when, ids in retry.items():
        _retry(ids, run_after=when)
    return result


def _settle(delivery: Delivery) -> str | None:
    """A delivery that need not be sent any more: overtaken by a later one, or read in the app meanwhile."""
    message = delivery.message
    if message.count > delivery.count and Delivery.objects.filter(message=message, count__gt=delivery.count).exists():
        return DeliveryStatus.SUPERSEDED
    if message.read_at is not None:
        return DeliveryStatus.SKIPPED
    return None


def _retry(delivery_ids: list[int], *, run_after) -> None:
    from gridgov.notifications.jobs import deliver_job

    if not deliver_job.get_backend().supports_defer:  # the in-process backend of the tests: nothing waits
        logger.warning("webhook deliveries %s wait for a retry the job backend cannot schedule", delivery_ids)
        return
    enqueue(delivery_ids, run_after=run_after)


def _describe(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"unreachable: {error.reason}"
    return f"{type(error).__name__}: {error}"
