"""What ``import_departments`` and ``import_people`` share: read one .xlsx/.csv file with the bounded
reader, run an all-or-nothing import on its rows, and turn every refusal into a Chinese CommandError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from departments.importing import ImportRejected
from departments.tabular import TableError, read_table


class TableImportCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def run_import(self, rows: list[Any]) -> Any:
        """Import the rows (raising ImportRejected with every bad row); returns a result with ``summary()``."""
        raise NotImplementedError

    def report(self, result: Any) -> None:
        self.stdout.write(self.style.SUCCESS(f"导入完成：{result.summary()}"))

    def handle(self, *args: object, file: Path, **options: object) -> None:
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            with file.open("rb") as stream:
                rows = read_table(file.name, stream)
            result = self.run_import(rows)
        except TableError as exc:
            raise CommandError(f"{file.name}：{exc}") from exc
        except DatabaseError as exc:  # the checks above should leave nothing for the database to refuse
            raise CommandError(f"{file.name}：数据库拒绝写入（{type(exc).__name__}），未导入任何数据。") from exc
        except ImportRejected as exc:
            lines = "\n".join(f"  {e}" for e in exc.errors)
            raise CommandError(f"{file.name} 有 {len(exc.errors)} 处错误，未导入任何数据：\n{lines}") from exc
        self.report(result)
