"""The people file (账号, 姓名, 单位编码, 角色, 组长): refusals by row and column, all or nothing,
idempotent, scoped to the importer, as a command and through the preview → confirm pages."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from departments.accounts import must_change_password
from departments.importing import ImportRejected
from departments.models import AuditEntry, ImportPreview, Membership, Role
from departments.people import people_import
from departments.tabular import TableRow

pytestmark = pytest.mark.django_db
HEADER = ("账号", "姓名", "单位编码", "角色", "组长")


def rows(*lines: tuple[str, ...]) -> list[TableRow]:
    return [TableRow(n, tuple(cells)) for n, cells in enumerate([HEADER, *lines], start=1)]


def csv_bytes(*lines: tuple[str, ...]) -> bytes:
    return "\n".join(",".join(cells) for cells in [HEADER, *lines]).encode("utf-8")


def refusals(actor, *lines) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as exc:
        people_import(rows=rows(*lines), actor=actor)
    return [(e.row, e.column, e.message) for e in exc.value.errors]


GOOD = [
    ("jtj_clerk", "李雪", "CG-JTJ-N02", "填报员", "否"),
    ("jtj_coord", "何平", "CG-JTJ", "联络员", ""),
    ("jtj_lead", "方正", "CG-JTJ", "领导小组成员", "是"),
    ("jtj_lead", "方正", "CG-JTJ-N01", "查阅", "否"),
    ("jtj_fin", "钟文", "CG-JTJ", "财政局审核员", "否"),
]


def test_it_refuses_each_bad_row_by_row_and_column(demo, finance_admin):
    found = refusals(
        finance_admin,
        ("ok_user", "甲", "CG-JTJ-N01", "填报员", "否"),
        ("nounit", "乙", "CG-NOPE", "填报员", "否"),  # unknown unit code
        ("norole", "丙", "CG-JTJ", "局长", "否"),  # unknown role
        ("ok_user", "丁", "CG-JTJ-N02", "填报员", "否"),  # same account, another name
        ("ok_user", "甲", "CG-JTJ-N01", "填报员", "否"),  # same account, unit and role again
        ("flagged", "戊", "CG-JTJ-N01", "填报员", "是"),  # 组长 on a non-leader
        ("bad name!", "己", "CG-JTJ", "查阅", "也许"),
    )
    assert [(r, c) for r, c, _ in found] == [
        (3, "单位编码"), (4, "角色"), (5, "账号"), (6, "账号"), (7, "组长"), (8, "账号"), (8, "组长"),
    ]
    messages = dict(((r, c), m) for r, c, m in found)
    assert "找不到编码为「CG-NOPE」的单位" in messages[(3, "单位编码")]
    assert "「局长」不是有效角色" in messages[(4, "角色")]
    assert "第 2 行的姓名是「甲」" in messages[(5, "账号")]
    assert "第 2 行已给同一单位同一角色" in messages[(6, "账号")]
    assert "只有领导小组成员可以是组长" in messages[(7, "组长")]
    assert not get_user_model().objects.filter(username="ok_user").exists()  # nothing written


def test_it_reports_a_missing_column(demo, finance_admin):
    with pytest.raises(ImportRejected) as exc:
        people_import(rows=[TableRow(1, ("账号", "姓名", "角色"))], actor=finance_admin)
    assert [(e.row, e.column) for e in exc.value.errors] == [(1, "单位编码")]


def test_import_creates_accounts_and_roles_once(demo, finance_admin):
    result = people_import(rows=rows(*GOOD), actor=finance_admin)
    assert sorted(result.created) == ["jtj_clerk", "jtj_coord", "jtj_fin", "jtj_lead"]
    assert len(result.granted) == 5 and set(result.passwords) == set(result.created)
    lead = get_user_model().objects.get(username="jtj_lead")
    assert lead.get_full_name() == "方正" and must_change_password(lead)
    assert lead.check_password(result.passwords["jtj_lead"])
    assert Membership.objects.get(user=lead, unit__code="CG-JTJ").is_group_leader
    assert Membership.objects.filter(user__username="jtj_fin", role=Role.FINANCE_REVIEWER, unit__code="CG-JTJ").exists()
    grants = AuditEntry.objects.filter(action="membership.grant", actor=finance_admin).count()
    assert grants == 5 and AuditEntry.objects.filter(action="person.create").count() == 4

    again = people_import(rows=rows(*GOOD), actor=finance_admin)
    assert (again.created, again.granted, again.unchanged) == ([], [], 5)
    assert AuditEntry.objects.filter(action="membership.grant", actor=finance_admin).count() == grants


def test_a_second_run_changes_a_group_leader_flag_only(demo, finance_admin):
    people_import(rows=rows(*GOOD), actor=finance_admin)
    changed = [*GOOD[:2], ("jtj_lead", "方正", "CG-JTJ", "领导小组成员", "否"), *GOOD[3:]]
    result = people_import(rows=rows(*changed), actor=finance_admin)
    assert result.granted == ["jtj_lead · 呈贡区教育体育局（演示） · 领导小组成员"] and result.unchanged == 4
    assert not Membership.objects.get(user__username="jtj_lead", unit__code="CG-JTJ").is_group_leader


def test_a_coordinator_imports_into_their_own_department_only(demo, coordinator):
    found = refusals(
        coordinator,
        ("gafj_new", "新人", "CG-GAFJ-P02", "填报员", "否"),
        ("jtj_new", "外人", "CG-JTJ-N01", "填报员", "否"),  # another department
        ("fin_new", "审核", "CG-GAFJ", "财政局审核员", "否"),  # a finance role
        ("other_clerk", "孙丽", "CG-GAFJ-P02", "查阅", "否"),  # another department's person
    )
    assert [(r, c) for r, c, _ in found] == [(3, "单位编码"), (4, "角色"), (5, "账号")]
    assert "不在您负责的范围内" in found[0][2] and "属于其他部门" in found[2][2]
    result = people_import(rows=rows(("gafj_new", "新人", "CG-GAFJ-P02", "填报员", "否")), actor=coordinator)
    assert result.created == ["gafj_new"]


def test_nobody_imports_a_reviewing_role_for_themselves(demo, finance_admin):
    found = refusals(finance_admin, ("fin_admin", "刘洋", "CG-JTJ", "财政局审核员", "否"))
    assert found[0][:2] == (2, "角色") and "职责分离" in found[0][2]


def test_the_command_is_all_or_nothing_and_idempotent(demo, tmp_path):
    bad = tmp_path / "people.csv"
    bad.write_bytes(csv_bytes(*GOOD, ("x_user", "某", "CG-NOPE", "填报员", "否")))
    with pytest.raises(CommandError) as exc:
        call_command("import_people", str(bad))
    assert "第 7 行「单位编码」列：找不到编码为「CG-NOPE」的单位" in str(exc.value)
    assert not get_user_model().objects.filter(username__startswith="jtj_").exists()

    book = openpyxl.Workbook()
    sheet = book.active
    for line in [HEADER, *GOOD]:
        sheet.append(list(line))
    good = tmp_path / "people.xlsx"
    book.save(good)
    out = io.StringIO()
    call_command("import_people", str(good), stdout=out)
    assert "新建 4 个账号" in out.getvalue() and "jtj_clerk\t" in out.getvalue()
    out = io.StringIO()
    call_command("import_people", str(good), stdout=out)
    assert "新建 0 个账号，新授予或变更 0 项角色，5 项角色未变" in out.getvalue()


def test_upload_previews_then_confirms(client, demo, finance_admin):
    client.force_login(finance_admin)
    upload = SimpleUploadedFile("people.csv", csv_bytes(*GOOD), content_type="text/csv")
    page = client.post(reverse("people_upload"), {"file": upload})
    assert page.status_code == 200 and "新建 4 个账号" in page.content.decode()
    assert not get_user_model().objects.filter(username="jtj_clerk").exists()  # a dry run
    preview = ImportPreview.objects.get(user=finance_admin)
    done = client.post(reverse("people_upload_confirm"), {"preview": preview.pk})
    assert done.status_code == 200 and "初始密码" in done.content.decode()
    assert get_user_model().objects.filter(username="jtj_clerk").exists()
    assert not ImportPreview.objects.exists()


def test_upload_shows_the_refusals_and_writes_nothing(client, demo, finance_admin):
    client.force_login(finance_admin)
    upload = SimpleUploadedFile("people.csv", csv_bytes(("a1", "甲", "CG-JTJ", "局长", "否")), content_type="text/csv")
    page = client.post(reverse("people_upload"), {"file": upload})
    text = page.content.decode()
    assert page.status_code == 400 and "第 2 行" in text and "「局长」不是有效角色" in text
    assert not ImportPreview.objects.exists()
