from typing import Any

from departments.importing import departments_import
from departments.management.table_import import TableImportCommand


class Command(TableImportCommand):
    help = "从 .xlsx 或 .csv 导入组织机构（列：编码、名称、类型、上级编码，可选：排序）。"

    def run_import(self, rows: list[Any]) -> Any:
        return departments_import(rows=rows)
