"""What the household pages and the API read and answer alike: a month or a day typed as text, and the signed
credit export (积分授信) as a file download."""

from datetime import date

from django.http import HttpResponse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gridgov.errors import refusal
from gridgov.households import credit, ranking

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def month_of_text(text: str) -> date:
    """``2026-12`` as the month's first day; empty text is this month; anything else a refusal."""
    try:
        return date.fromisoformat(f"{text}-01") if text else ranking.month_of()
    except ValueError:
        raise refusal("invalid", _("A month is written 2026-12.")) from None


def day_of_text(text) -> date | None:
    """A date typed in a form (``2026-12-03``), or None, which the services refuse with their own message."""
    try:
        return parse_date(str(text or "").strip())
    except ValueError:
        return None


def credit_response(export: credit.Export, form: str) -> HttpResponse:
    name = f"credit-{export.payload['node']}-{export.payload['month']}.{form}"
    if form == "xlsx":
        answer = HttpResponse(credit.xlsx_bytes(export), content_type=XLSX)
    else:
        answer = HttpResponse(export.json_bytes(), content_type="application/json")
    answer["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer
