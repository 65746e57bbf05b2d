from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from departments.models import Department, DepartmentKind
from reports.exports.services import build_to_file
from reports.models import ExportKind


class Command(BaseCommand):
    help = "导出某年度的问题整改台账（.xlsx），全区或一个部门；与网页导出使用同一生成程序。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="评价年度，如 2021")
        parser.add_argument("--department", default="", help="部门编码，如 CG-GAFJ；不填为全区")
        parser.add_argument("--out", type=Path, required=True, help="输出文件，如 整改台账.xlsx")

    def handle(self, *args: object, year: int, department: str, out: Path, **options: object) -> None:
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度「{year}」无效，应为 2000–2100 之间的整数。")
        if out.suffix.lower() != ".xlsx":
            raise CommandError(f"输出文件应以 .xlsx 结尾：{out}")
        if not out.parent.is_dir():
            raise CommandError(f"输出目录不存在：{out.parent}")
        departments = Department.objects.filter(kind=DepartmentKind.DEPARTMENT)
        if department:
            departments = departments.filter(code=department)
            if not departments.exists():
                raise CommandError(f"找不到编码为「{department}」的部门。")
        ids = list(departments.values_list("pk", flat=True))
        tmp = out.with_name(f".{out.name}.part")
        try:
            result = build_to_file(ExportKind.RECTIFICATION_LEDGER, {"year": year, "department_ids": ids}, tmp)
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {out}（{result.filename}；{len(ids)} 个部门，{len(result.revisions)} 项整改事项）。"))
