"""The 整改台账 workbook: built by the export job and by the command, one row per item, no formulas."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import Department
from reports.exports.services import export_job_run
from reports.models import ExportJob, ExportKind
from reports.rectification import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(demo_report_loaded, finance_reviewer):
    police = Department.objects.get(code="CG-GAFJ")
    station = Department.objects.get(code="CG-GAFJ-P01")
    made = []
    for problem, due in (("=HYPERLINK(\"http://x\",\"点我\")", date(2022, 1, 1)), ("+1 公务卡", date(2099, 1, 1)),
                         ("@SUM(A1) 资产", date(2099, 1, 1)), ("-5 结余", date(2099, 1, 1))):
        made.append(services.item_raise_directly(department=police, year=2021, unit=station, problem=problem,
                                                 due_on=due, actor=finance_reviewer))
    return made


def _sheet(path: Path):
    return load_workbook(path).active


def test_the_command_writes_one_row_per_item_with_totals_and_no_formula(items, tmp_path):
    out = tmp_path / "ledger.xlsx"
    call_command("export_rectification", "--year", "2021", "--department", "CG-GAFJ", "--out", str(out))
    ws = _sheet(out)
    assert [c.value for c in ws[4]][:5] == ["序号", "部门", "责任单位", "问题", "来源"]
    rows = list(ws.iter_rows(min_row=5, max_row=8))
    problems = [r[3] for r in rows]
    assert [c.value for c in problems] == [i.problem for i in items]
    assert all(c.data_type == "s" for c in problems)
    assert problems[0].quotePrefix and problems[1].quotePrefix
    assert rows[0][10].value == "是" and rows[1][10].value is None  # overdue
    assert ws.cell(9, 1).value.startswith("合计 4 项：整改中 4 项")
    assert "逾期 1 项" in ws.cell(9, 1).value


def test_the_command_names_bad_input(items, tmp_path):
    with pytest.raises(CommandError, match="找不到编码为「NOPE」"):
        call_command("export_rectification", "--year", "2021", "--department", "NOPE", "--out", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match=".xlsx"):
        call_command("export_rectification", "--year", "2021", "--out", str(tmp_path / "x.csv"))


def test_the_ledger_button_builds_the_same_file_as_an_export_job(items, client, finance_reviewer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    police = Department.objects.get(code="CG-GAFJ")
    client.force_login(finance_reviewer)
    response = client.post(reverse("reports:export_request"),
                           {"kind": "rectification_ledger", "year": "2021", "department": police.pk})
    job = ExportJob.objects.get(kind=ExportKind.RECTIFICATION_LEDGER)
    assert response.status_code == 302 and job.params == {"year": 2021, "department_ids": [police.pk]}
    job = export_job_run(job.pk)
    assert job.filename == "2021年度昆明市公安局呈贡分局问题整改台账.xlsx"
    call_command("export_rectification", "--year", "2021", "--department", "CG-GAFJ", "--out", str(tmp_path / "c.xlsx"))
    assert Path(job.file.path).read_bytes() == (tmp_path / "c.xlsx").read_bytes()
