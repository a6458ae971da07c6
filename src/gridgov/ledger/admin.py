"""The points ledger in the admin: every table is browsable, searchable and filterable, and none is writable.

Points are money-like: postings and lines are append-only (model guards and database triggers), balances
and aggregates are caches kept by the posting's own transaction, and budgets move points through a
posting. Every change therefore goes through ``gridgov.ledger.services`` (the award, reversal and budget
pages, the API, ``gridgov ledger`` commands), which check permission and write the audit trail; the admin
only reads. A mistake is undone with a reversal posting, never by editing a row here.
"""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from gridgov.admin import ReadOnlyAdmin as BaseReadOnlyAdmin
from gridgov.admin import ReadOnlyInline
from gridgov.ledger.models import (
    Account,
    Budget,
    ChainHead,
    Checkpoint,
    Cosignature,
    EarnedHistogram,
    EarnedTotal,
    GrantedWeek,
    GrantNotice,
    Line,
    MerkleNode,
    Posting,
    SplitView,
)


class ReadOnlyAdmin(BaseReadOnlyAdmin):
    """The foundation's read-only admin, its view page showing values rather than disabled inputs."""

    def get_readonly_fields(self, request, obj=None):
        """Every field, so the view page shows values rather than disabled inputs."""
        declared = list(self.fields or [])
        return declared or [field.name for field in self.model._meta.concrete_fields if field.name != "id"]


def _signed(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:+d}"


class LineInline(ReadOnlyInline):
    model = Line
    fields = ["account", "account_kind", "amount_signed"]
    readonly_fields = fields

    @admin.display(description=_("kind"))
    def account_kind(self, line):
        return line.account.get_kind_display()

    @admin.display(description=_("amount"))
    def amount_signed(self, line):
        return _signed(line.amount)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account").order_by("amount", "pk")


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "created_at", "kind", "reason", "actor_name", "role", "node", "moved", "line_count",
                    "period", "reversal_state"]
    list_display_links = ["sequence", "reason"]
    list_filter = ["kind", "period", "source_type"]
    search_fields = ["=sequence", "reason", "memo", "actor_name", "=actor_id", "idempotency_key", "=source_id",
                     "node__name"]
    list_select_related = ["node", "reversed_by"]
    ordering = ["-sequence"]
    list_per_page = 100
    show_full_result_count = False  # a count of millions of postings costs more than the page itself
    inlines = [LineInline]
    fields = [
        "sequence", "created_at", "kind", "reason", "memo", "period", "node", "actor_name", "actor_id", "role",
        "source_type", "source_id", "reverses", "reversed_by_link", "idempotency_key", "prev_hash", "hash",
    ]

    def get_queryset(self, request):
        """Totals as subqueries (one indexed lookup per shown row), immune to joins added by a search."""
        lines = Line.objects.filter(posting=OuterRef("pk")).order_by().values("posting")
        return super().get_queryset(request).annotate(
            moved_total=Subquery(lines.filter(amount__gt=0).annotate(total=Sum("amount")).values("total")),
            lines_total=Subquery(lines.annotate(count=Count("pk")).values("count")),
        )

    @admin.display(description=_("points moved"), ordering="moved_total")
    def moved(self, posting):
        return posting.moved_total

    @admin.display(description=_("lines"))
    def line_count(self, posting):
        return posting.lines_total

    @admin.display(description=_("reversed"))
    def reversal_state(self, posting):
        reversal = getattr(posting, "reversed_by", None)
        if reversal is not None:
            return format_html("→ #{}", reversal.sequence)
        if posting.reverses_id:
            return _("reversal")
        return "—"

    @admin.display(description=_("reversed by"))
    def reversed_by_link(self, posting):
        reversal = Posting.objects.filter(reverses=posting).first()
        if reversal is None:
            return "—"
        url = reverse("admin:ledger_posting_change", args=[reversal.pk])
        return format_html('<a href="{}">#{} {}</a>', url, reversal.sequence, reversal.reason)


