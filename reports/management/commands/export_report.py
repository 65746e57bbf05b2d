from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from departments.models import Department
from reports.exports.services import build_to_file
from reports.models import ExportKind, Report
from workflow.states import State

FORMATS = {"docx": ExportKind.REPORT_DOCX, "xlsx": ExportKind.SELF_EVALUATION}


class Command(BaseCommand):
    help = "导出一个部门某年度的绩效评价报告（docx）或部门整体支出绩效自评表（xlsx），与网页导出使用同一生成程序。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--department", required=True, help="部门编码，如 CG-GAFJ")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2021")
        parser.add_argument("--format", required=True, dest="fmt", help="docx（评价报告）或 xlsx（自评表）")
        parser.add_argument("--out", required=True, type=Path, help="输出文件路径")

    def handle(self, *args: object, department: str, year: int, fmt: str, out: Path, **options: object) -> None:
        kind = FORMATS.get(fmt.lower().lstrip("."))
        if kind is None:
            raise CommandError(f"不支持的格式「{fmt}」：请用 docx（评价报告）或 xlsx（自评表）。")
        unit = Department.objects.filter(code=department).first()
        if unit is None:
            raise CommandError(f"找不到编码为「{department}」的部门。")
        report = Report.objects.filter(department=unit, cycle__year=year).order_by("-cycle_id").first()
        if report is None:
            years = sorted(set(Report.objects.filter(department=unit).values_list("cycle__year", flat=True)))
            known = f"已有年度：{'、'.join(map(str, years))}。" if years else "该部门还没有任何年度的报告。"
            raise CommandError(f"{unit.name}没有 {year} 年度的绩效评价报告。{known}")
        if not out.parent.is_dir():
            raise CommandError(f"输出目录不存在：{out.parent}")
        result = build_to_file(kind, {"report": report.pk}, out)
        unapproved = sum(1 for r in result.revisions if r.get("state") != State.APPROVED)
        note = f"，其中 {unapproved} 个未审定（已标注）" if unapproved else "，全部已审定"
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {out}（{result.filename}；使用 {len(result.revisions)} 个章节的版本{note}）。"
        ))
