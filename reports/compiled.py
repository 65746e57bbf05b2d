"""Reads whose SQL depends only on a few known values (the user's scope, a cycle, a day): compiled once per
process and key, then run as they are (building and compiling a scoped filter costs more than running it).

As ``departments.permissions._object_grant_pairs`` does for the grants. The key must hold everything the
queryset is built from. Rows come back as the driver gives them, without the fields' converters: for ids,
counts, codes and stamps, not for values a page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

MAX_ENTRIES = 2000  # users × cycles × days: a full table is emptied, not evicted one by one
_COMPILED: dict[tuple[Hashable, str], tuple[str, tuple[Any, ...]] | None] = {}


def _compiled(key: Hashable, alias: str, build: Callable[[], QuerySet]) -> tuple[str, tuple[Any, ...]] | None:
    if (key, alias) not in _COMPILED:
        try:
            compiled = build().query.sql_with_params()
        except EmptyResultSet:
            compiled = None
        if len(_COMPILED) >= MAX_ENTRIES:
            _COMPILED.clear()
        _COMPILED[(key, alias)] = compiled
    return _COMPILED[(key, alias)]


def compiled_rows(key: Hashable, alias: str, build: Callable[[], QuerySet]) -> list[tuple[Any, ...]]:
    """The rows of ``build()`` on database ``alias``, its SQL compiled once per ``key``; none where the
    filter can match nothing (Django refuses to compile such a WHERE)."""
    compiled = _compiled(key, alias, build)
    if compiled is None:
        return []
    with connections[alias].cursor() as cursor:
        cursor.execute(*compiled)
        return cursor.fetchall()


def compiled_instances(key: Hashable, model: type[M], build: Callable[[], QuerySet[M]]) -> list[M]:
    """The instances of ``build()`` (one model's columns, no ``select_related``), its SQL compiled once
    per ``key``; the fields' converters apply (Django builds each instance from its row)."""
    alias = model._default_manager.db
    compiled = _compiled(key, alias, build)
    return [] if compiled is None else list(model._default_manager.db_manager(alias).raw(*compiled))