@admin.register(Line)
class LineAdmin(ReadOnlyAdmin):
    list_display = ["posting_sequence", "posting_time", "posting_reason", "account", "account_kind", "amount_signed",
                    "posting_actor"]
    list_filter = ["account__kind", "posting__kind"]
    search_fields = ["=posting__sequence", "posting__reason", "account__name", "account__owner_key",
                     "posting__actor_name"]
    list_select_related = ["posting", "account"]
    ordering = ["-pk"]  # lines are written in posting order; sorting by a join would scan every line
    list_per_page = 100
    show_full_result_count = False
    fields = ["posting", "account", "amount"]

    @admin.display(description=_("sequence"), ordering="posting__sequence")
    def posting_sequence(self, line):
        url = reverse("admin:ledger_posting_change", args=[line.posting_id])
        return format_html('<a href="{}">#{}</a>', url, line.posting.sequence)

    @admin.display(description=_("time"), ordering="posting__created_at")
    def posting_time(self, line):
        return line.posting.created_at

    @admin.display(description=_("reason"))
    def posting_reason(self, line):
        return line.posting.reason

    @admin.display(description=_("actor"))
    def posting_actor(self, line):
        return line.posting.actor_name or "—"

    @admin.display(description=_("kind"), ordering="account__kind")
    def account_kind(self, line):
        return line.account.get_kind_display()

    @admin.display(description=_("amount"), ordering="amount")
    def amount_signed(self, line):
        return _signed(line.amount)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "owner_key", "node", "person", "balance", "may_go_negative", "created_at"]
    list_filter = ["kind", "may_go_negative"]
    search_fields = ["name", "owner_key", "person__name", "person__name_initials", "node__name", "node__code"]
    list_select_related = ["node", "person"]
    ordering = ["kind", "name", "pk"]

    class Media:
        css = {"all": ["gridgov/admin.css"]}
    list_per_page = 100
    show_full_result_count = False
    fields = ["name", "kind", "owner_key", "node", "person", "balance", "may_go_negative", "created_at",
              "recent_lines"]

    @admin.display(description=_("latest lines"))
    def recent_lines(self, account):
        lines = account.lines.select_related("posting").order_by("-posting__sequence")[:20]
        url = reverse("admin:ledger_line_changelist")
        rows = [
            (line.posting.sequence, localtime(line.posting.created_at).strftime("%Y-%m-%d %H:%M"), line.posting.reason,
             _signed(line.amount))
            for line in lines
        ]
        if not rows:
            return "—"
        listing = format_html_join("", "<li>#{} · {} · {} · {}</li>", rows)
        return format_html('<ul class="gg-lines">{}</ul><a href="{}?{}">{}</a>',
                           listing, url, urlencode({"q": account.owner_key}), _("All lines of this account"))


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    """Budgets are set on the ledger's budget page (``ledger:budgets``): that posts the difference and audits it."""

    list_display = ["node", "period", "amount", "left", "granted", "updated_at"]
    list_filter = ["period", "node__kind"]
    search_fields = ["node__name", "node__code", "period"]
    list_select_related = ["node", "account"]
    ordering = ["-period", "node__path"]
    fields = ["node", "period", "amount", "account", "updated_at"]

    @admin.display(description=_("left"), ordering="account__balance")
    def left(self, budget):
        return budget.account.balance

    @admin.display(description=_("granted"))
    def granted(self, budget):
        return budget.amount - budget.account.balance


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdmin):
    """The chain's last sequence and hash; ``gridgov ledger verify`` checks every posting against it."""

    list_display = ["sequence", "hash"]
    fields = ["sequence", "hash", "frontier"]


@admin.register(EarnedTotal)
class EarnedTotalAdmin(ReadOnlyAdmin):
    """A cache for rankings, rebuilt from the lines by the ledger's own code; shown to check it."""

    list_display = ["account", "period", "points", "street_id", "community_id", "grid_id"]
    list_filter = ["period"]
    search_fields = ["account__name", "account__owner_key", "period"]
    list_select_related = ["account"]
    ordering = ["-period", "-points", "account"]
    list_per_page = 100
    show_full_result_count = False
    fields = ["account", "period", "points", "street_id", "community_id", "grid_id"]


@admin.register(GrantedWeek)
class GrantedWeekAdmin(ReadOnlyAdmin):
    """Points granted per week and node path, for the cockpit's chart: a cache of the grant lines, shown to check it."""

    list_display = ["week", "path", "points"]
    list_filter = ["week"]
    search_fields = ["path"]
    ordering = ["-week", "path"]
    list_per_page = 100
    show_full_result_count = False
    fields = ["week", "path", "points"]


@admin.register(EarnedHistogram)
class EarnedHistogramAdmin(ReadOnlyAdmin):
    list_display = ["node_id", "period", "points", "count"]
    list_filter = ["period"]
    search_fields = ["=node_id", "period"]
    ordering = ["-period", "node_id", "-points"]
    list_per_page = 100
    show_full_result_count = False
    fields = ["node_id", "period", "points", "count"]


@admin.register(MerkleNode)
class MerkleNodeAdmin(ReadOnlyAdmin):
    """The Merkle log's stored subtrees (``ledger.merkle``); ``gridgov ledger verify`` recomputes them."""

    list_display = ["level", "index", "hash"]
    list_filter = ["level"]
    search_fields = ["=index", "hash"]
    ordering = ["level", "index"]
    list_per_page = 100
    show_full_result_count = False
    fields = ["level", "index", "hash"]


@admin.register(GrantNotice)
class GrantNoticeAdmin(ReadOnlyAdmin):
    """The inbox messages a batch of grants owes (``ledger.inbox``): an unsent row is a job still to run."""

    list_display = ["first_sequence", "last_sequence", "node_id", "created_at", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["=first_sequence", "=node_id"]
    ordering = ["-first_sequence"]
    list_per_page = 100
    show_full_result_count = False
    fields = ["first_sequence", "last_sequence", "node_id", "created_at", "sent_at"]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["size", "root_hash", "origin", "created_at"]
    search_fields = ["=size", "root_hash"]
    fields = ["origin", "size", "root_hash", "note", "created_at"]


@admin.register(Cosignature)
class CosignatureAdmin(ReadOnlyAdmin):
    list_display = ["checkpoint", "witness", "key_name", "created_at"]
    list_select_related = ["checkpoint", "witness"]
    search_fields = ["key_name", "witness__name"]
    fields = ["checkpoint", "witness", "key_name", "verifier_key", "signature", "created_at"]


@admin.register(SplitView)
class SplitViewAdmin(ReadOnlyAdmin):
    list_display = ["detected_at", "witness", "signed_size", "seen_size"]
    list_select_related = ["witness"]
    search_fields = ["=seen_size", "seen_root", "signed_root"]
    fields = ["witness", "signed", "signed_size", "signed_root", "seen_size", "seen_root", "seen_note", "detected_at"]
