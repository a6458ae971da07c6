"""Reading inboxes: a person reads their own messages only."""

from gridgov.notifications.models import Message
from gridgov.orgs.models import Person


def inbox(*, person: Person, unread: bool = False):
    """``person``'s messages, the latest event first (``notifications_inbox_idx`` / ``_unread_idx``)."""
    messages = Message.objects.filter(recipient=person)
    if unread:
        messages = messages.filter(read_at=None)
    return messages.select_related("node").order_by("-updated_at", "-id")


def unread_count(*, person: Person | None) -> int:
    """The badge: one COUNT over the partial index of unread messages."""
    if person is None:
        return 0
    return Message.objects.filter(recipient=person, read_at=None).count()


def message_of(*, person: Person, message_id: int) -> Message | None:
    return Message.objects.filter(pk=message_id, recipient=person).select_related("node").first()


def messages_stats() -> dict:
    """For ``gridgov stats``."""
    return {"messages": {"total": Message.objects.count(), "unread": Message.objects.filter(read_at=None).count()}}
