"""The .xlsx downloads: a merchant's monthly settlement and a village's dividend table."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from gridgov.rewards.dividend import POINTS_RULE, ROUNDING_RULE, DividendTable
from gridgov.rewards.selectors import Settlement
from gridgov.spreadsheets import workbook_bytes

MONEY = "0.00"
BOLD = Font(bold=True)


def _header(sheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        sheet.cell(row=row, column=column, value=label).font = BOLD


def settlement_workbook(result: Settlement) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Settlement")[:31]
    sheet.append([_("Merchant"), result.merchant.name])
    sheet.append([_("Area"), result.merchant.node.name])
    sheet.append([_("Month"), str(result.period)])
    sheet.append([_("Redemptions"), result.count])
    sheet.append([_("Points received"), result.points])
    sheet.append([])
    _header(sheet, sheet.max_row + 1, [_("Item"), _("Count"), _("Points")])
    for line in result.lines:
        sheet.append([line.item_name, line.count, line.points])
    sheet.append([_("Total"), result.count, result.points])
    sheet.cell(row=sheet.max_row, column=1).font = BOLD
    sheet.append([])
    _header(sheet, sheet.max_row + 1, [_("Receipt no."), _("Time"), _("Member"), _("Item"), _("Points"),
                                       _("Served by"), _("Posting")])
    for redemption in result.redemptions:
        sheet.append([
            redemption.pk, timezone.localtime(redemption.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            redemption.member.name_masked, redemption.item_name, redemption.points, redemption.staff.name,
            redemption.posting_id,
        ])
    for column, width in zip("ABCDEFG", (16, 20, 10, 24, 10, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(workbook)


def dividend_workbook(table: DividendTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Dividend")[:31]
    per_household = table.unit == "household"
    sheet.append([_("Village"), table.node.name])
    sheet.append([_("Year"), table.year])
    sheet.append([_("Dividend (yuan)"), table.amount])
    sheet.cell(row=3, column=2).number_format = MONEY
    sheet.append([_("Share out per"), _("household") if per_household else _("person")])
    for rule in (POINTS_RULE, ROUNDING_RULE):
        sheet.append([str(rule)])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=5)
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[sheet.max_row].height = 48
    sheet.append([])
    labels = [_("No."), _("Household (address)") if per_household else _("Person")]
    labels += [_("Members")] if per_household else []
    labels += [_("Points earned"), _("Share (yuan)")]
    _header(sheet, sheet.max_row + 1, labels)
    for number, row in enumerate(table.rows, start=1):
        values = [number, row.label] + (["、".join(row.members)] if per_household else []) + [row.points, row.share]
        sheet.append(values)
        sheet.cell(row=sheet.max_row, column=len(values)).number_format = MONEY
    total = ["", _("Total")] + ([""] if per_household else []) + [table.total_points, table.total_share]
    sheet.append(total)
    sheet.cell(row=sheet.max_row, column=len(total)).number_format = MONEY
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for column, width in zip("ABCDE", (8, 30, 30, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(workbook)
