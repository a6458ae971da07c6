"""Points pages: my points and statement, rankings, the cadre's award/reversal pages, budgets. Thin views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gridgov.errors import DomainError, message_of
from gridgov.ledger import journal, selectors, services
from gridgov.ledger.aggregates import level_column
from gridgov.ledger.forms import AwardForm, BudgetForm, ReverseForm, StatementFilter
from gridgov.ledger.models import Posting
from gridgov.ledger.views_proofs import proof_context
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import can, role_paths
from gridgov.orgs.selectors import ancestors
from gridgov.orgs.tree import people_under
from gridgov.pages import page_of, person_of, refuse_in_form


def _nodes_for(person: Person, action: str, kinds) -> list[Node]:
    """Nodes of ``kinds`` where the person may do ``action``: at or below their role nodes (within one level)."""
    found: dict[int, Node] = {}
    for root in Node.objects.filter(path__in=role_paths(person, action)):
        for node in Node.objects.filter(path__startswith=root.path, depth__lte=root.depth + 1, kind__in=kinds):
            found[node.pk] = node
    return sorted(found.values(), key=lambda node: node.path)


@login_required
def my_points(request):
    person = person_of(request)
    account = selectors.person_account(person)
    period = journal.current_period()
    filters = StatementFilter(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    lines = selectors.statement(account=account, period=chosen.get("period") or None,
                                reason=chosen.get("reason") or None)
    page = page_of(request, lines, per_page=20)
    node = selectors.points_home(person)
    ranks = []
    if node is not None:
        for level in [*ancestors(node), node]:
            if level_column(level):
                ranks.append((level, selectors.rank_of(person=person, node=level, period=period)))
    return render(request, "ledger/mine.html", {
        "account": account, "balance": selectors.balance_of(account), "period": period, "filters": filters,
        "earned": selectors.earned_in(person=person, period=period), "page": page, "ranks": ranks,
        "query": _without_page(request), **proof_context(person),
    })


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _ranking_nodes(person: Person) -> list[Node]:
    """The grids, communities and streets a person can rank in: above their own nodes, or inside their area."""
    nodes: dict[int, Node] = {}
    for root in Node.objects.filter(path__in=role_paths(person)):
        for node in [*ancestors(root), root]:
            if level_column(node):
                nodes[node.pk] = node
        for node in Node.objects.filter(path__startswith=root.path, depth__lte=root.depth + 1):
            if level_column(node):
                nodes[node.pk] = node
    return sorted(nodes.values(), key=lambda node: node.path)


@login_required
def ranking(request):
    person = person_of(request)
    choices = _ranking_nodes(person)
    period = request.GET.get("period") or journal.current_period()
    try:
        services.check_period(period)
    except DomainError as error:
        messages.error(request, message_of(error))
        period = journal.current_period()
    node = next((n for n in choices if n.code == request.GET.get("node")), None)
    if node is None and choices:
        home = selectors.points_home(person)
        node = next((n for n in reversed(choices) if home and home.path.startswith(n.path)), choices[0])
    rows, mine = [], None
    if node is not None:
        rows = selectors.ranking(node=node, period=period, limit=50)
        mine = selectors.rank_of(person=person, node=node, period=period)
    account = selectors.person_account(person)
    return render(request, "ledger/ranking.html", {
        "choices": choices, "node": node, "period": period, "rows": rows, "mine": mine,
        "my_account_id": account.pk if account else None,
        "may_see_names": node is not None and can(person, "person.view", node),
    })


@login_required
def award(request):
    person = person_of(request)
    budget_nodes = _nodes_for(person, "points.grant", services.BUDGET_NODE_KINDS)
    if not budget_nodes:
        raise Forbidden(_("You may not award points."))
    chosen = next((n for n in budget_nodes if n.code == (request.POST or request.GET).get("budget_node")),
                  budget_nodes[0])
    if request.method == "POST":
        form = AwardForm(request.POST, budget_nodes=budget_nodes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                recipient = Person.objects.get(pk=data["person"])
                posting = services.grant_points(
                    actor=person, person=recipient, amount=data["amount"], reason=data["reason"],
                    idempotency_key=data["idempotency_key"], budget_node=chosen, memo=data["memo"],
                )
            except Person.DoesNotExist:
                form.add_error(None, _("Unknown person."))
            except DomainError as error:
                refuse_in_form(form, error)
            else:
                messages.success(request, _("%(points)d points granted to %(name)s (posting #%(sequence)d).")
                                 % {"points": data["amount"], "name": recipient.name, "sequence": posting.sequence})
                return redirect(f"{request.path}?budget_node={chosen.code}")
    else:
        form = AwardForm(budget_nodes=budget_nodes, initial={"budget_node": chosen.code})
    query = request.GET.get("q", "").strip()
    people = selectors.people_in_scope(actor=person, node=chosen, query=query) if query else []
    period = journal.current_period()
    budget = selectors.budgets_for([chosen], period).first()
    recent = selectors.recent_grants(node=chosen)
    return render(request, "ledger/award.html", {
        "form": form, "node": chosen, "budget_nodes": budget_nodes, "query": query, "people": people,
        "budget": budget, "period": period, "recent": recent,
        "picked": _picked(request, chosen),
    })


def _picked(request, node: Node) -> Person | None:
    """The person chosen from the search results, if they are in ``node``'s area. Anyone else is not named:
    ids are sequential, and naming any id would list everybody's name."""
    picked = request.GET.get("person", "")
    if not picked.isdigit() or len(picked) > 18:
        return None
    return people_under([node.path]).filter(pk=int(picked)).first()


@login_required
def reverse(request, sequence: int):
    person = person_of(request)
    posting = get_object_or_404(Posting.objects.select_related("node"), sequence=sequence)
    if posting.node is None or not can(person, "points.reverse", posting.node):
        raise Forbidden(_("You may not reverse this posting."))
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reversal = services.reverse_posting(actor=person, posting=posting, reason=form.cleaned_data["reason"],
                                                idempotency_key=form.cleaned_data["idempotency_key"])
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Posting #%(sequence)d reversed by #%(reversal)d.")
                             % {"sequence": posting.sequence, "reversal": reversal.sequence})
            return redirect("ledger:award")
    lines = posting.lines.select_related("account")
    return render(request, "ledger/reverse.html", {"posting": posting, "lines": lines, "form": form,
                                                   "reversed_by": getattr(posting, "reversed_by", None)})


@login_required
def budgets(request):
    person = person_of(request)
    settable = _nodes_for(person, "points.budget", services.BUDGET_NODE_KINDS)
    visible = _nodes_for(person, "points.view", services.BUDGET_NODE_KINDS)
    if not visible and not settable:
        raise Forbidden(_("You may not see points budgets."))
    form = BudgetForm(request.POST or None, nodes=settable,
                      initial={"period": journal.current_period()})
    if request.method == "POST" and settable and form.is_valid():
        node = next(n for n in settable if n.code == form.cleaned_data["node"])
        try:
            services.budget_set(actor=person, node=node, period=form.cleaned_data["period"],
                                amount=form.cleaned_data["amount"])
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Budget saved."))
            return redirect("ledger:budgets")
    rows = selectors.budgets_for({n.pk for n in visible} | {n.pk for n in settable})[:200]
    return render(request, "ledger/budgets.html", {"rows": rows, "form": form if settable else None})
