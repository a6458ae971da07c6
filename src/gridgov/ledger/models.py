"""The points ledger: accounts, append-only postings of two or more lines that sum to zero, budgets,
and the maintained aggregates that make rankings fast.

Postings and lines are never updated or deleted (``gridgov.audit.append_only``: model guards, and
database triggers in migration 0002); a mistake is undone by a new posting that ``reverses`` the first.
Every posting carries the hash of its content and of the posting before it, so ``gridgov ledger verify``
can prove nothing was changed.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.audit.append_only import AppendOnlyModel


class AccountKind(models.TextChoices):
    PERSON = "person", _("Person")
    BUDGET = "budget", _("Budget")
    MERCHANT = "merchant", _("Merchant")
    SINK = "sink", _("Sink")
    SOURCE = "source", _("Source")
    HOURS = "hours", _("Volunteer hours")  # amounts in minutes; never mixed with points (gridgov.volunteers)


class Account(models.Model):
    """Where points sit. ``balance`` is a cache of the sum of the account's lines, kept in the posting's
    transaction; the check constraint makes the database itself refuse an overdraft."""

    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    owner_key = models.CharField(_("owner key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100)
    node = models.ForeignKey(
        "orgs.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("node")
    )
    person = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    may_go_negative = models.BooleanField(_("may go negative"), default=False)
    balance = models.BigIntegerField(_("balance"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(may_go_negative=True) | models.Q(balance__gte=0), name="ledger_account_no_overdraft"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=AccountKind.values), name="ledger_account_kind_known"),
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(kind="person"), name="ledger_account_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def scope_node(self):
        return self.node


class PostingKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    BUDGET = "budget", _("Budget funding")
    TRANSFER = "transfer", _("Transfer")
    REVERSAL = "reversal", _("Reversal")
    HOURS = "hours", _("Volunteer hours credited")


class ChainHead(models.Model):
    """One row: the last sequence number and hash. Writers lock it, which serialises the chain."""

    sequence = models.BigIntegerField(_("sequence"), default=0)
    hash = models.CharField(_("hash"), max_length=64, default="")
    # The Merkle log's right edge at ``sequence`` leaves: the hex hashes of merkle.frontier_addresses(sequence),
    # so appending reads nothing more than this row.
    frontier = models.TextField(_("Merkle frontier"), default="", blank=True)

    class Meta:
        verbose_name = _("ledger chain head")

    def __str__(self) -> str:
        return f"#{self.sequence} · {self.hash[:12]}"


class Posting(AppendOnlyModel):
    """One movement of points between two or more accounts; its lines sum to zero."""

    sequence = models.BigIntegerField(_("sequence"), unique=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PostingKind.choices, default=PostingKind.TRANSFER)
    reason = models.CharField(_("reason"), max_length=200)
    period = models.CharField(_("period"), max_length=7)  # no index: statements reach postings by account
    node = models.ForeignKey(
        "orgs.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("node")
    )
    source_type = models.CharField(_("source type"), max_length=60, blank=True)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["source_type", "source_id"], name="ledger_posting_source_idx"),
            # The award page's recent grants of an area (selectors.recent_grants): each node's, newest first.
            models.Index(fields=["node", "-sequence"], condition=models.Q(kind="grant"),
                         name="ledger_posting_grant_node_idx"),
            # The supervisor's findings: an area's reversals of a period (oversight.anomalies), few among millions.
            models.Index(fields=["node", "created_at"], condition=models.Q(kind="reversal"),
                         name="ledger_posting_reversal_idx"),
            # A posting's reversal (``reversed_by``) by the reversed ids. The unique index of ``reverses`` serves it
            # too, but SQLite's statistics count its NULLs (every posting but the reversals) as one value and plan a
            # whole scan of the ledger for it; this one holds the reversals only.
            models.Index(fields=["reverses"], condition=models.Q(reverses__isnull=False),
                         name="ledger_posting_reversed_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.reason}"

    def scope_node(self):
        return self.node


class Line(AppendOnlyModel):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="lines", verbose_name=_("posting"))
    # Indexed by ledger_line_account_idx below, whose first column it is.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines", verbose_name=_("account"),
                                db_index=False)
    amount = models.BigIntegerField(_("amount"))

    class Meta:
        verbose_name = _("posting line")
        verbose_name_plural = _("posting lines")
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_line_amount_nonzero")]
        indexes = [models.Index(fields=["account", "-posting"], name="ledger_line_account_idx")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"


class Budget(models.Model):
    """The points a street or community may grant in one month; its account holds what is left."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("node"))
    period = models.CharField(_("period"), max_length=7)
    amount = models.BigIntegerField(_("amount"))
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="budget", verbose_name=_("account"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("points budget")
        verbose_name_plural = _("points budgets")
        constraints = [
            models.UniqueConstraint(fields=["node", "period"], name="ledger_budget_once_per_period"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="ledger_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.node.name} {self.period}: {self.amount}"

    def scope_node(self):
        return self.node


class EarnedTotal(models.Model):
    """Points a person's account earned (grants less their reversals) in one month, with the ranking
    levels of the account's node copied in, so a street's top 50 is one index range."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False,  # see Meta
                                verbose_name=_("account"))
    period = models.CharField(_("month"), max_length=7)
    points = models.BigIntegerField(_("points"), default=0)
    street_id = models.BigIntegerField(_("street"), null=True)
    community_id = models.BigIntegerField(_("community"), null=True)
    grid_id = models.BigIntegerField(_("grid"), null=True)

    class Meta:
        verbose_name = _("points earned in a month")
        verbose_name_plural = _("points earned per month")
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="ledger_earned_once_per_period")]
        indexes = [
            models.Index(fields=["street_id", "period", "-points", "account"], name="ledger_earned_street_idx"),
            models.Index(fields=["community_id", "period", "-points", "account"], name="ledger_earned_community_idx"),
            models.Index(fields=["grid_id", "period", "-points", "account"], name="ledger_earned_grid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.period} · {self.points}"


class EarnedHistogram(models.Model):
    """How many people of a ranking node earned exactly ``points`` in a month: a rank is one sum over
    the (few) distinct totals above one's own, whatever the number of people."""

    node_id = models.BigIntegerField(_("node"))
    period = models.CharField(_("month"), max_length=7)
    points = models.BigIntegerField(_("points"))
    count = models.BigIntegerField(_("people"), default=0)

    class Meta:
        verbose_name = _("ranking bucket")
        verbose_name_plural = _("ranking buckets")
        constraints = [
            models.UniqueConstraint(fields=["node_id", "period", "points"], name="ledger_histogram_bucket_unique")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} · {self.period} · {self.points} × {self.count}"


class GrantedWeek(models.Model):
    """Points granted to the person accounts homed at one node in one week (``week``: its local Monday, in
    ``TIME_ZONE``): the positive lines of grant postings, reversals not taken off, as the cockpit's chart of
    points granted per week shows them. Keyed by the node's path, so any node's subtree in a week is one range
    of the unique index (``aggregates.add_granted``; ``rehome_accounts`` moves a person's weeks with them)."""

    week = models.DateField(_("week of"))
    path = models.CharField(_("node path"), max_length=255)  # the account's node's (``orgs.Node.path``)
    points = models.BigIntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("points granted in a week")
        verbose_name_plural = _("points granted per week")
        constraints = [
            # ``path LIKE 'prefix%'`` reads a range of this index under any collation (PostgreSQL's pattern ops).
            models.UniqueConstraint(fields=["week", "path"], name="ledger_granted_week_unique",
                                    opclasses=["date_ops", "varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.path} · {self.week} · {self.points}"


class MerkleNode(AppendOnlyModel):
    """A complete subtree of the Merkle log over postings (RFC 6962): leaves [index·2^level, (index+1)·2^level).
    Leaf i (level 0) is the posting of sequence i + 1; written in the posting's transaction, never changed."""

    level = models.SmallIntegerField(_("level"))
    index = models.BigIntegerField(_("index"))
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("Merkle log node")
        verbose_name_plural = _("Merkle log nodes")
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="ledger_merkle_node_unique")]

    def __str__(self) -> str:
        return f"{self.level}/{self.index} · {self.hash[:12]}"


class Checkpoint(AppendOnlyModel):
    """A signed statement of the log: origin, size, root (a C2SP tlog-checkpoint signed note)."""

    origin = models.CharField(_("origin"), max_length=200)
    size = models.BigIntegerField(_("tree size"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    note = models.TextField(_("signed note"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger checkpoint")
        verbose_name_plural = _("ledger checkpoints")
        ordering = ["-size"]
        constraints = [models.UniqueConstraint(fields=["origin", "size"], name="ledger_checkpoint_once_per_size")]

    def __str__(self) -> str:
        return f"{self.origin} #{self.size}"


class Cosignature(AppendOnlyModel):
    """A witness's (纪检监察) signature line on a checkpoint, made after checking it extends the last one
    the witness signed."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures",
                                   verbose_name=_("checkpoint"))
    witness = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("witness"))
    key_name = models.CharField(_("key name"), max_length=120)
    verifier_key = models.CharField(_("verifier key"), max_length=200)
    signature = models.TextField(_("signature"))  # the note's signature line, "— name base64"
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("witness cosignature")
        verbose_name_plural = _("witness cosignatures")
        constraints = [models.UniqueConstraint(fields=["checkpoint", "witness"], name="ledger_cosign_once")]

    def __str__(self) -> str:
        return f"{self.checkpoint} · {self.witness}"


class SplitView(AppendOnlyModel):
    """A checkpoint a witness was shown that contradicts one it signed: same size with another root, or
    a later tree that does not extend it. Oversight lists every row as a finding."""

    witness = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("witness"))
    signed = models.ForeignKey(Checkpoint, null=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("checkpoint signed"))
    signed_size = models.BigIntegerField(_("size signed"))
    signed_root = models.CharField(_("root signed"), max_length=64)
    seen_size = models.BigIntegerField(_("size seen"))
    seen_root = models.CharField(_("root seen"), max_length=64)
    seen_note = models.TextField(_("note seen"))
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("contradicting checkpoint")
        verbose_name_plural = _("contradicting checkpoints")

    def __str__(self) -> str:
        return f"{self.witness} · {self.signed_size} / {self.seen_size}"


class GrantNotice(models.Model):
    """The inbox messages one call of ``services.grant_batch`` owes its payees (postings ``first_sequence`` to
    ``last_sequence``): written in the postings' transaction, so it exists exactly when they do, and marked
    sent in the transaction that writes the messages (``inbox.send_notice``, a background job), so however
    often that job runs the messages go out once."""

    first_sequence = models.BigIntegerField(_("first sequence"), unique=True)
    last_sequence = models.BigIntegerField(_("last sequence"))
    node_id = models.BigIntegerField(_("node id"))  # the budget's node (the messages' node); a plain id
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    sent_at = models.DateTimeField(_("messages sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant messages owed")
        verbose_name_plural = _("grant messages owed")

    def __str__(self) -> str:
        return f"#{self.first_sequence}–#{self.last_sequence}"
