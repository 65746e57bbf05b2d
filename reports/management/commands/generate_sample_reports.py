from django.core.management.base import BaseCommand, CommandError, CommandParser

from departments.models import Department
from reports.sample import QUARTER, YEAR, sample_reports_build


class Command(BaseCommand):
    help = (
        "在 generate_sample 生成的样本区上生成样本评价周期（章节处于各种审核状态）和两个季度的监控数据，"
        "供性能测试使用（名称均标注“样本数据”）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--prefix", default="SAMPLE", help="样本区的编码前缀（与 generate_sample 相同，默认 SAMPLE）"
        )
        parser.add_argument("--year", type=int, default=YEAR, help=f"年度（默认 {YEAR}）")
        parser.add_argument(
            "--quarter", type=int, default=QUARTER, help=f"季度：2–4（默认 {QUARTER}，另生成上一季度）"
        )

    def handle(self, *args: object, prefix: str, year: int, quarter: int, **options: object) -> None:
        if not Department.objects.filter(code=f"{prefix}-CZJ").exists():
            raise CommandError(
                f"没有前缀为「{prefix}」的样本区，请先运行 generate_sample --prefix {prefix}。"
            )
        if not 2000 <= year <= 2100 or not 2 <= quarter <= 4:
            raise CommandError("年度须在 2000–2100 之间，季度须为 2–4。")
        built = sample_reports_build(prefix=prefix, year=year, quarter=quarter)
        self.stdout.write(
            self.style.SUCCESS(
                f"样本数据已生成：{built.cycle.name}，{len(built.departments)} 个部门；{year}年第{quarter - 1}、{quarter}季度监控。"
                f"财政局账号：{built.admin.get_username()}、{built.reviewer.get_username()}。"
            )
        )
