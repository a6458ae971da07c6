"""Telling people that something asks something of them: ``notify`` (the engine every app feeds) and the
recipient's own reading of their inbox.

``notify`` is called inside the acting service's transaction, so a message commits with the action and a
rolled-back action tells nobody. (A batch of grants is the exception: ``ledger.inbox`` leaves its thousands of
messages to a background job whose row commits with the points.) One message per recipient per event, grouped: while a recipient's message of
the same kind and ``group_key`` is unread and younger than the kind's window, a new event is folded into it
(its count goes up, its title is re-phrased, e.g. "网格内有 12 个新任务", and it moves to the top) instead of
adding another. Set-based whatever the number of recipients: one UPDATE for the folded ones and one INSERT
for the rest (``fanout``), plus a query for the recipients when they come as a queryset.

Messages are not state of record (docs/decisions.md): no audit record per message, and reading one is the
reader's own business. Titles and bodies are in the installation's language (zh-Hans), whoever acted.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from gridgov.errors import NotFound
from gridgov.notifications import fanout, registry, webhook
from gridgov.notifications.models import MAX_GROUP_KEY, MAX_TITLE, MAX_URL, Message
from gridgov.orgs.models import Node, Person
from gridgov.templatetags.gridgov_time import when


@dataclass(frozen=True)
class Event:
    """Something that asks something of one person: what it is, and the page where they act on it."""

    recipient_id: int
    title: str
    url: str
    node_id: int | None = None
    group_key: str = ""
    body: str = ""


def _worded(text, values: dict) -> str:
    return str(text) % {name: str(value) if isinstance(value, Promise) else value for name, value in values.items()}


_lazily_worded = lazy(_worded, str)  # made once: ``lazy`` builds a class each time it is called


when_said = lazy(when, str)  # a time as people say it ("12月3日 周四 18:00"), in the message's language


def phrase(text, **values):
    """``text % values``, translated when it is used (lazy values too): ``notify`` words every message in the
    installation's language, not in the language of whoever acted."""
    return _lazily_worded(text, values)


def notify(*, kind: str, recipients, title, url: str, node: Node | None = None, group_key: str | None = None,
           body="", now=None) -> int:
    """One event for each of ``recipients`` (a queryset of people, or people or their ids; someone named twice
    has two events); how many messages were written or updated."""
    if isinstance(recipients, models.QuerySet):
        ids = list(recipients.values_list("pk", flat=True))
    else:
        ids = [getattr(recipient, "pk", recipient) for recipient in recipients]
    with translation.override(settings.LANGUAGE_CODE):  # worded once for everyone
        title, body = str(title), str(body or "")
    events = [Event(recipient_id=pk, title=title, url=url, node_id=getattr(node, "pk", None),
                    group_key=group_key or "", body=body) for pk in ids if pk is not None]
    return notify_events(kind=kind, events=events, now=now)


def notify_events(*, kind: str, events: Iterable[Event], now=None) -> int:
    """The events of one kind, each for its own recipient with its own words (a batch of grants, a scan's
    alerts): the same grouping and the same two statements as ``notify``."""
    known = registry.kind_of(kind)
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        summary = str(known.summary) % {"count": fanout.COUNT_MARK} if known.summary else ""
        latest = _("Latest: %(title)s")
        grouped_url = _url_of(known.grouped_url)
        rows = _rows(known, events)
    for row in rows:
        row.summary = summary
        row.latest = "\n".join(part for part in (latest % {"title": row.title}, row.body) if part)
        row.latest_url = grouped_url or row.url
        if row.events > 1:  # several events for one person in this very call: a grouped message at once
            row.title = _shorten(summary.replace(fanout.COUNT_MARK, str(row.events)), MAX_TITLE)
            row.body, row.url = row.latest, row.latest_url
    groupable = [row for row in rows if row.group_key and known.group_window is not None]
    folded = fanout.fold(groupable, kind=known.code, since=now - known.group_window, now=now) if groupable else []
    taken = {(recipient_id, key) for _id, _count, recipient_id, key in folded}
    fresh = [row for row in rows if (row.recipient_id, row.group_key) not in taken]
    inserted = fanout.insert(fresh, kind=known.code, now=now)
    touched = [(message_id, count) for message_id, count, *_rest in folded] + inserted
    if settings.WEBHOOK_URL and touched:
        webhook.schedule(touched, now=now)
    return len(touched)


def _rows(kind: registry.Kind, events: Iterable[Event]) -> list[fanout.Row]:
    """One row per recipient and group key (events without a key, or of a kind that never groups, stay apart)."""
    rows: list[fanout.Row] = []
    by_group: dict[tuple[int, str], fanout.Row] = {}
    for event in events:
        key = _shorten(event.group_key, MAX_GROUP_KEY, ellipsis="") if kind.group_window is not None else ""
        title, body = _shorten(str(event.title), MAX_TITLE), str(event.body or "")
        row = by_group.get((event.recipient_id, key)) if key else None
        if row is None:
            row = fanout.Row(recipient_id=event.recipient_id, group_key=key, events=1, title=title, body=body,
                             url=_shorten(event.url, MAX_URL, ellipsis=""), node_id=event.node_id)
            rows.append(row)
            if key:
                by_group[(event.recipient_id, key)] = row
        else:  # the newest event speaks for the message
            row.events += 1
            row.title, row.body, row.node_id = title, body, event.node_id
            row.url = _shorten(event.url, MAX_URL, ellipsis="")
    return rows


def _url_of(url_name: str) -> str:
    if not url_name:
        return ""
    from django.urls import reverse

    return reverse(url_name)


def _shorten(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Words made by the app from longer ones (a task's title in a sentence) fit the column with an ellipsis;
    what the message is about keeps its full text on its own page."""
    return text if len(text) <= limit else text[: limit - len(ellipsis)] + ellipsis


# ---------------------------------------------------------------------------------------------- reading


def message_read(*, person: Person, message_id: int, now=None) -> Message:
    """Mark one of ``person``'s messages read (again: no change); someone else's is not found."""
    message = Message.objects.filter(pk=message_id, recipient=person).first()
    if message is None:
        raise NotFound(_("There is no such message in your inbox."))
    if message.read_at is None:
        message.read_at = now or timezone.now()
        Message.objects.filter(pk=message.pk, read_at=None).update(read_at=message.read_at)
    return message


def messages_read_all(*, person: Person, now=None) -> int:
    """Mark every unread message of ``person`` read; how many were."""
    return Message.objects.filter(recipient=person, read_at=None).update(read_at=now or timezone.now())
