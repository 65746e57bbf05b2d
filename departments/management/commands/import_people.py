from typing import Any

from departments.management.table_import import TableImportCommand
from departments.people import people_import


class Command(TableImportCommand):
    help = "从 .xlsx 或 .csv 导入人员及角色（列：账号、姓名、单位编码、角色、组长）。全部正确才导入，可重复运行。"

    def run_import(self, rows: list[Any]) -> Any:
        return people_import(rows=rows, actor=None)

    def report(self, result: Any) -> None:
        super().report(result)
        if result.passwords:
            self.stdout.write("新账号的初始密码（仅显示这一次，首次登录须修改）：")
            for username, password in result.passwords.items():
                self.stdout.write(f"  {username}\t{password}")
