"""Outline trees and their generated numbering (一、 （一） 1. （1） a.)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

CHINESE_DIGITS = "零一二三四五六七八九"


class NodeLike(Protocol):
    id: int
    parent_id: int | None
    order: int


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (outlines never go further)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" if tens else ""
    return text + (CHINESE_DIGITS[ones] if ones else "")


def latin_letter(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def format_number(fmt: str, n: int) -> str:
    """Fill a numbering format: '一、'→'三、', '（一）'→'（三）', '1.'→'3.', '（1）'→'（3）', 'a.'→'c.'."""
    for token, render in (("一", chinese_numeral), ("1", str), ("a", latin_letter),
                          ("A", lambda k: latin_letter(k).upper())):
        if token in fmt:
            return fmt.replace(token, render(n), 1)
    return f"{fmt}{n}"


@dataclass
class OutlineEntry:
    node: NodeLike
    depth: int
    number: str
    children: list[OutlineEntry] = field(default_factory=list)


def build_outline(nodes: Iterable[NodeLike], formats: Sequence[str]) -> list[OutlineEntry]:
    """The forest of nodes in order, each with its generated number."""
    by_parent: dict[int | None, list[NodeLike]] = defaultdict(list)
    for node in nodes:
        by_parent[node.parent_id].append(node)
    for siblings in by_parent.values():
        siblings.sort(key=lambda n: (n.order, n.id))

    def level(parent_id: int | None, depth: int) -> list[OutlineEntry]:
        fmt = formats[min(depth, len(formats) - 1)] if formats else "1."
        return [
            OutlineEntry(node, depth + 1, format_number(fmt, i), level(node.id, depth + 1))
            for i, node in enumerate(by_parent.get(parent_id, []), start=1)
        ]

    return level(None, 0)


def flatten(entries: list[OutlineEntry]) -> list[OutlineEntry]:
    """Depth-first, in reading order."""
    result: list[OutlineEntry] = []
    for entry in entries:
        result.append(entry)
        result.extend(flatten(entry.children))
    return result


def numbers_by_node(nodes: Iterable[NodeLike], formats: Sequence[str]) -> dict[int, OutlineEntry]:
    return {e.node.id: e for e in flatten(build_outline(nodes, formats))}
