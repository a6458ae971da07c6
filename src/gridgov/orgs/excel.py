"""The two Excel formats cadres keep their data in: the organisation tree, and people with their roles.

One format serves the template, the export and the import, so an export re-imports unchanged. The header
row is Chinese whatever the interface language (the sheet is the format, and cadres share files); each
header cell carries the column's English name in a comment, and either spelling is accepted on import.
This module knows workbooks and cells only; what a row means for the database is ``imports.py``'s job.
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gridgov.orgs.models import NodeKind, Role
from gridgov.spreadsheets import workbook_bytes

TREE = "tree"
PEOPLE = "people"
SHEETS = (TREE, PEOPLE)
SHEET_TITLES = {TREE: "组织架构", PEOPLE: "人员"}
INSTRUCTIONS_TITLE = "说明"
NODES_TITLE = "节点编码"
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 100_000)
# A zip that inflates to more than this is refused before openpyxl sees it (a "zip bomb").
MAX_UNCOMPRESSED_BYTES = 20 * settings.IMPORT_MAX_BYTES
EXCEL_ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"})


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    english: str
    required: bool
    width: int


TREE_COLUMNS = (
    Column("code", "编码", "code", True, 16),
    Column("name", "名称", "name", True, 30),
    Column("kind", "类型", "kind", True, 14),
    Column("parent", "上级编码", "parent code", False, 16),
)
PEOPLE_COLUMNS = (
    Column("name", "姓名", "name", True, 12),
    Column("phone", "手机", "mobile phone", False, 15),
    Column("id_number", "身份证号", "ID number", False, 22),
    Column("address", "地址", "address", False, 32),
    Column("role", "角色", "role", True, 14),
    Column("node", "所属节点编码", "node code", True, 16),
    Column("login", "登录名", "login name", False, 16),
)
COLUMNS = {TREE: TREE_COLUMNS, PEOPLE: PEOPLE_COLUMNS}

# Chinese labels are part of the file format, so they are data here, not translations.
KIND_LABELS = {
    NodeKind.DISTRICT: "区县",
    NodeKind.STREET: "街道",
    NodeKind.COMMUNITY: "社区",
    NodeKind.VILLAGE: "村",
    NodeKind.COOPERATIVE: "经济合作社",
    NodeKind.GRID: "网格",
    NodeKind.MICRO_GRID: "微网格",
    NodeKind.BUILDING: "楼宇",
}
KIND_ALIASES = {"区": NodeKind.DISTRICT, "县": NodeKind.DISTRICT, "乡镇": NodeKind.STREET, "街道(乡镇)": NodeKind.STREET,
                "乡": NodeKind.STREET, "镇": NodeKind.STREET, "行政村": NodeKind.VILLAGE, "合作社": NodeKind.COOPERATIVE,
                "楼": NodeKind.BUILDING}
ROLE_LABELS = {
    Role.PLATFORM_ADMIN: "平台管理员",
    Role.STREET_CADRE: "街道干部",
    Role.COMMUNITY_CADRE: "社区干部",
    Role.PARTY_AUDITOR: "社区党委",
    Role.GRID_LEADER: "网格长",
    Role.GRID_WORKER: "网格员",
    Role.RESIDENT: "居民",
    Role.MERCHANT_STAFF: "商户店员",
    Role.SUPERVISOR: "纪检监察",
}
ROLE_ALIASES = {"乡镇干部": Role.STREET_CADRE, "街道(乡镇)干部": Role.STREET_CADRE, "村干部": Role.COMMUNITY_CADRE,
                "社区(村)干部": Role.COMMUNITY_CADRE, "党委": Role.PARTY_AUDITOR, "社区党委审核": Role.PARTY_AUDITOR,
                "村民": Role.RESIDENT, "合作商户": Role.MERCHANT_STAFF, "商户": Role.MERCHANT_STAFF,
                "监察": Role.SUPERVISOR, "监察办": Role.SUPERVISOR, "纪检": Role.SUPERVISOR}


class ExcelFileError(Exception):
    """The file as a whole cannot be imported (not a workbook, empty, too big, wrong columns)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    """One data row: cell texts by column key, keyed by its row number as Excel shows it."""

    number: int
    values: dict[str, str]
    numeric: set[str] = field(default_factory=set)
    cell_errors: list[tuple[str, str]] = field(default_factory=list)

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


