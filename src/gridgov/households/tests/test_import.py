import io

import pytest
from openpyxl import Workbook, load_workbook

from gridgov.households import imports
from gridgov.households.models import Household, Membership
from gridgov.orgs.models import Role
from gridgov.testing.factories import person

HEADER = ["户编号", "所属微网格编码", "门牌号", "地址", "姓名", "手机", "身份证号", "与户主关系", "迁入日期", "迁出日期"]


def workbook(*rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = imports.TITLE
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "households.xlsx"
    return buffer


@pytest.fixture
def people(street):
    return {
        "wang": person("王户主", node=street.micro_a1, role=Role.RESIDENT, phone="13700000001"),
        "li": person("李配偶", node=street.micro_a1, role=Role.RESIDENT, phone="13700000002"),
        "kid": person("王小", node=street.micro_a1, role=Role.RESIDENT, phone="13700000003"),
    }


def rows_for_wang():
    return [("H1", "M01", "5号", "育才路5号", "王户主", "13700000001", "", "户主", "2019-03-01", ""),
            ("H1", "M01", "5号", "育才路5号", "李配偶", "13700000002", "", "配偶", "2019-03-01", ""),
            ("H1", "M01", "5号", "育才路5号", "王小", "13700000003", "", "子女", "2020-07-15", "")]


def test_a_clean_file_creates_households_with_their_members(street, people):
    result = imports.import_households(actor=street.community_cadre, file=workbook(*rows_for_wang()))
    assert result.ok, result.errors
    assert (result.households_created, result.members_added) == (1, 3)
    household = Household.objects.get(code="H1")
    assert household.memberships.get(relation="head").person == people["wang"]


def test_an_export_reimports_with_no_change(street, people):
    imports.import_households(actor=street.community_cadre, file=workbook(*rows_for_wang()))
    content = imports.households_workbook(imports.export_rows(actor=street.community_cadre))
    exported = [row for row in load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True)]
    again = imports.import_households(actor=street.community_cadre, file=workbook(*exported))
    assert again.ok, again.errors
    assert (again.households_created, again.members_added, again.members_changed, again.unchanged) == (0, 0, 0, 3)


def test_one_bad_row_imports_nothing_and_names_the_row(street, people):
    rows = rows_for_wang()
    rows[2] = ("H1", "M01", "5号", "育才路5号", "王小", "13700000003", "", "表舅", "2020-07-15", "")
    result = imports.import_households(actor=street.community_cadre, file=workbook(*rows))
    assert not result.ok
    assert [(error.row, error.column) for error in result.errors] == [(4, "与户主关系")]
    assert not Household.objects.exists() and not Membership.objects.exists()


def test_a_person_twice_in_the_file_is_refused(street, people):
    rows = rows_for_wang() + [("H2", "M01", "6号", "", "王小", "13700000003", "", "户主", "2021-01-01", "")]
    result = imports.import_households(actor=street.community_cadre, file=workbook(*rows))
    assert [error.row for error in result.errors] == [5]
    assert not Household.objects.exists()


def test_the_same_id_number_on_two_rows_is_refused(street, people):
    people["wang"].set_id_number("11010519491231002X")
    people["wang"].save()
    rows = [("H1", "M01", "5号", "", "王户主", "", "11010519491231002X", "户主", "2019-03-01", ""),
            ("H2", "M01", "6号", "", "王户主", "", "11010519491231002X", "户主", "2019-03-01", "")]
    result = imports.import_households(actor=street.community_cadre, file=workbook(*rows))
    assert [error.row for error in result.errors] == [3]


def test_a_household_without_a_head_or_with_two_is_refused(street, people):
    rows = rows_for_wang()
    rows[1] = rows[1][:7] + ("户主",) + rows[1][8:]
    two = imports.import_households(actor=street.community_cadre, file=workbook(*rows))
    assert any("more than one head" in error.message or "户主" in error.message for error in two.errors)
    none = imports.import_households(actor=street.community_cadre, file=workbook(*rows_for_wang()[1:]))
    assert not none.ok
    assert not Household.objects.exists()


def test_a_micro_grid_outside_the_actors_area_is_refused(street, people):
    result = imports.import_households(actor=street.village_cadre, file=workbook(*rows_for_wang()))
    assert {error.column for error in result.errors} == {"所属微网格编码"}
    assert not Household.objects.exists()


def test_someone_living_elsewhere_is_refused(street, people):
    imports.import_households(actor=street.community_cadre, file=workbook(*rows_for_wang()))
    elsewhere = [("H9", "M02", "9号", "", "王小", "13700000003", "", "户主", "2022-01-01", "")]
    result = imports.import_households(actor=street.community_cadre, file=workbook(*elsewhere))
    assert [error.row for error in result.errors] == [2]
    assert not Household.objects.filter(code="H9").exists()
