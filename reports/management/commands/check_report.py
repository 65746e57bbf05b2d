import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from departments.models import Department
from reports.annual.checklist import ChecklistRow, basic_ratios, report_checklist, unresolved_errors
from reports.annual.selectors import report_sections
from reports.models import Report


def _line(row: ChecklistRow) -> str:
    figures = f"（填报 {row.stated}，计算 {row.computed}）" if row.stated or row.computed else ""
    state = f" [已说明：{row.explanation}]" if row.resolved else ""
    return f"{row.severity}\t{row.code}\t{row.section}\t{row.message}{figures}{state}"


class Command(BaseCommand):
    help = ("打印一个部门某年度绩效评价报告的检查清单（代码、级别、章节、问题、填报数与计算数）；"
            "有未解决的错误时退出码为 1，便于财政局批量检查。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--department", required=True, help="部门编码，如 CG-GAFJ")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2021")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: object, department: str, year: int, json: bool, **options: object) -> None:
        report = _report(department, year)
        sections = report_sections(report)
        rows = report_checklist(report, sections)
        ratios = basic_ratios(sections)
        failed = unresolved_errors(rows)
        if json:
            self._print_json(report, rows, ratios, len(failed))
        else:
            self._print_text(report, rows, ratios, len(failed))
        if failed:
            sys.exit(1)

    def _print_json(self, report: Report, rows: list[ChecklistRow], ratios: list, failed: int) -> None:
        payload = {
            "department": report.department.code, "year": report.cycle.year, "unresolved_errors": failed,
            "findings": [r.as_dict() for r in rows],
            "basic_data": [{"name": r.name, "formula": r.formula, "value": r.shown} for r in ratios],
        }
        self.stdout.write(json_dumps(payload))

    def _print_text(self, report: Report, rows: list[ChecklistRow], ratios: list, failed: int) -> None:
        self.stdout.write(f"{report}：{len(rows)} 项检查发现，{failed} 个未解决的错误")
        for row in rows:
            self.stdout.write(_line(row))
        self.stdout.write("基础数据：" + "；".join(f"{r.name} {r.shown}" for r in ratios))


def json_dumps(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _report(code: str, year: int) -> Report:
    unit = Department.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(f"找不到编码为「{code}」的部门。")
    report = Report.objects.filter(department=unit, cycle__year=year).select_related(
        "cycle", "template", "department").order_by("-cycle_id").first()
    if report is None:
        raise CommandError(f"{unit.name}没有 {year} 年度的绩效评价报告。")
    return report
