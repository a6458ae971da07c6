"""Writing .xlsx files that open safely: every text a cell holds stays text.

Excel, WPS and LibreOffice take a cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return before one) for a formula: a name such as ``=HYPERLINK("http://…","点此")`` becomes a live
link that leaks data, ``=cmd|…`` asks to run a program. openpyxl itself writes any ``=…`` string as a
formula. So every workbook the app hands out is saved through ``workbook_bytes``: such cells are stored
as plain strings with Excel's quote prefix (the apostrophe a user types to keep text as text). They show
the same characters, stay text when edited, and read back unchanged, so an export re-imports as it was.
No workbook the app writes holds a formula of its own.
"""

from io import BytesIO

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx bytes of ``workbook``, with every formula-like text kept as text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
