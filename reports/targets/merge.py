"""Merging saves of one target table written by several people at once.

The content has parts with their own writers: the header (年度总体目标, 重点工作任务), the coordinator's,
and each responsible unit's indicator rows, that unit's clerks' (and the coordinator's). A save over
an older revision keeps every part the others changed and the saver did not; only a part both changed
(differently) is a conflict."""

from __future__ import annotations

from typing import Any

HEADER = ("goal", "tasks")


def unit_rows(data: dict[str, Any], codes: set[str]) -> list[dict[str, Any]]:
    """The indicator rows whose responsible unit is one of ``codes``, in table order."""
    return [row for row in data.get("indicators", []) if row.get("unit") in codes]


def rows_merge(indicators: list[dict[str, Any]], codes: set[str], rows: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """``indicators`` with the rows of the units ``codes`` replaced by ``rows``, every other unit's row
    kept as it is. A row keeps the place of the row of its name; a new (or renamed) one goes after
    the last row of its 一级指标 (the table reads 产出, 效益, 满意度 in order), or at the end."""
    unplaced = {row.get("name"): row for row in rows}
    merged = [unplaced.pop(row.get("name"), None) if row.get("unit") in codes else row for row in indicators]
    merged = [row for row in merged if row is not None]
    for row in unplaced.values():
        at = max((i + 1 for i, r in enumerate(merged) if r.get("level1") == row.get("level1")), default=len(merged))
        merged.insert(at, row)
    return merged


def _clash(base: Any, mine: Any, theirs: Any) -> bool:
    return mine != base and theirs != base and mine != theirs


def table_merge(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
                ) -> tuple[dict[str, Any], list[str]]:
    """``mine`` (saved over ``base``) merged with ``theirs`` (saved meanwhile): (the merged content, the
    parts both changed: "" for the header, else unit codes). The merge is only to be used without them."""
    merged = dict(mine)
    clashes = [""] if any(_clash(base.get(k), mine.get(k), theirs.get(k)) for k in HEADER) else []
    for key in HEADER:
        if mine.get(key) == base.get(key) and key in theirs:
            merged[key] = theirs[key]
    rows = list(theirs.get("indicators", []))  # the table as it is now; the saver's changes go into it
    everyone = (*base.get("indicators", []), *mine.get("indicators", []), *rows)
    for code in dict.fromkeys(row.get("unit") for row in everyone):
        parts = [unit_rows(data, {code}) for data in (base, mine, theirs)]
        if _clash(*parts):
            clashes.append(code)
        elif parts[1] != parts[0]:
            rows = rows_merge(rows, {code}, parts[1])
    names = [row.get("name") for row in rows]
    clashes += sorted({f"name:{n}" for n in names if names.count(n) > 1})
    return merged | {"indicators": rows}, clashes
