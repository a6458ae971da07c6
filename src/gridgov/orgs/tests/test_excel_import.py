"""Importing the tree and people from Excel: every bad row is reported with its number, nothing is half-written."""

import io

import pytest
from openpyxl import Workbook

from gridgov.audit.models import AuditRecord
from gridgov.errors import PermissionDenied
from gridgov.orgs import excel, imports
from gridgov.orgs.models import Node, Person, Role, RoleAssignment


def xlsx(sheet, rows, name="import.xlsx"):
    file = io.BytesIO(excel.build_workbook(sheet, rows))
    file.name = name
    return file


def raw_xlsx(header, *rows, name="import.xlsx"):
    """A workbook written cell by cell, for odd cell types the template would not produce."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    file = io.BytesIO()
    workbook.save(file)
    file.seek(0)
    file.name = name
    return file


def tree_row(code, name, kind, parent):
    return {"code": code, "name": name, "kind": kind, "parent": parent}


def person_row(name, role, node, phone="", id_number="", login="", address=""):
    return {"name": name, "phone": phone, "id_number": id_number, "address": address, "role": role, "node": node,
            "login": login}


def counts():
    return Node.objects.count(), Person.objects.count(), RoleAssignment.objects.count()


def only_error(result):
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- the tree ---------------------------------------------------------------------------------------------


def test_tree_import_creates_nodes_under_existing_and_earlier_rows(street):
    result = imports.import_tree(actor=street.community_cadre, file=xlsx(excel.TREE, [
        tree_row("G10", "东门第三网格", "网格", "C01"),
        tree_row("M10", "东门三网格微网格1", "micro_grid", "G10"),
        tree_row("M11", "东门三网格微网格2", "Micro-grid", "G10"),
    ]))
    assert result.ok, result.errors
    assert result.created == 3
    grid = Node.objects.get(code="G10")
    assert Node.objects.get_parent(grid) == street.community
    assert [child.code for child in Node.objects.get_children(grid)] == ["M10", "M11"]
    assert grid.numchild == 2
    assert all(not problems for problems in Node.objects.find_problems())


def test_new_code_sorting_before_existing_siblings_keeps_the_tree_sound(street):
    result = imports.import_tree(actor=street.street_cadre, file=xlsx(excel.TREE, [
        tree_row("A01", "东门新网格", "网格", "C01"),
        tree_row("A02", "东门新网格微网格", "微网格", "A01"),
    ]))
    assert result.ok, result.errors
    assert [child.code for child in Node.objects.get_children(Node.objects.get(code="C01"))] == ["A01", "G01", "G02"]
    assert Node.objects.get_parent(Node.objects.get(code="A02")).code == "A01"
    assert Node.objects.get_parent(Node.objects.get(code="M01")).code == "G01"
    assert all(not problems for problems in Node.objects.find_problems())


@pytest.mark.parametrize("rows, bad_row, column, fragment", [
    ([tree_row("G10", "新网格", "网格", "")], 2, "上级编码", "缺少上级编码"),
    ([tree_row("G10", "新网格", "网格", "NOPE")], 2, "上级编码", "既不在系统中，也不在前面的行中"),
    ([tree_row("M10", "微网格", "微网格", "G10"), tree_row("G10", "新网格", "网格", "C01")], 2, "上级编码",
     "既不在系统中，也不在前面的行中"),
    ([tree_row("G10", "新网格", "网格", "C01"), tree_row("G10", "又一个", "网格", "C01")], 3, "编码",
     "已在第 4 行出现"),
    ([tree_row("G03", "白岩第一网格", "网格", "C01")], 2, "编码", "导入不能移动节点"),
    ([tree_row("G10", "新网格", "小区", "C01")], 2, "类型", "未知类型"),
    ([tree_row("G10", "新网格", "", "C01")], 2, "类型", "缺少类型"),
    ([tree_row("X10", "新街道", "街道", "C01")], 2, "类型", "不能设在"),
    ([tree_row("G10", "", "网格", "C01")], 2, "名称", "缺少名称"),
    ([tree_row("G10", "白岩新网格", "网格", "V01")], 2, "上级编码", "不在您的管辖范围内"),
])
def test_bad_tree_row_is_reported_and_nothing_is_written(street, rows, bad_row, column, fragment):
    good = [tree_row("G20", "东门好网格", "网格", "C01"), tree_row("M20", "好微网格", "微网格", "G20")]
    before = counts()
    result = imports.import_tree(actor=street.community_cadre, file=xlsx(excel.TREE, good + rows))
    error = only_error(result)
    assert error.row == bad_row + 2
    assert error.column == column
    assert fragment in error.message
    assert counts() == before
    assert not Node.objects.filter(code__in=["G20", "M20", "G10", "M10", "X10"]).exists()


def test_child_of_a_bad_row_is_reported_against_its_parent_row(street):
    result = imports.import_tree(actor=street.community_cadre, file=xlsx(excel.TREE, [
        tree_row("G10", "新网格", "小区", "C01"), tree_row("M10", "微网格", "微网格", "G10"),
    ]))
    assert [(error.row, "上级所在的第 2 行" in error.message) for error in result.errors] == [(2, False), (3, True)]


def test_community_cadre_cannot_import_nodes_under_the_neighbouring_village(street):
    result = imports.import_tree(actor=street.community_cadre, file=xlsx(excel.TREE, [
        tree_row("G30", "白岩第二网格", "网格", "V01"),
    ]))
    assert "不在您的管辖范围内" in only_error(result).message
    assert not Node.objects.filter(code="G30").exists()
    assert AuditRecord.objects.filter(action="orgs.import", outcome="denied", actor_id=street.community_cadre.pk).exists()


def test_same_code_same_place_is_kept_and_a_new_name_renames(street):
    result = imports.import_tree(actor=street.community_cadre, file=xlsx(excel.TREE, [
        tree_row("G01", "东门第一网格", "网格", "C01"), tree_row("G02", "东门二网格（改名）", "网格", "C01"),
    ]))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Node.objects.get(code="G02").name == "东门二网格（改名）"
    assert AuditRecord.objects.filter(action="node.update", object_id=str(street.grid_b.pk)).exists()


def test_successful_tree_import_is_audited_per_node_and_as_a_whole(street):
    imports.import_tree(actor=street.community_cadre, file=xlsx(excel.TREE, [
        tree_row("G10", "东门第三网格", "网格", "C01"), tree_row("M10", "微网格", "微网格", "G10"),
    ]))
    created = AuditRecord.objects.filter(action="node.create", actor_id=street.community_cadre.pk)
    assert sorted(created.values_list("object_repr", flat=True)) == ["东门第三网格（G10）", "微网格（M10）"]
    assert set(created.values_list("actor_role", flat=True)) == {Role.COMMUNITY_CADRE}
    summary = AuditRecord.objects.get(action="orgs.import", outcome="done")
    assert summary.after["created"] == 2
    assert summary.node_id == street.community.pk


def test_numbers_typed_as_numbers_become_codes(street):
    file = raw_xlsx(["编码", "名称", "类型", "上级编码"], [1001, "数字网格", "网格", "C01"], [1002.0, "数字微网格", "微网格", 1001])
    result = imports.import_tree(actor=street.community_cadre, file=file)
    assert result.ok, result.errors
    assert Node.objects.get_parent(Node.objects.get(code="1002")).code == "1001"


def test_english_headers_are_accepted(street):
    file = raw_xlsx(["code", "name", "kind", "parent code"], ["G10", "新网格", "grid", "C01"])
    assert imports.import_tree(actor=street.community_cadre, file=file).ok


def test_formula_without_a_value_counts_as_empty(street):
    file = raw_xlsx(["编码", "名称", "类型", "上级编码"], ["G10", "=A1", "网格", "C01"])
    assert "缺少名称" in only_error(imports.import_tree(actor=street.community_cadre, file=file)).message


def test_a_failure_while_writing_rolls_back_every_row(street, monkeypatch):
    from django.db import IntegrityError

    from gridgov.orgs import import_writes

    def create_then_fail(actor, entries):
        import_writes.create_nodes(actor, entries)
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(imports, "create_nodes", create_then_fail)
    before = counts()
    result = imports.import_tree(actor=street.community_cadre, file=xlsx(excel.TREE, [
        tree_row("G10", "东门第三网格", "网格", "C01"), tree_row("G02", "东门二网格（改名）", "网格", "C01")]))
    assert "本次未导入任何内容" in only_error(result).message
    assert counts() == before
    assert Node.objects.get(code="G02").name == "东门第二网格"
    assert not AuditRecord.objects.filter(actor_id=street.community_cadre.pk, outcome="done").exists()


def test_worker_may_not_import_at_all(street):
    with pytest.raises(PermissionDenied):
        imports.import_tree(actor=street.worker_a, file=xlsx(excel.TREE, [tree_row("M10", "x", "微网格", "G01")]))


# --- the file as a whole ----------------------------------------------------------------------------------


def named(content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.mark.parametrize("file, fragment", [
    (lambda: named(b"code,name\nG1,x\n", "tree.csv"), "只能导入 Excel .xlsx"),
    (lambda: named(b"code,name\nG1,x\n", "tree.xlsx"), "不是 zip 压缩包"),
    (lambda: named(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "tree.xls"), "旧版 .xls"),
    (lambda: named(b"", "tree.xlsx"), "文件为空"),
    (lambda: named(b"PK\x03\x04" + b"garbage" * 50, "tree.xlsx"), "已损坏"),
    (lambda: raw_xlsx(["编码", "名称", "类型", "上级编码"]), "没有数据行"),
    (lambda: raw_xlsx([]), "工作簿为空"),
    (lambda: raw_xlsx(["姓名", "手机"], ["张三", "13800000000"]), "缺少以下列"),
])
def test_unusable_file_gets_a_clear_message_and_writes_nothing(street, file, fragment):
    before = counts()
    error = only_error(imports.import_tree(actor=street.street_cadre, file=file()))
    assert error.row is None
    assert fragment in error.message
    assert counts() == before


def test_zip_that_is_not_a_workbook_is_refused(street):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    error = only_error(imports.import_tree(actor=street.street_cadre, file=named(buffer.getvalue(), "x.xlsx")))
    assert "不是 Excel 工作簿" in error.message


def test_oversized_file_is_refused_before_parsing(street, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 1000
    monkeypatch.setattr("gridgov.orgs.excel.load_workbook", lambda *a, **k: pytest.fail("parsed"))
    error = only_error(imports.import_tree(actor=street.street_cadre, file=xlsx(excel.TREE, [tree_row("G10", "x", "网格", "C01")])))
    assert "不予接收" in error.message


def test_too_many_rows_are_refused(street, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 3)
    rows = [tree_row(f"G1{i}", "网格", "网格", "C01") for i in range(4)]
    error = only_error(imports.import_tree(actor=street.street_cadre, file=xlsx(excel.TREE, rows)))
    assert "超过 3 行" in error.message
    assert not Node.objects.filter(code="G10").exists()


# --- people -----------------------------------------------------------------------------------------------

ID_A = "110101199003074573"
ID_B = "11010119900307803X"


def test_people_import_groups_rows_into_people_and_grants_every_role(street):
    result = imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, [
        person_row("钱多多", "网格员", "G01", phone="13900000001", id_number=ID_A, login="qianduoduo"),
        person_row("钱多多", "网格长", "G02", id_number=ID_A),
        person_row("孙小美", "居民", "M01", phone="139 0000 0002", address="东门路1号"),
        person_row("孙小美", "网格员", "G01", phone="13900000002"),
        person_row("钱多多", "居民", "M03", phone="13900000001"),
    ]))
    assert result.ok, result.errors
    assert (result.created, result.roles_granted) == (2, 5)
    qian = Person.objects.get(name="钱多多")
    assert qian.user.username == "qianduoduo"
    assert not qian.user.has_usable_password()
    assert qian.id_number_tail == "4573"
    assert sorted(qian.roles.values_list("role", "node__code")) == [
        ("grid_leader", "G02"), ("grid_worker", "G01"), ("resident", "M03")]
    sun = Person.objects.get(name="孙小美")
    assert (sun.phone, sun.address, sun.roles.count()) == ("13900000002", "东门路1号", 2)


def test_successful_people_import_is_audited(street):
    imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, [
        person_row("钱多多", "网格员", "G01", phone="13900000001"), person_row("钱多多", "居民", "M01", phone="13900000001"),
    ]))
    person = Person.objects.get(name="钱多多")
    records = AuditRecord.objects.filter(actor_id=street.community_cadre.pk, object_id=str(person.pk))
    assert sorted(records.values_list("action", flat=True)) == ["person.create", "role.grant", "role.grant"]
    assert AuditRecord.objects.get(action="orgs.import", outcome="done").after["roles_granted"] == 2


def test_phone_read_as_a_float_is_the_phone(street):
    file = raw_xlsx(["姓名", "手机", "角色", "所属节点编码"], ["钱多多", 13800000000.0, "网格员", "G01"])
    assert imports.import_people(actor=street.community_cadre, file=file).ok
    assert Person.objects.get(name="钱多多").phone == "13800000000"


def test_id_number_typed_as_a_number_is_refused(street):
    file = raw_xlsx(["姓名", "身份证号", "角色", "所属节点编码"], ["钱多多", 110101199003074573, "网格员", "G01"])
    assert "丢掉了末几位" in only_error(imports.import_people(actor=street.community_cadre, file=file)).message


@pytest.mark.parametrize("rows, bad_row, column, fragment", [
    ([person_row("钱多多", "网格员", "G01", phone="1380000")], 3, "手机", "不是大陆手机号码"),
    ([person_row("钱多多", "队长", "G01")], 3, "角色", "未知角色"),
    ([person_row("钱多多", "", "G01")], 3, "角色", "缺少角色"),
    ([person_row("", "网格员", "G01")], 3, "姓名", "缺少名称"),
    ([person_row("钱多多", "网格员", "NOPE")], 3, "所属节点编码", "没有编码为 NOPE 的节点"),
    ([person_row("钱多多", "网格员", "G03")], 3, "所属节点编码", "不在您的管辖范围内"),
    ([person_row("钱多多", "街道干部", "C01")], 3, "角色", "您无权在 C01 赋予"),
    ([person_row("钱多多", "网格员", "G01", login="worker_b")], 3, "登录名", "已被占用"),
    ([person_row("钱多多", "网格员", "G01", login="bad login!")], 3, "登录名", "登录名只能包含"),
    ([person_row("钱多多", "网格员", "G01", id_number="110101199003074579")], 3, "身份证号", "不是有效的居民身份证号"),
    ([person_row("钱多多", "网格员", "G01", id_number=ID_A), person_row("李四", "居民", "M01", id_number=ID_A)],
     4, "身份证号", "已在第 3 行用于另一人"),
])
def test_bad_people_row_is_reported_and_nothing_is_written(street, rows, bad_row, column, fragment):
    good = [person_row("好人", "居民", "M01", phone="13900000009")]
    before = counts()
    result = imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, good + rows))
    error = only_error(result)
    assert (error.row, error.column) == (bad_row, column)
    assert fragment in error.message
    assert counts() == before
    assert not Person.objects.filter(name__in=["好人", "钱多多"]).exists()


def test_id_number_registered_to_someone_else_is_a_duplicate(street):
    imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, [
        person_row("钱多多", "居民", "M01", id_number=ID_B)]))
    before = counts()
    result = imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, [
        person_row("李四", "居民", "M01", id_number=ID_B)]))
    assert "已登记在另一姓名的人员名下" in only_error(result).message
    assert counts() == before


def test_person_already_registered_only_gains_missing_roles(street):
    result = imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, [
        person_row("刘网格", "网格员", "G01", login="worker_a"), person_row("刘网格", "网格长", "G01", login="worker_a"),
    ]))
    assert result.ok, result.errors
    assert (result.created, result.matched, result.unchanged, result.roles_granted) == (0, 1, 1, 1)
    assert sorted(street.worker_a.roles.values_list("role", flat=True)) == ["grid_leader", "grid_worker"]


def test_person_whose_import_gives_a_deeper_role_has_the_points_account_moved_there(street):
    from gridgov.ledger.services import account_for_person

    account = account_for_person(street.worker_a)
    assert account.node == street.grid_a
    result = imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, [
        person_row("刘网格", "居民", "M02", login="worker_a")]))
    assert result.ok, result.errors
    account.refresh_from_db()
    assert account.node == street.micro_a2


def test_community_cadre_cannot_grant_street_cadre(street):
    result = imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, [
        person_row("钱多多", "街道干部", "C01", phone="13900000001")]))
    assert "赋予“街道干部”角色" in only_error(result).message
    assert not Person.objects.filter(name="钱多多").exists()
    refused = AuditRecord.objects.get(action="orgs.import", outcome="denied")
    assert refused.actor_id == street.community_cadre.pk


def test_a_plain_data_mistake_is_not_recorded_as_a_refusal(street):
    imports.import_people(actor=street.community_cadre, file=xlsx(excel.PEOPLE, [
        person_row("钱多多", "网格员", "G01", phone="123")]))
    assert not AuditRecord.objects.filter(action="orgs.import").exists()


def test_large_import_takes_a_fixed_number_of_queries_not_one_per_row(street, django_assert_max_num_queries):
    """1,000 rows take about a second (SQLite) because the writes are batched; counting queries keeps the
    test independent of machine speed."""
    tree = [tree_row("B0000", "测试网格", "网格", "C01")]
    tree += [tree_row(f"B{i:04d}", f"微网格{i}", "微网格", "B0000") for i in range(1, 600)]
    people = [person_row(f"张{i}", "网格员", f"B{i:04d}", phone=f"138{i:08d}", login=f"u{i}") for i in range(600)]
    tree_file, people_file = xlsx(excel.TREE, tree), xlsx(excel.PEOPLE, people)
    with django_assert_max_num_queries(200):  # one per row would be >2,400; SQLite batches ~60 rows an INSERT
        assert imports.import_tree(actor=street.street_cadre, file=tree_file).created == 600
        assert imports.import_people(actor=street.street_cadre, file=people_file).roles_granted == 600
    assert AuditRecord.objects.filter(action="node.create", actor_id=street.street_cadre.pk).count() == 600
    assert AuditRecord.objects.filter(action="role.grant", actor_id=street.street_cadre.pk).count() == 600
    assert all(not problems for problems in Node.objects.find_problems())
