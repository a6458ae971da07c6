"""Reading the ledger: balances, statements, rankings, budgets, and the figures for ``gridgov stats``."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.expressions import RowRange

from gridgov.ledger.aggregates import level_column
from gridgov.ledger.errors import LedgerRefusal
from gridgov.ledger.models import (
    Account,
    AccountKind,
    Budget,
    Checkpoint,
    EarnedHistogram,
    EarnedTotal,
    GrantedWeek,
    Line,
    Posting,
    PostingKind,
    SplitView,
)
from gridgov.orgs import tree
from gridgov.orgs.models import Node, NodeKind, Person
from gridgov.orgs.tree import holds_role_under, home_node
from gridgov.sql import area_first, within


def balance_of(account) -> int:
    """The cached balance (``gridgov ledger verify`` proves it equals the sum of the account's lines); 0 for
    someone with no account yet (reading never opens one)."""
    if account is None:
        return 0
    return Account.objects.filter(pk=account.pk).values_list("balance", flat=True).get()


def points_home(person):
    """Where a person's points are seen and rank: their account's node, else their home node."""
    account = person_account(person)
    return account.node if account is not None and account.node is not None else home_node(person)


def person_account(person) -> Account | None:
    """A person's account if they have one (reading never opens an account)."""
    return Account.objects.filter(kind=AccountKind.PERSON, person_id=getattr(person, "pk", None)).first()


def statement(*, account, period: str | None = None, reason: str | None = None):
    """The account's lines with their postings, newest first; ``reason`` is a posting kind or an exact reason.
    No account (someone never paid): no lines."""
    if account is None:
        return Line.objects.none()
    lines = Line.objects.filter(account=account).select_related("posting", "posting__reverses", "posting__reversed_by")
    if period:
        lines = lines.filter(posting__period=period)
    if reason:
        lines = lines.filter(posting__kind=reason) if reason in PostingKind.values else lines.filter(
            posting__reason=reason)
    return lines.order_by("-posting__sequence")


@dataclass(frozen=True)
class RankingRow:
    rank: int
    person_id: int | None
    name: str
    points: int
    account_id: int


def _column(node: Node) -> str:
    column = level_column(node)
    if column is None:
        raise LedgerRefusal("Rankings are kept per grid, community or street.", code="invalid_node")
    return column


def ranking(*, node, period: str, limit: int = 50) -> list[RankingRow]:
    """The top ``limit`` of ``node``'s subtree by points earned in ``period`` (ties share a rank)."""
    column = _column(node)
    rows = list(
        EarnedTotal.objects.filter(**{column: node.pk}, period=period)
        .order_by("-points", "account_id")
        .values_list("account_id", "points", "account__person_id", "account__name")[: max(1, min(limit, 500))]
    )
    result, rank, previous = [], 0, None
    for index, (account_id, points, person_id, name) in enumerate(rows, start=1):
        if points != previous:
            rank, previous = index, points
        result.append(RankingRow(rank=rank, person_id=person_id, name=name, points=points, account_id=account_id))
    return result


def rank_of(*, person, node, period: str) -> tuple[int, int] | None:
    """(rank, out of) of ``person`` among those who earned points under ``node`` in ``period``; None if unranked."""
    column = _column(node)
    mine = (
        EarnedTotal.objects.filter(account__kind=AccountKind.PERSON, account__person_id=getattr(person, "pk", None),
                                   period=period, **{column: node.pk})
        .values_list("points", flat=True).first()
    )
    if mine is None:
        return None
    buckets = EarnedHistogram.objects.filter(node_id=node.pk, period=period)
    higher = buckets.filter(points__gt=mine).aggregate(n=Sum("count"))["n"] or 0
    total = buckets.aggregate(n=Sum("count"))["n"] or 0
    return higher + 1, total


def may_see_ranking(*, person, node) -> bool:
    """A ranking is public to everyone ranked in it (善治宝 shows the whole village) and to those above it."""
    from gridgov.orgs.permissions import can

    if holds_role_under(person, node):
        return True
    return can(person, "node.view", node)


def earned_in(*, person, period: str) -> int:
    return (
        EarnedTotal.objects.filter(account__kind=AccountKind.PERSON, account__person_id=person.pk, period=period)
        .values_list("points", flat=True).first() or 0
    )


def earned_by_people(people, *, period_prefix: str) -> dict[int, int]:
    """Person id → points earned in the periods starting with ``period_prefix`` ("2026-" a year, "2026-11" a
    month): the monthly earned totals (grants less reversals), summed. ``people`` is ids or a values queryset.

    Given ids (a page of a ranking), two reads on unique indexes: the people's accounts
    (``ledger_account_one_per_person``), then those accounts' totals of the named months
    (``ledger_earned_once_per_period``, the months as equalities: a ``LIKE`` cannot use that index under a
    non-C collation). One join of the three tables, with hundreds of ids, was read as two sequential scans
    (issue 18). Given a queryset, one query joining it."""
    periods = _periods(period_prefix)
    if isinstance(people, (list, tuple, set, frozenset)):
        accounts = dict(Account.objects.filter(kind=AccountKind.PERSON, person_id__in=list(people))
                        .values_list("pk", "person_id")) if people else {}
        if not accounts:
            return {}
        rows = (EarnedTotal.objects.filter(periods, account_id__in=list(accounts)).values("account_id")
                .annotate(points=Sum("points")).order_by())
        return {accounts[row["account_id"]]: int(row["points"]) for row in rows}
    rows = (EarnedTotal.objects.filter(periods, account__person__in=people, account__kind=AccountKind.PERSON)
            .values("account__person").annotate(points=Sum("points")).order_by())
    return {row["account__person"]: int(row["points"]) for row in rows}


def _periods(prefix: str) -> Q:
    """The earned totals' periods ("YYYY-MM") that start with ``prefix``: a month, a year's twelve, else a prefix."""
    if re.fullmatch(r"\d{4}-\d{2}", prefix):
        return Q(period=prefix)
    if re.fullmatch(r"\d{4}-?", prefix):
        year = prefix[:4]
        return Q(period__in=[f"{year}-{month:02d}" for month in range(1, 13)])
    return Q(period__startswith=prefix)


def recent_grants(*, node: Node, limit: int = 20):
    """The latest ``limit`` grants booked at ``node`` or below it (the award page's list), newest first.

    The nodes come first as a list of ids, so the planner reads each one's grants on
    ``ledger_posting_grant_node_idx`` (its statistics say how many each node has). Joined to the node by path,
    it would walk the whole ledger backwards by sequence looking for the area's grants: with few there, the
    walk reaches the first posting (issue 18); and on the ids, a small area's grants are sorted rather than found
    on the ledger's sequence (``gridgov.sql.area_first``: SQLite walked it backwards at county size). Their reversals
    come in a second query by the 20 ids: joined, SQLite scanned the whole ledger for each grant of the area (its
    statistics count the NULLs of ``reverses`` as one value; 127 s for a small street of a county)."""
    node_ids = list(Node.objects.filter(path__startswith=node.path).values_list("pk", flat=True))
    grants = Posting.objects.filter(node_id__in=node_ids, kind=PostingKind.GRANT)
    return area_first(grants, "-sequence").prefetch_related("reversed_by", "lines__account")[:limit]


def budgets_for(nodes, period: str | None = None):
    budgets = Budget.objects.filter(node__in=nodes).select_related("node", "account")
    if period:
        budgets = budgets.filter(period=period)
    return budgets.order_by("-period", "node__path")


def ledger_stats() -> dict:
    """Points issued (granted less reversals), redeemed (held by merchants and sinks), outstanding (held by people)."""
    balances = dict(Account.objects.values_list("kind").annotate(total=Sum("balance")).order_by())
    return {
        "points_issued": EarnedTotal.objects.aggregate(n=Sum("points"))["n"] or 0,
        "points_redeemed": (balances.get(AccountKind.MERCHANT) or 0) + (balances.get(AccountKind.SINK) or 0),
        "points_outstanding": balances.get(AccountKind.PERSON) or 0,
    }


def people_in_scope(*, actor: Person, node: Node, query: str, limit: int = 20):
    """People holding a role under ``node`` whose name or pinyin initials match (for the award form)."""
    from django.db.models import Q

    query = (query or "").strip()[:50]
    people = tree.people_under([node.path])
    if query:
        match = Q(name__contains=query)
        if query.isascii() and query.isalnum():
            match |= Q(name_initials__startswith=query.lower()) | Q(phone__endswith=query)
        people = people.filter(match)
    return people.order_by("name_initials", "pk")[:limit]


# ---------------------------------------------------------------- the cockpit's figures


def granted_by_week(*, node: Node, mondays: list[date]) -> dict[date, int]:
    """Points granted to people whose home lies in ``node``'s subtree in each week from one of ``mondays`` (local
    dates, the cockpit's ``week_starts``): Monday → points; the positive lines of grant postings, reversals not
    taken off. One query of the totals the journal keeps (``GrantedWeek``): the subtree's range of the unique
    index in each week, whatever the number of lines (a large street's lines at a tenth of a province took
    565–624 ms, issue 18)."""
    rows = dict(GrantedWeek.objects.filter(week__in=mondays, path__startswith=node.path)
                .values("week").order_by().annotate(points=Sum("points")).values_list("week", "points"))
    return {monday: int(rows.get(monday) or 0) for monday in mondays}


def _granted_by_week_from_lines(*, node: Node, weeks: list[tuple]) -> dict:
    """What ``granted_by_week`` reads from the totals, summed from the lines for any ranges (``(start, end)``
    aware datetimes, in order; start → points), which the tests recount the totals with. One query over the
    area's lines; the weeks are ranges compared in SQL (no date function per row, which SQLite would run in
    Python for each of a county's postings)."""
    first = (Posting.objects.filter(created_at__gte=weeks[0][0]).order_by("created_at", "sequence")
             .values_list("pk", flat=True).first())
    if first is None:
        return {start: 0 for start, _end in weeks}
    # The area's person accounts, then each one's lines from the window's first posting on
    # (``ledger_line_account_idx`` is (account, posting) — an index range per account): the work is the area's
    # lines of these weeks, not every line of the window in the installation. The journal stamps a posting's
    # time under the chain lock as it takes the next id, so ids rise with the time and no posting of the window
    # lies below ``first``.
    accounts = Account.objects.filter(kind=AccountKind.PERSON,
                                      node__in=Node.objects.filter(path__startswith=node.path))
    lines = Line.objects.filter(account__in=accounts, posting_id__gte=first, posting__kind=PostingKind.GRANT,
                                posting__created_at__gte=weeks[0][0], posting__created_at__lt=weeks[-1][1],
                                amount__gt=0)
    sums = lines.aggregate(**{f"w{index}": Sum("amount", filter=Q(posting__created_at__gte=start,
                                                                   posting__created_at__lt=end))
                              for index, (start, end) in enumerate(weeks)})
    return {start: sums[f"w{index}"] or 0 for index, (start, _end) in enumerate(weeks)}


def earned_under(*, node: Node, depth: int, period: str) -> dict[str, dict[str, int]]:
    """Points earned in ``period`` by people whose home is in ``node``'s subtree, per node at ``depth`` (its
    path → points and the number of people who earned). One query (two for a street).

    A street's children are its communities (``orgs.models.CHILD_KINDS``), whose ids each month's totals carry:
    the street's totals are one range of ``ledger_earned_street_idx`` grouped by community, whatever the size
    of the province. Elsewhere the totals are reached through their accounts' nodes by path."""
    if node.kind == NodeKind.STREET and depth == node.depth + 1:
        rows = list(EarnedTotal.objects.filter(street_id=node.pk, period=period, points__gt=0)
                    .values("community_id").order_by().annotate(points=Sum("points"), earners=Count("pk")))
        paths = dict(Node.objects.filter(pk__in=[row["community_id"] for row in rows if row["community_id"]])
                     .values_list("pk", "path"))
        result: dict[str, dict[str, int]] = {}
        for row in rows:  # people homed at the street itself count at its own path, as below
            key = paths.get(row.pop("community_id"), node.path)
            into = result.setdefault(key, {"points": 0, "earners": 0})
            into["points"] += row["points"]
            into["earners"] += row["earners"]
        return result
    rows = (EarnedTotal.objects.filter(account__kind=AccountKind.PERSON, account__node__path__startswith=node.path,
                                       period=period, points__gt=0)
            .annotate(key=tree.ancestor_at("account__node__path", depth)).values("key").order_by()
            .annotate(points=Sum("points"), earners=Count("pk")))
    return {row.pop("key"): row for row in rows}


def earned_by_grid(*, node: Node, period: str) -> list[tuple[int, int]]:
    """``(grid id, points)`` earned in ``period`` in each grid under ``node`` (a street or community), best first."""
    column = _column(node)
    return list(EarnedTotal.objects.filter(**{column: node.pk}, period=period, grid_id__isnull=False)
                .values("grid_id").order_by().annotate(points=Sum("points"))
                .order_by("-points", "grid_id").values_list("grid_id", "points"))


def least_earning(*, node, period: str, limit: int = 5) -> list[RankingRow]:
    """The ``limit`` people of ``node``'s subtree who earned least (but something) in ``period``, least first."""
    column = _column(node)
    rows = (EarnedTotal.objects.filter(**{column: node.pk}, period=period, points__gt=0)
            .order_by("points", "account_id").values_list("account_id", "points", "account__person_id",
                                                          "account__name")[:limit])
    return [RankingRow(rank=0, person_id=person_id, name=name, points=points, account_id=account_id)
            for account_id, points, person_id, name in rows]


def latest_checkpoint():
    """The newest checkpoint a witness co-signed, or else the newest one (None before the first)."""
    return latest_cosigned_checkpoint() or Checkpoint.objects.order_by("-size").first()


def checkpoints_page():
    return Checkpoint.objects.prefetch_related("cosignatures").order_by("-size")


def split_views(*, since=None, until=None):
    """Checkpoints a witness found contradicting one they signed (oversight lists them as findings)."""
    return within(SplitView.objects.select_related("witness").order_by("detected_at", "pk"), "detected_at", since,
                  until)


def latest_cosigned_checkpoint():
    """The newest checkpoint at least one witness co-signed (what public pages show), or None."""
    return Checkpoint.objects.filter(cosignatures__isnull=False).order_by("-size").first()
# ---------------------------------------------------------------- volunteer hours (an hours unit in the same journal)


def hours_credited(*, person_ids=None, year: int | None = None) -> dict[int, int]:
    """Minutes credited to each person's hours account (``AccountKind.HOURS``) for service in ``year`` (the
    postings' period is the month of the service), by person id; everyone when ``person_ids`` is None. One
    grouped query over the lines."""
    lines = Line.objects.filter(account__kind=AccountKind.HOURS, account__person__isnull=False)
    if person_ids is not None:
        lines = lines.filter(account__person_id__in=list(person_ids))
    if year is not None:
        lines = lines.filter(posting__period__startswith=f"{int(year):04d}-")
    rows = lines.values("account__person_id").order_by().annotate(minutes=Sum("amount"))
    return {row["account__person_id"]: row["minutes"] for row in rows}


def granted_for_sources(model, ids) -> dict[int, int]:
    """``{source id: points granted}`` for grants whose source is a ``model`` row among ``ids`` (one query), so
    an app shows what its records earned without reading the ledger's tables itself."""
    rows = (Line.objects.filter(posting__kind=PostingKind.GRANT, posting__source_type=model._meta.label_lower,
                                posting__source_id__in=[str(pk) for pk in ids], amount__gt=0,
                                account__kind=AccountKind.PERSON)
            .values_list("posting__source_id").annotate(total=Sum("amount")).values_list("posting__source_id", "total"))
    return {int(source_id): total for source_id, total in rows}


def granted_between(first_sequence: int, last_sequence: int) -> list[tuple[int, int, str]]:
    """``(person id, points, reason)`` of each grant posting of sequence ``first_sequence``–``last_sequence``,
    in order (the payee's line: the person account's), for the messages of a batch (``inbox.send_notice``)."""
    return list(Line.objects.filter(
        posting__sequence__gte=first_sequence, posting__sequence__lte=last_sequence, posting__kind=PostingKind.GRANT,
        account__kind=AccountKind.PERSON, amount__gt=0,
    ).order_by("posting__sequence").values_list("account__person_id", "amount", "posting__reason"))


# ---------------------------------------------------------------- the supervisor's findings


def _area_grant_lines(*, node: Node, since=None, until=None):
    """The positive lines paid to people by grants that someone made at ``node`` or below it, in ``[since, until)``.
    The area's nodes come first as a list of ids, as in ``recent_grants``: joined by path, the planner guessed one
    node and scanned the tree for it (880 ms for a large street at a tenth of a province, issue 18)."""
    node_ids = list(Node.objects.filter(path__startswith=node.path).values_list("pk", flat=True))
    lines = Line.objects.filter(amount__gt=0, posting__kind=PostingKind.GRANT, posting__actor_id__isnull=False,
                                posting__node_id__in=node_ids, account__person__isnull=False)
    return within(lines, "posting__created_at", since, until)


def granters_and_payees(*, node: Node, since=None, until=None) -> list[tuple[int, int, str]]:
    """``(granter's person id, account paid, its person's address)`` once per pair that a grant booked at
    ``node`` or below it joined in ``[since, until)``, people without an address left out (the supervisor's
    household rule, ``oversight.anomalies``; a person has one account and one address)."""
    return list(_area_grant_lines(node=node, since=since, until=until).exclude(account__person__address="")
                .values_list("posting__actor_id", "account_id", "account__person__address").distinct().order_by())


def budget_draws_once_low(*, node: Node, left_share: float, window: timedelta, since=None, until=None) -> list[tuple]:
    """The grants someone drew from the budgets of ``node`` and below in ``[since, until)`` that left a budget
    with at most ``left_share`` of its amount, and the draws of the ``window`` before each budget first fell that
    low (the supervisor's burst rule, ``oversight.anomalies``). Rows ``(account, posting, actor, time, points left
    or None)`` in account and time order; None marks a draw from before the budget was low.

    The database keeps each budget's running total (a window function) and hands back only those rows: what is
    left only ever shrinks, so no burst can end earlier. A grant draws on the budget of its own month, so only the
    budgets of the period's months are read."""
    from gridgov.ledger.journal import current_period

    budgets = Budget.objects.filter(node__path__startswith=node.path, amount__gt=0)
    if since is not None:
        budgets = budgets.filter(period__gte=current_period(since))
    if until is not None:
        budgets = budgets.filter(period__lte=current_period(until))
    draws = within(Line.objects.filter(account__budget__in=budgets, amount__lt=0, posting__actor_id__isnull=False,
                                        posting__kind=PostingKind.GRANT), "posting__created_at", since, until)
    # ``account_id + 0``, not the bare column: SQLite's planner would otherwise read the whole table in that
    # column's index order (sparing itself a sort) instead of the period's rows by their time index.
    low = draws.annotate(
        drawn=Window(Sum("amount"), partition_by=[F("account_id") + 0],
                     order_by=[F("posting__created_at").asc(), F("posting_id").asc()],
                     frame=RowRange(start=None, end=0)),
        left=F("account__budget__amount") + F("drawn"),
    ).filter(left__lte=F("account__budget__amount") * left_share)
    late = list(low.order_by("account_id", "posting__created_at", "posting_id").values_list(
        "account_id", "posting_id", "posting__actor_id", "posting__created_at", "left"))
    if not late:
        return []
    reached: dict[int, object] = {}
    for account_id, _posting, _actor, created_at, _left in late:
        reached.setdefault(account_id, created_at)
    before = Q()
    for account_id, moment in reached.items():
        before |= Q(account_id=account_id, posting__created_at__gte=moment - window, posting__created_at__lte=moment)
    late_postings = {row[1] for row in late}
    earlier = [(*row, None) for row in draws.filter(before).values_list(
        "account_id", "posting_id", "posting__actor_id", "posting__created_at") if row[1] not in late_postings]
    return sorted(earlier + late, key=lambda row: (row[0], row[3], row[1]))


def budgets_of_accounts(account_ids) -> dict[int, Budget]:
    """The budgets behind these budget accounts, with their nodes, by account id."""
    return {budget.account_id: budget for budget in
            Budget.objects.filter(account_id__in=set(account_ids)).select_related("node")}


def grant_reversals(*, node: Node, since=None, until=None) -> list[tuple]:
    """``(posting, actor, actor's name, grant reversed, its source type, its source id)`` of every reversal of a
    grant booked at ``node`` or below in ``[since, until)``, by posting id (the supervisor's reversal rule)."""
    reversals = within(Posting.objects.filter(kind=PostingKind.REVERSAL, reverses__kind=PostingKind.GRANT,
                                               node__path__startswith=node.path), "created_at", since, until)
    # Sorted here: ORDER BY id would have SQLite read every posting in id order.
    return sorted(reversals.order_by().values_list("pk", "actor_id", "actor_name", "reverses_id",
                                                   "reverses__source_type", "reverses__source_id"))


def grants_between(*, node: Node, pairs, since=None, until=None) -> list[tuple[int, int, int]]:
    """``(posting id, granter, account paid)`` of the grants of ``granters_and_payees`` whose (granter, account)
    is among ``pairs``: the evidence behind a finding, read by the accounts named."""
    pairs = set(pairs)
    granters = sorted({actor for actor, _account in pairs})
    accounts = sorted({account for _actor, account in pairs})
    found = []
    for start in range(0, len(accounts), 2000):
        chosen = _area_grant_lines(node=node, since=since, until=until).filter(
            posting__actor_id__in=granters, account_id__in=accounts[start:start + 2000])
        found.extend(row for row in chosen.values_list("posting_id", "posting__actor_id", "account_id")
                     if (row[1], row[2]) in pairs)
    return found
