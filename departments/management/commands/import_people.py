from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from departments.importing import ImportRejected
from departments.people import people_import
from departments.tabular import TableError, read_table


class Command(BaseCommand):
    help = "从 .xlsx 或 .csv 导入人员及角色（列：账号、姓名、单位编码、角色、组长）。全部正确才导入，可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            with file.open("rb") as stream:
                rows = read_table(file.name, stream)
            result = people_import(rows=rows, actor=None)
        except TableError as exc:
            raise CommandError(f"{file.name}：{exc}") from exc
        except DatabaseError as exc:  # the checks above should leave nothing for the database to refuse
            raise CommandError(f"{file.name}：数据库拒绝写入（{type(exc).__name__}），未导入任何数据。") from exc
        except ImportRejected as exc:
            lines = "\n".join(f"  {e}" for e in exc.errors)
            raise CommandError(f"{file.name} 有 {len(exc.errors)} 处错误，未导入任何数据：\n{lines}") from exc
        self.stdout.write(self.style.SUCCESS(f"导入完成：{result.summary()}"))
        if result.passwords:
            self.stdout.write("新账号的初始密码（仅显示这一次，首次登录须修改）：")
            for username, password in result.passwords.items():
                self.stdout.write(f"  {username}\t{password}")
