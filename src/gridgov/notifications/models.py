"""Messages in people's inboxes (站内消息) and their deliveries to the installation's gateway.

A message is not state of record: it tells a person that something asks something of them and links to the
page where they act. It stands for ``count`` events: events of one kind and ``group_key`` that arrive while
the message is unread and within its kind's window are folded into it (``services.notify``). The tables
are written set-based (``fanout``), so the columns say what they hold plainly.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, Person

MAX_TITLE = 200
MAX_URL = 500
MAX_GROUP_KEY = 100


class Message(models.Model):
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="messages",
                                  verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=40)  # a code of ``registry.KINDS``
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("page to act on"), max_length=MAX_URL)
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("place"))
    count = models.PositiveIntegerField(_("events"), default=1)
    group_key = models.CharField(_("group key"), max_length=MAX_GROUP_KEY, blank=True)  # "": never grouped
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)  # the latest event; the inbox's order
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="notifications_message_count_positive")]
        indexes = [
            # The inbox, newest first; a page of it is one index range.
            models.Index(fields=["recipient", "-updated_at", "-id"], name="notifications_inbox_idx"),
            # Unread only: the badge's COUNT, the unread tab, and the lookup that groups a new event.
            models.Index(fields=["recipient", "-updated_at"], condition=Q(read_at__isnull=True),
                         name="notifications_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        from gridgov.notifications.registry import label_of

        return label_of(self.kind)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up")
    SUPERSEDED = "superseded", _("Replaced by a later one")
    SKIPPED = "skipped", _("Read before it was sent")


class Delivery(models.Model):
    """One message event POSTed to the webhook: the message as it stood at ``count`` events.

    Unique per message and count, so an event is delivered once however often its job runs; the receiver gets
    ``key`` as ``X-Gridgov-Delivery`` on every attempt, to drop a repeat of one it already took. A delivery a
    later one of the same message overtakes before it is sent is ``superseded`` (the gateway gets the digest,
    not every step of it).
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("message"))
    count = models.PositiveIntegerField(_("events"))
    status = models.CharField(_("status"), max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["message", "count"], name="notifications_delivery_once")]
        indexes = [models.Index(fields=["next_try_at"], condition=Q(status="pending"),
                                name="notifications_delivery_due_idx")]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.message_id}-{self.count}"
