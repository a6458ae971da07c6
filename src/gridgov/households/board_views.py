"""The village board (public, no login): the month's red and black lists of households and the handled
reports residents made public (限时处理并公开反馈); the cadres' monthly ranking; the inspection form."""

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from gridgov.households import ranking, selectors, villages
from gridgov.households.models import InspectionItem
from gridgov.orgs.models import Node, NodeKind
from gridgov.pages import person_of
from gridgov.reports.selectors import public_replies

BOARD_KINDS = (NodeKind.VILLAGE, NodeKind.COMMUNITY)
MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


def _month(request) -> date:
    matched = MONTH.match(request.GET.get("month", ""))
    return date(int(matched[1]), int(matched[2]), 1) if matched else ranking.month_of()


def board(request, code):
    node = Node.objects.filter(code=code, kind__in=BOARD_KINDS).first()
    if node is None:
        raise Http404
    month = _month(request)
    red, black = ranking.red_and_black(node=node, month=month)
    display = ranking.board_of(node).name_display
    return render(request, "households/board.html", {
        "node": node, "month": month, "red": [(row, row.shown(display)) for row in red],
        "black": [(row, row.shown(display)) for row in black], "replies": public_replies(node=node, limit=30),
        "standing": villages.latest_entry(node)})


@login_required
def ranking_page(request):
    person = person_of(request)
    node = selectors.area_node(person, "household.view", request.GET.get("node", ""))
    month = _month(request)
    return render(request, "households/ranking.html", {
        "node": node, "month": month, "rows": ranking.ranking(node=node, month=month, limit=500),
        "boards": Node.objects.filter(path__startswith=node.path, kind__in=BOARD_KINDS).order_by("path")})


@login_required
def inspect(request, pk):
    person = person_of(request)
    household = selectors.household_for(actor=person, pk=pk)
    items = list(InspectionItem.objects.filter(is_active=True))
    errors = []
    if request.method == "POST":
        scores = {item.code: request.POST.get(item.code, "").strip() for item in items}
        try:
            ranking.inspection_record(actor=person, household=household, scores=scores)
        except DomainError as error:
            errors.append(error.message)
        else:
            messages.success(request, _("Inspection saved."))
            return redirect("households:detail", household.pk)
    current = household.inspections.filter(month=ranking.month_of()).first()
    values = request.POST if request.method == "POST" else (current.scores if current else {})
    return render(request, "households/inspect.html", {
        "household": household, "errors": errors, "month": ranking.month_of(),
        "items": [(item, values.get(item.code, "")) for item in items]}, status=400 if errors else 200)