def header_of(sheet: str, key: str) -> str:
    return next(column.header for column in COLUMNS[sheet] if column.key == key)


def _normalise(text: str) -> str:
    return text.strip().replace("（", "(").replace("）", ")").replace(" ", "").lower()


@cache
def _lookup(choices_class, labels_items: tuple, aliases_items: tuple) -> dict[str, str]:
    table = {}
    with translation.override("en"):
        for member in choices_class:
            table[_normalise(member.value)] = member.value
            table[_normalise(str(member.label))] = member.value
    for value, label in labels_items:
        table[_normalise(label)] = value
    for alias, value in aliases_items:
        table[_normalise(alias)] = value
    return table


def parse_kind(text: str) -> str | None:
    """A node kind from its value (``grid``), English label or Chinese label (网格); None if unknown."""
    return _lookup(NodeKind, tuple(KIND_LABELS.items()), tuple(KIND_ALIASES.items())).get(_normalise(text))


def parse_role(text: str) -> str | None:
    """A role from its value (``grid_worker``), English label or Chinese label (网格员); None if unknown."""
    return _lookup(Role, tuple(ROLE_LABELS.items()), tuple(ROLE_ALIASES.items())).get(_normalise(text))


def cell_text(value) -> str:
    """The text of a cell as a cadre means it: 13800000000.0 (a phone typed as a number) is "13800000000"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = str(value).replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return text.strip()


# --- reading ---------------------------------------------------------------------------------------------


def _file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def check_file(file) -> None:
    """Refuse what is not worth parsing: too big, empty, not an .xlsx, not a zip, a zip bomb."""
    size = _file_size(file)
    if size > settings.IMPORT_MAX_BYTES:
        raise ExcelFileError(
            _("The file is %(size)s; files above %(limit)s are refused.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
        )
    if size == 0:
        raise ExcelFileError(_("The file is empty."))
    name = (getattr(file, "name", "") or "").lower()
    file.seek(0)
    magic = file.read(8)
    file.seek(0)
    if magic.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise ExcelFileError(_("This is an old .xls workbook. Open it in Excel or WPS and save it as .xlsx."))
    if name and not name.endswith(".xlsx"):
        raise ExcelFileError(_("Only Excel .xlsx files can be imported; download the template to start from one."))
    if not magic.startswith(b"PK"):
        raise ExcelFileError(_("The file is not an Excel .xlsx workbook (it is not a zip archive)."))
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            inflated = sum(member.file_size for member in members)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExcelFileError(_("The workbook is damaged and cannot be opened.")) from None
    finally:
        file.seek(0)
    if "xl/workbook.xml" not in names:
        raise ExcelFileError(_("The file is a zip archive but not an Excel workbook."))
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise ExcelFileError(_("The workbook unpacks to more data than an import may hold."))


def _header_keys(columns, header: tuple) -> dict[int, str]:
    """Column index → column key, matching the Chinese header or its English name."""
    wanted = {}
    for column in columns:
        wanted[_normalise(column.header)] = column.key
        wanted[_normalise(column.english)] = column.key
        wanted[_normalise(column.key)] = column.key
    keys: dict[int, str] = {}
    for index, value in enumerate(header):
        text = _normalise(cell_text(value).split("\n")[0])
        key = wanted.get(text)
        if key and key not in keys.values():
            keys[index] = key
    return keys


def _pick_worksheet(workbook, title: str):
    worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
    for worksheet in worksheets:
        if worksheet.title == title:
            return worksheet
    for worksheet in worksheets:
        if worksheet.title not in (INSTRUCTIONS_TITLE, NODES_TITLE):
            return worksheet
    return None


def read_sheet(file, sheet: str) -> list[Row]:
    """The data rows of an uploaded tree or people workbook, or ExcelFileError saying why not."""
    return read_table(file, columns=COLUMNS[sheet], title=SHEET_TITLES[sheet])


def read_table(file, *, columns, title: str) -> list[Row]:
    """The data rows of an uploaded workbook whose sheet ``title`` (else its first data sheet) has ``columns``:
    the reading every Excel import shares (other apps' formats too), or ExcelFileError saying why not."""
    check_file(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises a dozen types (KeyError, XML errors, …) on damaged files
        raise ExcelFileError(_("The workbook is damaged and cannot be opened.")) from None
    try:
        return _read_rows(workbook, columns, title)
    except ExcelFileError:
        raise
    except Exception:
        raise ExcelFileError(_("The workbook is damaged and cannot be read.")) from None
    finally:
        workbook.close()


def _read_rows(workbook, columns, title: str) -> list[Row]:
    worksheet = _pick_worksheet(workbook, title)
    if worksheet is None:
        raise ExcelFileError(_("The workbook has no sheet to import."))
    lines = worksheet.iter_rows(values_only=True)
    header = next(lines, None)
    if header is None or not any(cell_text(value) for value in header):
        raise ExcelFileError(_("The workbook is empty: the first row must hold the column headers."))
    keys = _header_keys(columns, header)
    missing = [column.header for column in columns if column.required and column.key not in keys.values()]
    if missing:
        raise ExcelFileError(
            _("Row 1 lacks the columns %(columns)s. Download the template to see the expected columns.")
            % {"columns": "、".join(missing)}
        )
    rows = []
    for number, values in enumerate(lines, start=2):
        if number > 2 * MAX_ROWS + 1 or len(rows) >= MAX_ROWS and any(v is not None for v in values):
            raise ExcelFileError(_("The sheet has more than %(limit)s rows; split it into several files.")
                                 % {"limit": MAX_ROWS})
        row = Row(number=number, values={})
        for index, key in keys.items():
            value = values[index] if index < len(values) else None
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                row.numeric.add(key)
            text = cell_text(value)
            if text in EXCEL_ERROR_VALUES:
                row.cell_errors.append((key, _("The cell holds the Excel error %(value)s.") % {"value": text}))
                text = ""
            row.values[key] = text
        if any(row.values.values()) or row.cell_errors:
            rows.append(row)
    if not rows:
        raise ExcelFileError(_("The sheet has a header row but no data rows."))
    return rows


# --- writing ---------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def build_workbook(sheet: str, rows=(), *, node_codes: list[tuple[str, str]] | None = None) -> bytes:
    """A tree or people workbook: header, frozen first row, widths, dropdowns, the instructions sheet.

    ``rows`` are dicts by column key (an export); none gives the blank template. ``node_codes`` adds a
    reference sheet of (code, name) the people sheet's node column offers as a dropdown.
    """
    columns = COLUMNS[sheet]
    workbook, worksheet = table_workbook(columns=columns, title=SHEET_TITLES[sheet], rows=rows)
    _add_dropdowns(worksheet, sheet, node_codes)
    _add_instructions(workbook, sheet)
    if node_codes is not None:
        reference = workbook.create_sheet(NODES_TITLE)
        reference.append(["编码", "名称"])
        for code, name in node_codes:
            reference.append([code, name])
        reference.column_dimensions["A"].width = 16
        reference.column_dimensions["B"].width = 30
        reference.freeze_panes = "A2"
    return workbook_bytes(workbook)


def table_workbook(*, columns, title: str, rows=()) -> tuple[Workbook, object]:
    """A workbook whose sheet ``title`` has the header of ``columns`` (bold, commented with the English name,
    text-formatted, first row frozen) and ``rows`` (dicts by column key): what every Excel format starts from."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = title
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        note = f"{column.english} ({'required' if column.required else 'optional'})"
        cell.comment = Comment(note, "gridgov", width=220, height=60)
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = column.width
        # Text format keeps leading zeros of codes and the 18 digits of ID numbers intact in Excel.
        worksheet.column_dimensions[letter].number_format = "@"
    worksheet.freeze_panes = "A2"
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            cell = worksheet.cell(row=number, column=index, value=row.get(column.key, "") or None)
            cell.number_format = "@"
    return workbook, worksheet


def _column_range(sheet: str, key: str) -> str:
    letter = get_column_letter(next(i for i, c in enumerate(COLUMNS[sheet], start=1) if c.key == key))
    return f"{letter}2:{letter}{MAX_ROWS + 1}"


def _add_dropdowns(worksheet, sheet: str, node_codes) -> None:
    if sheet == TREE:
        choices, key, title = KIND_LABELS.values(), "kind", _("Kind")
    else:
        choices, key, title = ROLE_LABELS.values(), "role", _("Role")
    validation = DataValidation(
        type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True, showErrorMessage=True,
        errorTitle=str(title), error=_("Pick a value from the list."),
    )
    validation.add(_column_range(sheet, key))
    worksheet.add_data_validation(validation)
    if sheet == PEOPLE and node_codes:
        nodes = DataValidation(
            type="list", formula1=f"'{NODES_TITLE}'!$A$2:$A${len(node_codes) + 1}", allow_blank=True,
            showErrorMessage=True, errorStyle="warning", errorTitle=_("Node code"),
            error=_("This code is not in the list of your nodes."),
        )
        nodes.add(_column_range(sheet, "node"))
        worksheet.add_data_validation(nodes)


def _add_instructions(workbook, sheet: str) -> None:
    """The 说明 sheet: what each column means and how the import treats the file."""
    info = workbook.create_sheet(INSTRUCTIONS_TITLE)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 90
    info.append([_("How to fill this workbook")])
    info["A1"].font = Font(bold=True, size=13)
    info.append([])
    info.append([_("Column"), _("Meaning")])
    for column in COLUMNS[sheet]:
        info.append([column.header, _COLUMN_HELP[sheet][column.key]()])
    info.append([])
    if sheet == TREE:
        info.append([_("Kinds"), "、".join(KIND_LABELS.values())])
        lines = [
            _("Each row is one organisation or grid. Put a parent before its children: the parent code must "
              "already exist in the system or appear in an earlier row."),
            _("A code already in the system with the same parent and kind is kept; a different name in the "
              "file renames it. A code used elsewhere in the tree is an error: the import never moves nodes."),
            _("Allowed nesting: district › street › community / village / cooperative › grid › micro-grid; "
              "buildings under communities, villages, cooperatives, grids and micro-grids."),
        ]
    else:
        info.append([_("Roles"), "、".join(ROLE_LABELS.values())])
        lines = [
            _("Each row gives one role to one person. A person with several roles takes several rows."),
            _("Rows are the same person when they share the ID number; rows without an ID number join the "
              "rows with the same login name, else the rows with the same name and mobile phone."),
            _("Someone already in the system (same ID number, same login, or same name and phone) keeps their "
              "details; the import only adds the roles they do not hold yet."),
            _("ID numbers are stored only as a fingerprint and their last four characters, so exports leave "
              "that column blank. Login names get no password: an administrator sets one."),
        ]
    lines += [
        _("The whole file is checked before anything is saved. If any row is wrong, nothing is imported and "
          "every wrong row is listed with its row number and the reason."),
        _("Type codes, phones and ID numbers as text (the columns are formatted as text) so Excel keeps every digit."),
    ]
    info.append([])
    for line in lines:
        info.append(["•", line])
    for row in info.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


_COLUMN_HELP = {
    TREE: {
        "code": lambda: _("Unique code of the node (letters and digits, up to 32 characters). Required."),
        "name": lambda: _("Name, e.g. 东门社区. Required."),
        "kind": lambda: _("Kind of node, from the dropdown. Required."),
        "parent": lambda: _("Code of the node above this one. Required for new nodes."),
    },
    PEOPLE: {
        "name": lambda: _("Real name. Required."),
        "phone": lambda: _("Mainland mobile number, 11 digits."),
        "id_number": lambda: _("Resident ID number (18 characters). Optional."),
        "address": lambda: _("Home address. Optional."),
        "role": lambda: _("Role, from the dropdown. Required."),
        "node": lambda: _("Code of the node where the role is held (see the 节点编码 sheet). Required."),
        "login": lambda: _("Login name for the web pages. Optional; residents usually have none."),
    },
}
