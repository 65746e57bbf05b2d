from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from departments.models import Department, DepartmentKind
from reports.exports.services import build_to_file
from reports.models import ExportKind


class Command(BaseCommand):
    help = "生成全区某年某季度的绩效运行监控汇总表（.xlsx），默认仅含已审定数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年度，如 2021")
        parser.add_argument("--quarter", type=int, required=True, help="季度：1–4")
        parser.add_argument("--out", type=Path, required=True, help="输出文件，如 2021Q4.xlsx")
        parser.add_argument("--include-unapproved", action="store_true", help="同时纳入未审定的季度监控表")
        parser.add_argument("--by", default="", help="生成人（写入“说明”页）")

    def handle(self, *args: object, year: int, quarter: int, out: Path, include_unapproved: bool, by: str,
               **options: object) -> None:
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度「{year}」无效，应为 2000–2100 之间的整数。")
        if not 1 <= quarter <= 4:
            raise CommandError(f"季度「{quarter}」无效，应为 1–4。")
        if out.suffix.lower() != ".xlsx":
            raise CommandError(f"输出文件应以 .xlsx 结尾：{out}")
        if not out.parent.is_dir():
            raise CommandError(f"输出目录不存在：{out.parent}")
        ids = list(Department.objects.filter(kind=DepartmentKind.DEPARTMENT).values_list("pk", flat=True))
        params = {"year": year, "quarter": quarter, "include_unapproved": include_unapproved,
                  "department_ids": ids, "requested_by": by or "命令行导出"}
        tmp = out.with_name(f".{out.name}.part")
        try:
            result = build_to_file(ExportKind.QUARTER_SUMMARY, params, tmp)
            tmp.replace(out)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            tmp.unlink(missing_ok=True)
        scope = "含未审定数据" if include_unapproved else "仅已审定数据"
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {out}（{result.filename}；{len(ids)} 个部门，{len(result.revisions)} 份季度监控表，{scope}）。"))
