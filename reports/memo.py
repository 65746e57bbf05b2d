"""Values cached under keys that name their inputs (a stamp of the rows they are computed from), kept in
the process as well as in the shared cache: reading a district's figures back from the cache costs the
unpickling (≈ 0.4 ms for a quarter's), a process's own copy nothing.

A value under a key never changes, so a process may keep it as long as the shared cache keeps it (its TTL
is the safety net for the changes no stamp sees: a copy expires with the entry it was read from). The values are shared by the requests of a process:
callers only read them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")
MAX_ENTRIES = 1024  # a few per cycle, quarter and scope; a full table is emptied, not evicted one by one
SHARED_PREFIX = "memo1:"  # the shared entries' shape, (expiry, value): an older shape is never read back
_LOCAL: dict[str, tuple[float, Any]] = {}


def memoized(key: str, ttl: int, compute: Callable[[], T]) -> T:
    """The value under ``key``: the process's copy while fresh, else the shared cache's, else ``compute()``
    (stored in both for ``ttl`` seconds; a copy expires when the shared entry it was read from does)."""
    now = time.time()
    kept = _LOCAL.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    stored = cache.get(SHARED_PREFIX + key)
    if stored is None:
        stored = (now + ttl, compute())
        cache.set(SHARED_PREFIX + key, stored, ttl)
    if len(_LOCAL) >= MAX_ENTRIES:
        _LOCAL.clear()
    _LOCAL[key] = stored
    return stored[1]


def forget() -> None:
    """Drop the process's copies (tests start from an empty cache)."""
    _LOCAL.clear()
