from django.core.management.base import BaseCommand

from departments.demo import ACCOUNTS, DEMO_PASSWORD, demo_org_load
from reports.library.demo import ACCOUNTS as GENERAL_ACCOUNTS
from reports.library.demo import demo_general_load
from reports.quarterly.demo import demo_quarters_load
from reports.rectification.demo import demo_rectification_load
from reports.review.demo import demo_report_load


class Command(BaseCommand):
    help = ("加载演示数据：组织机构、各角色演示账号、2021 年度呈贡分局和区工商联（通用模板）绩效评价报告、"
            "季度监控和问题整改台账。可重复运行。")

    def handle(self, *args: object, **options: object) -> None:
        units, accounts = demo_org_load()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪（本次新建单位 {units} 个，账号 {accounts} 个）。"))
        self.stdout.write(demo_report_load())
        self.stdout.write(demo_general_load())
        self.stdout.write(demo_quarters_load())
        self.stdout.write(demo_rectification_load())
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for account in [*ACCOUNTS, *GENERAL_ACCOUNTS]:
            self.stdout.write(f"  {account.username:<14} {account.full_name}  {account.description}")
