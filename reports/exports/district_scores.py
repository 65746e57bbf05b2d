"""全区部门自评得分表: every department's score and grade in one year, for the finance bureau (openpyxl)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from departments.models import Department
from reports.annual import scoring
from reports.annual.kinds.indicators import LEVEL1
from reports.annual.selectors import report_status, with_status
from reports.models import Report
from reports.rectification.selectors import application_summary, applications_for

from .base import BuildResult, Progress, changed_at
from .xlsx import (
    CENTER,
    HEADER_FILL,
    LEFT,
    RATE,
    RIGHT,
    SCORE,
    cell,
    grade_fill,
    merge,
    print_setup,
    workbook_save,
)

FIRST_ROW = 4  # title, subtitle, blank, header


def _reports(year: int, departments: list[Department]) -> dict[int, Report]:
    """Each department's report of the year (its latest cycle, should a year have several)."""
    reports = (
        with_status(Report.objects.filter(cycle__year=year, department__in=departments))
        .select_related("template", "department")
        .order_by("department_id", "cycle_id")
    )
    return {r.department_id: r for r in reports}


def _columns(scores: dict[int, scoring.ReportScore]) -> list[str]:
    names = dict.fromkeys(LEVEL1)
    for score in scores.values():
        names.update(dict.fromkeys(g.name for g in score.groups))
    return list(names)


def _title(ws: Worksheet, year: int, header: list[str]) -> None:
    merge(ws, 1, 1, len(header), f"{year}年度全区部门整体支出绩效自评得分表", bold=True, size=16, border=False)
    ws.row_dimensions[1].height = 30
    merge(ws, 2, 1, len(header), "单位：分；预算执行率 = 全年执行数 / 全年预算数；等级：90（含）以上优，80（含）–90 良，"
                                 "60（含）–80 中，60 以下差", size=9, border=False, align=LEFT)
    for column, label in enumerate(header, start=1):
        cell(ws, FIRST_ROW, column, label, bold=True, fill=HEADER_FILL)
    ws.row_dimensions[FIRST_ROW].height = 24


def _department_row(ws: Worksheet, row: int, report: Report, score: scoring.ReportScore, groups: list[str]) -> None:
    cell(ws, row, 3, score.execution_rate, fmt=RATE, align=RIGHT)
    cell(ws, row, 4, score.budget_score, fmt=SCORE, align=RIGHT)
    for column, name in enumerate(groups, start=5):
        group = score.group(name)
        cell(ws, row, column, group.score if group else None, fmt=SCORE, align=RIGHT)
    total = 5 + len(groups)
    cell(ws, row, total, score.total, fmt=SCORE, align=RIGHT, bold=True)
    cell(ws, row, total + 1, score.grade, bold=True,
         fill=grade_fill(score.grade))
    status = report_status(report)
    cell(ws, row, total + 2, f"{status.approved}/{status.total} 已审定" + ("（定稿）" if status.is_final else ""),
         align=CENTER)


def _revisions(department: Department, score: scoring.ReportScore) -> list[dict[str, Any]]:
    return [
        {"department": department.name, "section": s.pk, "title": f"{department.name}「{s.node.title}」",
         "revision": s.version, "state": s.state, "state_label": s.get_state_display()}
        for s in (score.budget_section, score.indicator_section) if s is not None
    ]


def _rows(ws: Worksheet, departments: list[Department], reports: dict[int, Report],
          scores: dict[int, scoring.ReportScore], groups: list[str], columns: int, applications: dict[int, Any]
          ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """A row per department; the revisions used and the count per grade."""
    revisions: list[dict[str, Any]] = []
    grades = dict.fromkeys((label for label, _ in scoring.DEFAULT_GRADES), 0)
    for i, department in enumerate(departments, start=1):
        row, report = FIRST_ROW + i, reports.get(department.pk)
        cell(ws, row, 1, i)
        cell(ws, row, 2, department.name, align=LEFT)
        cell(ws, row, columns, application_summary(applications.get(department.pk)), align=LEFT)
        if report is None:
            for column in range(3, columns - 1):
                cell(ws, row, column, "—")
            cell(ws, row, columns - 1, "无本年度报告")
            continue
        score = scores[report.pk]
        grades[score.grade] = grades.get(score.grade, 0) + 1
        _department_row(ws, row, report, score, groups)
        revisions += _revisions(department, score)
    return revisions, grades


def build(params: dict[str, Any], out: Path, progress: Progress) -> BuildResult:
    year = int(params.get("year") or 0)
    departments = list(Department.objects.filter(pk__in=params.get("department_ids") or []).order_by("order", "code"))
    reports = _reports(year, departments)
    scores = scoring.reports_scores(list(reports.values()))
    groups = _columns(scores)
    progress(40)
    header = ["序号", "部门", "预算执行率", "执行得分", *groups, "总分", "等级", "报告状态", "结果应用"]
    applications = applications_for(year, [d.pk for d in departments])
    wb = Workbook()
    ws = wb.active
    ws.title = "自评得分"
    for column, width in enumerate([6, 36, 12, 10, *([10] * len(groups)), 10, 8, 22, 30], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    _title(ws, year, header)
    revisions, grades = _rows(ws, departments, reports, scores, groups, len(header), applications)
    last = FIRST_ROW + len(departments)
    spread = "，".join(f"{grade} {n} 个" for grade, n in grades.items())
    merge(ws, last + 1, 1, len(header), f"共 {len(departments)} 个部门，{len(reports)} 个有本年度报告；等级分布：{spread}。",
          align=LEFT, size=10)
    ws.freeze_panes = ws.cell(row=FIRST_ROW + 1, column=3)
    ws.auto_filter.ref = f"A{FIRST_ROW}:{get_column_letter(len(header))}{max(last, FIRST_ROW + 1)}"
    print_setup(ws, f"{FIRST_ROW}:{FIRST_ROW}")
    progress(80)
    # Without any report the file still needs a fixed date: 1 January after the year.
    stamp = changed_at(list(reports.values())) or timezone.make_aware(datetime(max(year, 1999) + 1, 1, 1))
    workbook_save(wb, out, created=stamp, modified=stamp)
    progress(100)
    return BuildResult(filename=f"{year}年度全区部门整体支出绩效自评得分表.xlsx", revisions=revisions,
                       department_ids=[d.pk for d in departments])
