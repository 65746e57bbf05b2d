"""The 部门整体支出绩效自评表 of one report (openpyxl), laid out like the official form.

Funds block 项目资金（万元）: 年初预算数 | 全年预算数（A） | 全年执行数（B） | 分值 | 执行率（B/A） | 得分;
indicator block 一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施,
with group subtotals, the total and the grade. Figures are written as values (not formulas),
computed by reports.scoring, so what the form shows is what the platform scored.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports import figures as fig
from reports.annual import scoring, selectors
from reports.models import Report, Section

from .base import BuildResult, Progress, changed_at
from .selectors import report_load
from .xlsx import (
    CENTER,
    HEADER_FILL,
    LEFT,
    MONEY,
    RATE,
    RIGHT,
    SCORE,
    TOTAL_FILL,
    cell,
    fit_height,
    merge,
    print_setup,
    workbook_save,
)

COLUMNS = 10
WIDTHS = (11, 13, 30, 14, 14, 14, 13, 13, 10, 42)  # A … J


def number_or_text(text: str) -> Decimal | str:
    """Indicator values: numbers as numbers (so they sort and sum), anything else as typed."""
    try:
        value = fig.parse_decimal(str(text or "").rstrip("%％"))
    except fig.FigureError:
        return text or ""
    return text or "" if value is None else value


def wan(yuan: Decimal | None) -> Decimal | None:
    """Exact 万元 (the cell format rounds for display only)."""
    return None if yuan is None else yuan / fig.TEN_THOUSAND


# --- the form ------------------------------------------------------------------------------------------

def _header(ws: Worksheet, report: Report, approved: int, total: int) -> int:
    merge(ws, 1, 1, COLUMNS, "部门整体支出绩效自评表", bold=True, size=18, border=False)
    ws.row_dimensions[1].height = 34
    merge(ws, 2, 1, COLUMNS, f"（{report.cycle.year}年度）", size=12, border=False)
    merge(ws, 3, 1, 2, "部门名称", bold=True, fill=HEADER_FILL)
    merge(ws, 3, 3, 5, report.department.name, align=LEFT)
    cell(ws, 3, 6, "年度", bold=True, fill=HEADER_FILL)
    cell(ws, 3, 7, report.cycle.year)
    merge(ws, 3, 8, 9, "报告状态", bold=True, fill=HEADER_FILL)
    status = "定稿（全部章节已审定）" if total and approved == total else f"未审定稿（已审定 {approved}/{total} 个章节）"
    cell(ws, 3, 10, status, align=LEFT)
    ws.row_dimensions[3].height = 24
    return 4


FUND_SOURCES = (("income_fiscal", "其中：当年财政拨款"), ("carried_over", "上年结转资金"), ("income_other", "其他资金"))


def _funds(ws: Worksheet, row: int, score: scoring.ReportScore) -> int:
    data, computed = score.budget["data"], score.budget["computed"]
    first = row
    merge(ws, row, 2, 3, "", fill=HEADER_FILL)
    for column, label in enumerate(("年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）"), start=4):
        cell(ws, row, column, label, bold=True, fill=HEADER_FILL)
    merge(ws, row, 9, 10, "得分", bold=True, fill=HEADER_FILL)
    ws.row_dimensions[row].height = 30
    row += 1
    ws.row_dimensions[row].height = 22
    merge(ws, row, 2, 3, "年度资金总额", align=LEFT, bold=True)
    cell(ws, row, 4, wan(fig.to_decimal(data.get("initial"))), fmt=MONEY, align=RIGHT)
    cell(ws, row, 5, wan(computed["annual"]), fmt=MONEY, align=RIGHT)
    cell(ws, row, 6, wan(fig.to_decimal(data.get("executed"))), fmt=MONEY, align=RIGHT)
    cell(ws, row, 7, score.budget_weight, fmt=SCORE, align=RIGHT)
    cell(ws, row, 8, computed["execution_rate"], fmt=RATE, align=RIGHT)
    merge(ws, row, 9, 10, score.budget_score, fmt=SCORE, bold=True)
    for key, label in FUND_SOURCES:
        amount = fig.to_decimal(data.get(key))
        if amount is None:
            continue
        row += 1
        ws.row_dimensions[row].height = 20
        merge(ws, row, 2, 3, label if key == "income_fiscal" else f"　　　{label}", align=LEFT)
        for column in (4, 6, 7, 8):
            cell(ws, row, column)
        cell(ws, row, 5, wan(amount), fmt=MONEY, align=RIGHT)
        merge(ws, row, 9, 10)
    merge(ws, first, 1, 1, "项目资金\n（万元）", to_row=row, bold=True, fill=HEADER_FILL)
    return row + 1


INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分",
                    "偏差原因分析及改进措施")


def _indicators(ws: Worksheet, row: int, score: scoring.ReportScore, public: bool = False) -> tuple[int, int]:
    header = row
    for column, label in enumerate(INDICATOR_HEADER, start=1):
        cell(ws, row, column, label, bold=True, fill=HEADER_FILL)
    ws.row_dimensions[row].height = 30
    for group in score.groups:
        for r in group.rows:
            row += 1
            values = (r.level1, r.row.get("level2", ""), r.name, r.row.get("nature", ""),
                      number_or_text(r.row.get("target", "")), r.row.get("unit", ""),
                      number_or_text(r.row.get("actual", "")))
            for column, value in enumerate(values, start=1):
                cell(ws, row, column, value, align=LEFT if column == 3 else CENTER)
            cell(ws, row, 8, r.weight, fmt=SCORE, align=RIGHT)
            cell(ws, row, 9, r.score, fmt=SCORE, align=RIGHT)
            cell(ws, row, 10, _reason(r, public), align=LEFT)
            fit_height(ws, row, [(r.name, WIDTHS[2]), (_reason(r, public), WIDTHS[9])])
        row += 1
        ws.row_dimensions[row].height = 20
        merge(ws, row, 1, 7, f"{group.name}指标小计", bold=True, fill=TOTAL_FILL)
        cell(ws, row, 8, group.weight, fmt=SCORE, align=RIGHT, bold=True, fill=TOTAL_FILL)
        cell(ws, row, 9, group.score, fmt=SCORE, align=RIGHT, bold=True, fill=TOTAL_FILL)
        cell(ws, row, 10, fill=TOTAL_FILL)
    return header, row + 1


def _reason(r: scoring.RowScore, public: bool = False) -> str:
    text = r.row.get("reason", "") or ""
    if r.adjustment is not None and not public:  # the reviewer's reasons are internal: not in the 公开版
        text += (("\n" if text else "") + f"【财政审核调整】按规则计 {scoring.quantize(r.computed or scoring.ZERO)} 分，"
                 f"调整为 {scoring.quantize(r.score)} 分。理由：{r.adjustment.reason}")
    return text


def _totals(ws: Worksheet, row: int, score: scoring.ReportScore) -> int:
    lines = (
        ("绩效指标合计", score.indicator_weight, score.indicator_score),
        ("预算执行率得分", score.budget_weight, score.budget_score),
        ("总分", score.weight, score.total),
    )
    for label, weight, value in lines:
        ws.row_dimensions[row].height = 20
        merge(ws, row, 1, 7, label, bold=True, fill=TOTAL_FILL)
        cell(ws, row, 8, weight, fmt=SCORE, align=RIGHT, bold=True, fill=TOTAL_FILL)
        cell(ws, row, 9, value, fmt=SCORE, align=RIGHT, bold=True, fill=TOTAL_FILL)
        cell(ws, row, 10, fill=TOTAL_FILL)
        row += 1
    merge(ws, row, 1, 7, "评价等级", bold=True, fill=TOTAL_FILL)
    merge(ws, row, 8, 10, score.grade, bold=True, size=14, fill=TOTAL_FILL)
    ws.row_dimensions[row].height = 26
    return row + 1


def _notes(ws: Worksheet, row: int, score: scoring.ReportScore, public: bool = False) -> int:
    bands = "，".join(f"{label}≥{lower}" for label, lower in score.bands)
    notes = [
        "说明：1. 预算执行率得分 = 分值 × 执行率（B/A），最高为分值；定量指标达到指标值得满分，未达到的按 实际/目标（≥）"
        "或 目标/实际（≤）折算；定性指标按评定得分。",
        f"2. 评价等级：{bands}（总分 90 分（含）以上为优，80（含）–90 分为良，60（含）–80 分为中，60 分以下为差）。",
    ]
    if score.adjusted_count and not public:
        notes.append(f"3. 其中 {score.adjusted_count} 项指标得分经财政审核调整，见“偏差原因分析及改进措施”栏。")
    edition = ((score.indicator_section.data if score.indicator_section else {}).get("target_table") or {}).get("edition")
    notes.append(f"{len(notes) + 1}. 绩效指标取自" + (f"已审定的整体绩效目标表第 {edition} 版。" if edition
                                                    else "手工填写的指标：本年度尚无已审定的整体绩效目标表。"))
    for text in notes:
        merge(ws, row, 1, COLUMNS, text, align=LEFT, size=9)
        fit_height(ws, row, [(text, sum(WIDTHS))], line=13)
        row += 1
    return row


GOALS_KEY = "goal_list"  # the outline slot holding the department's 年度绩效目标, one item each


def _labelled(ws: Worksheet, row: int, label: str, text: str) -> int:
    """A bordered row: the label on the left (A–B), the text across the rest of the form."""
    merge(ws, row, 1, 2, label, bold=True, fill=HEADER_FILL)
    merge(ws, row, 3, COLUMNS, text, align=LEFT)
    fit_height(ws, row, [(text, sum(WIDTHS[2:]))])
    return row + 1


def _goals(ws: Worksheet, row: int, sections: list[Section]) -> int:
    goals = next((s for s in sections if s.node.key == GOALS_KEY), None)
    items = [i.get("text", "").strip() for i in (goals.data.get("items", []) if goals else [])]
    items = [t for t in items if t]
    text = "\n".join(f"{n}. {t}" for n, t in enumerate(items, start=1)) if items else "（报告中未填写绩效目标）"
    return _labelled(ws, row, "年度总体目标", text)


def _conclusion(ws: Worksheet, row: int, report: Report, score: scoring.ReportScore) -> int:
    met = sum(1 for r in score.rows if r.row.get("met"))
    text = (f"{report.cycle.year}年度部门整体支出绩效自评综合得分 {scoring.quantize(score.total)} 分，评价等级为"
            f"“{score.grade}”。预算执行率 {fig.format_percent(score.execution_rate)}；绩效指标 {len(score.rows)} 项，"
            f"其中 {met} 项达到年度指标值。")
    return _labelled(ws, row, "自评结论", text)


def _signatures(ws: Worksheet, row: int) -> int:
    """The lines people sign and date on paper (left blank: they are written by hand)."""
    row += 1
    for first, last, text in ((1, 3, "填报人："), (4, 6, "审核人："), (7, 8, "单位负责人："),
                              (9, 10, "填报日期：　　　年　　月　　日")):
        merge(ws, row, first, last, text, align=LEFT, border=False, size=11)
    ws.row_dimensions[row].height = 30
    return row + 1


def _sources(wb: Workbook, sections: list[Section], changed: datetime) -> None:
    ws = wb.create_sheet("数据来源")
    for column, width in zip("ABC", (46, 10, 18), strict=True):
        ws.column_dimensions[column].width = width
    merge(ws, 1, 1, 3, f"本表数据取自以下章节的版本（数据截至 {timezone.localtime(changed):%Y-%m-%d %H:%M}）",
          align=LEFT, border=False, bold=True)
    for column, label in enumerate(("章节", "版本", "状态"), start=1):
        cell(ws, 2, column, label, bold=True, fill=HEADER_FILL)
    for row, section in enumerate(sections, start=3):
        cell(ws, row, 1, section.node.title, align=LEFT)
        cell(ws, row, 2, section.version)
        cell(ws, row, 3, section.get_state_display())
    print_setup(ws, "2:2", landscape=False)


def build(params: dict[str, Any], out: Path, progress: Progress) -> BuildResult:
    report = report_load(params)
    sections = selectors.report_sections(report)
    score = scoring.report_score(report, sections)
    status = selectors.status_of(report, sections)
    progress(30)
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    row = _header(ws, report, status.approved, status.total)
    row = _goals(ws, row, sections)
    row = _funds(ws, row, score)
    public = bool(params.get("public"))  # the 公开版: no reviewer's reasons, no revision sheet
    header, row = _indicators(ws, row, score, public)
    row = _totals(ws, row, score)
    row = _conclusion(ws, row, report, score)
    _signatures(ws, _notes(ws, row, score, public))
    print_setup(ws, f"{header}:{header}")
    ws.page_setup.fitToHeight = 1  # the form is signed as one page
    used = [s for s in (score.budget_section, score.indicator_section) if s is not None]
    changed = changed_at([report], sections)
    if not public:
        _sources(wb, used, changed)
    progress(80)
    workbook_save(wb, out, created=report.created_at, modified=changed)
    progress(100)
    return BuildResult(
        filename=f"{report.cycle.year}年度{report.department.name}部门整体支出绩效自评表.xlsx",
        revisions=[{"section": s.pk, "title": s.node.title, "revision": s.version, "state": s.state,
                    "state_label": s.get_state_display()} for s in used],
        department_ids=[report.department_id],
    )
