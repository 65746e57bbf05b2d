import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from departments.demo import ACCOUNTS, DEMO_PASSWORD, demo_org_load
from reports.library.demo import ACCOUNTS as GENERAL_ACCOUNTS
from reports.library.demo import demo_general_load
from reports.quarterly.demo import demo_quarters_load
from reports.rectification.demo import demo_rectification_load
from reports.review.demo import demo_report_load

RESET_WARNING = "将清空数据库中的全部数据（含所有账号、报告和导出文件），然后重新加载演示数据。"


class Command(BaseCommand):
    help = ("加载演示数据：组织机构、各角色演示账号、2021 年度呈贡分局和区工商联（通用模板）绩效评价报告、"
            "季度监控和问题整改台账。可重复运行。加 --reset 先清空数据库，把演示恢复到初始状态。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true",
                            help="先清空数据库中的全部数据和导出文件，再重新加载演示数据（恢复初始状态）。")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="--reset 时不再询问确认。")

    def handle(self, *args: object, reset: bool = False, interactive: bool = True, **options: object) -> None:
        if reset:
            self._reset(interactive)
        units, accounts = demo_org_load()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪（本次新建单位 {units} 个，账号 {accounts} 个）。"))
        self.stdout.write(demo_report_load())
        self.stdout.write(demo_general_load())
        self.stdout.write(demo_quarters_load())
        self.stdout.write(demo_rectification_load())
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for account in [*ACCOUNTS, *GENERAL_ACCOUNTS]:
            self.stdout.write(f"  {account.username:<14} {account.full_name}  {account.description}")

    def _reset(self, interactive: bool) -> None:
        if interactive:
            answer = input(f"{RESET_WARNING}\n确认请输入 yes：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未改动任何数据。")
        call_command("flush", interactive=False, verbosity=0)
        for folder in ("exports", "attachments", "rectification"):  # the files the demo's rows point to
            shutil.rmtree(Path(settings.MEDIA_ROOT) / folder, ignore_errors=True)
        self.stdout.write("已清空数据库和导出文件。")
