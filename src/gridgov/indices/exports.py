"""亮分公示: a run's ranking as an .xlsx list."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gridgov.indices import publicity
from gridgov.indices.selectors import ranking
from gridgov.spreadsheets import workbook_bytes


def ranking_workbook(run, *, parent=None, mask_names: bool = True) -> bytes:
    indices, rows = ranking(run, parent=parent)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = run.period
    sheet.append([f"{run.rule_set.name} · {run.period} · {run.get_state_display()}"])
    sheet["A1"].font = Font(bold=True, size=13)
    header = [_("Rank"), _("Name"), *[index.name for index in indices], _("Total"), _("Stars"), _("Tier"),
              _("Colour")]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    tiers = {tier["code"]: tier.get("label", tier["code"]) for tier in run.rule_set.tiers}
    for row in rows:
        standing = row.standing
        name = row.name
        if mask_names and standing.person_id:
            name = standing.person.name_masked
        sheet.append([standing.rank, name, *[float(s.value) if s else 0 for s in row.scores], float(standing.total),
                      standing.stars, tiers.get(standing.tier, standing.tier),
                      standing.get_colour_display() if standing.colour else ""])
    for notice in publicity.notices():
        sheet.append([])
        sheet.append([notice.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for words, value in notice.lines:
            sheet.append([words, value] if value else [words])
    sheet.column_dimensions["B"].width = 24
    return workbook_bytes(workbook)
