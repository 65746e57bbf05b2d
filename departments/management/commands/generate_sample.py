from django.core.management.base import BaseCommand, CommandError, CommandParser

from departments.sample import sample_district_build


class Command(BaseCommand):
    help = "生成用于性能测试的样本区（名称均标注“样本数据”）：N 个部门，每个部门 M 个下属单位及样本账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--departments", type=int, required=True, help="部门数")
        parser.add_argument("--units", type=int, required=True, help="每个部门的下属单位数")
        parser.add_argument("--prefix", default="SAMPLE", help="编码前缀（默认 SAMPLE）")

    def handle(self, *args: object, departments: int, units: int, prefix: str, **options: object) -> None:
        if not 1 <= departments <= 5000:
            raise CommandError("--departments 须在 1 到 5000 之间。")
        if not 0 <= units <= 500:
            raise CommandError("--units 须在 0 到 500 之间。")
        bureau = sample_district_build(departments=departments, units=units, prefix=prefix)
        self.stdout.write(self.style.SUCCESS(f"样本数据已生成：{bureau.name}，{departments} 个部门 × {units} 个单位。"))
