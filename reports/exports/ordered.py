"""A merge join of ordered streams: rows of several queries read in step with one loop.

Each stream is an iterator sorted by the same key (e.g. department rank, main report first, unit
order, unit code); :meth:`Ordered.take` yields the rows whose key starts with a given prefix, so a
loop over departments and units holds one unit's rows at a time whatever the size of the data.
Knows nothing of Django: any iterator of rows and a key function will do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

_END = object()


class Ordered:
    """An ordered query read in step with the loop over departments and units."""

    def __init__(self, rows: Iterable[Any], key: Callable[[Any], tuple]) -> None:
        self._rows: Iterator[Any] = iter(rows)
        self._key = key
        self._head: Any = _END
        self._head_key: tuple = ()
        self._advance()

    def _advance(self) -> None:
        self._head = next(self._rows, _END)
        if self._head is _END:
            return
        key = self._key(self._head)
        if key < self._head_key:  # the database sorted otherwise than Python: never drop rows silently
            raise RuntimeError(f"导出数据的排序不一致：{key} 在 {self._head_key} 之后")
        self._head_key = key

    def take(self, key: tuple) -> Iterator[Any]:
        """The rows whose key starts with ``key``; rows before it (nothing asked for them) are skipped."""
        n = len(key)
        while self._head is not _END and self._head_key[:n] < key:
            self._advance()
        while self._head is not _END and self._head_key[:n] == key:
            row = self._head
            self._advance()
            yield row

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close:
            close()  # releases a PostgreSQL server-side cursor now, not at garbage collection
