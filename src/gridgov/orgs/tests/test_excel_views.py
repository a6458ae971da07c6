"""Template downloads, exports that re-import cleanly, and the upload page's permission and error handling."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from gridgov.audit.models import AuditRecord
from gridgov.orgs import excel
from gridgov.orgs.models import Node, Person, RoleAssignment


def logged_in(client, person):
    client.force_login(person.user)
    return client


def workbook_of(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def upload(client, sheet, workbook_or_bytes, name="upload.xlsx"):
    if not isinstance(workbook_or_bytes, bytes):
        buffer = io.BytesIO()
        workbook_or_bytes.save(buffer)
        workbook_or_bytes = buffer.getvalue()
    file = io.BytesIO(workbook_or_bytes)
    file.name = name
    return client.post(reverse("excel_import"), {"sheet": sheet, "file": file})


@pytest.mark.parametrize("sheet, headers, dropdown", [
    ("tree", ["编码", "名称", "类型", "上级编码"], "网格"),
    ("people", ["姓名", "手机", "身份证号", "地址", "角色", "所属节点编码", "登录名"], "网格员"),
])
def test_template_download_opens_with_headers_dropdown_and_instructions(client, street, sheet, headers, dropdown):
    workbook = workbook_of(logged_in(client, street.community_cadre).get(reverse("excel_template"), {"sheet": sheet}))
    data = workbook[excel.SHEET_TITLES[sheet]]
    assert [cell.value for cell in data[1]] == headers
    assert data.freeze_panes == "A2"
    assert data["A1"].comment is not None
    assert any(dropdown in validation.formula1 for validation in data.data_validations.dataValidation)
    assert data.max_row == 1
    assert excel.INSTRUCTIONS_TITLE in workbook.sheetnames


def test_people_template_lists_the_codes_of_the_cadres_own_area(client, street):
    workbook = workbook_of(logged_in(client, street.community_cadre).get(reverse("excel_template"), {"sheet": "people"}))
    codes = [row[0] for row in workbook[excel.NODES_TITLE].iter_rows(min_row=2, values_only=True)]
    assert codes == ["C01", "G01", "M01", "M02", "G02", "M03"]


def test_tree_export_of_a_street_reimports_after_edits(client, street):
    client = logged_in(client, street.street_cadre)
    workbook = workbook_of(client.get(reverse("excel_export"), {"sheet": "tree"}))
    sheet = workbook[excel.SHEET_TITLES["tree"]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("S01", "浮云街道", "街道", "D01")
    assert ("G03", "白岩第一网格", "网格", "V01") in rows
    assert len(rows) == Node.objects.count() - 1
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "G02":
            row[1].value = "东门第二网格（新）"
    sheet.append(["G04", "白岩第二网格", "网格", "V01"])
    sheet.append(["M04", "白岩二网格微网格1", "微网格", "G04"])
    response = upload(client, "tree", workbook)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 1, len(rows) - 1)
    assert Node.objects.get(code="G02").name == "东门第二网格（新）"
    assert Node.objects.get_parent(Node.objects.get(code="M04")).code == "G04"
    assert "2" in response.content.decode()


def test_people_export_reimports_cleanly_with_a_new_person_and_role(client, street):
    client = logged_in(client, street.street_cadre)
    Person.objects.filter(pk=street.worker_a.pk).update(phone="13900000001", address="东门路1号")
    workbook = workbook_of(client.get(reverse("excel_export"), {"sheet": "people"}))
    sheet = workbook[excel.SHEET_TITLES["people"]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert ("刘网格", "13900000001", None, "东门路1号", "网格员", "G01", "worker_a") in rows
    assert ("吴监察", None, None, None, "纪检监察", "S01", "supervisor") in rows
    sheet.append(["刘网格", "13900000001", None, None, "网格长", "G01", "worker_a"])
    sheet.append(["新居民", "13900000002", "110101199003074573", "白岩村3号", "居民", "G03", None])
    before = Person.objects.count()
    response = upload(client, "people", workbook)
    result = response.context["result"]
    assert result.ok, result.errors
    assert (result.created, result.roles_granted, result.unchanged) == (1, 2, len(rows))
    assert Person.objects.count() == before + 1
    assert RoleAssignment.objects.filter(person=street.worker_a, role="grid_leader").exists()
    again = upload(client, "people", workbook).context["result"]
    assert again.ok and again.created == 0 and again.roles_granted == 0


def test_people_export_masks_phone_and_address_for_a_supervisor(client, street):
    Person.objects.filter(pk=street.worker_a.pk).update(phone="13900000001", address="东门路1号")
    workbook = workbook_of(logged_in(client, street.supervisor).get(reverse("excel_export"), {"sheet": "people"}))
    rows = list(workbook[excel.SHEET_TITLES["people"]].iter_rows(min_row=2, values_only=True))
    assert ("刘网格", "139****0001", None, None, "网格员", "G01", "worker_a") in rows
    assert AuditRecord.objects.filter(action="orgs.export", actor_id=street.supervisor.pk).exists()


def test_export_of_a_given_node_covers_its_subtree_only(client, street):
    workbook = workbook_of(logged_in(client, street.street_cadre).get(reverse("excel_export"), {"sheet": "tree", "node": "G01"}))
    codes = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert codes == ["G01", "M01", "M02"]


def test_community_cadre_cannot_export_the_neighbouring_village(client, street):
    response = logged_in(client, street.community_cadre).get(reverse("excel_export"), {"sheet": "tree", "node": "V01"})
    assert response.status_code == 403
    assert "超出了您的角色或管辖范围" in response.content.decode()


def test_export_of_an_unknown_node_or_sheet_is_a_clear_400(client, street):
    client = logged_in(client, street.street_cadre)
    assert client.get(reverse("excel_export"), {"sheet": "tree", "node": "NOPE"}).status_code == 400
    assert client.get(reverse("excel_export"), {"sheet": "cats"}).status_code == 400
    assert client.get(reverse("excel_template"), {"sheet": "cats"}).status_code == 400


@pytest.mark.parametrize("name", ["excel_import", "excel_template", "excel_export"])
def test_worker_gets_a_403_page_not_a_500(client, street, name):
    response = logged_in(client, street.worker_a).get(reverse(name))
    assert response.status_code == 403
    assert "<p role=\"alert\">" in response.content.decode()


def test_user_without_a_person_gets_403_and_anonymous_goes_to_login(client, db):
    assert client.get(reverse("excel_import")).status_code == 302
    client.force_login(get_user_model().objects.create_user("plain", password="x-pass-1234"))
    assert client.get(reverse("excel_export")).status_code == 403


def test_supervisor_sees_exports_but_may_not_upload(client, street):
    client = logged_in(client, street.supervisor)
    page = client.get(reverse("excel_import"))
    assert page.status_code == 200
    assert reverse("excel_export") in page.content.decode()
    assert upload(client, "tree", b"whatever").status_code == 403


def test_upload_page_lists_each_bad_row_and_writes_nothing(client, street):
    client = logged_in(client, street.community_cadre)
    content = excel.build_workbook("people", [
        {"name": "钱多多", "role": "网格员", "node": "G01", "phone": "12345"},
        {"name": "孙小美", "role": "街道干部", "node": "C01"},
    ])
    before = Person.objects.count()
    response = upload(client, "people", content)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<td>2</td><td>手机</td>" in page and "<td>3</td><td>角色</td>" in page
    assert Person.objects.count() == before


def test_upload_of_a_non_excel_file_shows_the_reason(client, street):
    response = upload(logged_in(client, street.community_cadre), "tree", b"just text", name="tree.txt")
    assert "只能导入 Excel .xlsx" in response.content.decode()


def test_oversized_upload_is_refused_before_reading(client, street, settings):
    settings.IMPORT_MAX_BYTES = 10
    response = upload(logged_in(client, street.community_cadre), "tree", b"x" * 100_000)
    assert response.status_code == 413
    assert "文件超过" in response.content.decode()
    assert Node.objects.filter(code="G10").count() == 0


def test_exports_keep_formula_like_names_as_text_and_reimport_unchanged(client, street):
    from gridgov.testing.spreadsheets import HOSTILE_TEXT, formula_cells, texts

    Node.objects.filter(pk=street.grid_b.pk).update(name=HOSTILE_TEXT)
    Person.objects.filter(pk=street.worker_b.pk).update(name="@SUM(1+1)*cmd|' /C calc'!A0", address="-2+3",
                                                        phone="13900000003")
    client = logged_in(client, street.street_cadre)
    for sheet in ["tree", "people"]:
        response = client.get(reverse("excel_export"), {"sheet": sheet})
        assert formula_cells(response.content) == [], sheet
        assert {HOSTILE_TEXT, "@SUM(1+1)*cmd|' /C calc'!A0"} & texts(response.content), sheet
        result = upload(client, sheet, response.content).context["result"]
        assert result.ok, result.errors
        assert result.created == result.updated == getattr(result, "roles_granted", 0) == 0, sheet
    assert Node.objects.get(pk=street.grid_b.pk).name == HOSTILE_TEXT
    street.worker_b.refresh_from_db()
    assert (street.worker_b.name, street.worker_b.address) == ("@SUM(1+1)*cmd|' /C calc'!A0", "-2+3")
