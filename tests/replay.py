"""A loader's rows, written once by the loader and then again by plain INSERTs (tests only).

``demo_org_load`` runs at the start of about 480 tests, each time into the same empty tables, and each time
computes the same 24 units, 7 accounts and their grants through the services (about 300 queries); the demo
report (133 transitions) is loaded by a module fixture in some 20 modules and by most browser tests. The
first time in a process a loader runs for real and the rows it wrote are kept; later, when the same tables
are empty again (each test is rolled back or flushed), the kept rows are inserted as they were — keys and
timestamps included — in one statement per table. When the tables are not empty (a module's shared data, a
second load in one test) the loader runs for real, as before.

Rows kept inside a transaction (a ``django_db`` test: the after-commit notifications never run) and rows kept
after a commit (a ``transaction=True`` test: they ran) are kept apart. The content types and permissions the
rows point to are found again by their natural keys, since a transactional test's flush recreates them
under new keys; any other row they point to outside their own tables must be unchanged, or the loader runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

from departments.demo import demo_org_load

Rows = dict[type[models.Model], list[dict[str, Any]]]


@dataclass
class Kept:
    rows: Rows  # every table the loader wrote, all of it
    pointed: Rows  # the rows outside those tables they point to, as they were
    natural: dict[type[models.Model], dict[Any, tuple]]  # of those with natural keys: key → natural key


class Replayed:
    def __init__(self, loader: Callable[[], Any]) -> None:
        self.loader = loader
        self.kept: dict[bool, Kept] = {}  # by whether the loader runs inside a transaction

    def __call__(self) -> None:
        kept = self.kept.get(connection.in_atomic_block)
        if kept is not None and not _empty(kept.rows):
            return self.loader()  # a second load, or over other data: as before, nothing to keep
        if kept is not None:
            remap = _remap(kept)
            if remap is not None:
                return _replay(kept.rows, remap)
        before = _counts()
        self.loader()
        written = [model for model, n in _counts().items() if n != before[model]]
        # all it wrote is there, and only that; files on disk are not kept (their rows would outlive them)
        if written and not any(before[model] for model in written) and not any(map(_has_files, written)):
            self.kept[connection.in_atomic_block] = _keep({model: _dump(model) for model in written})


def _has_files(model: type[models.Model]) -> bool:
    return any(isinstance(f, models.FileField) for f in model._meta.concrete_fields)


def _empty(rows: Rows) -> bool:
    return not any(model._base_manager.exists() for model in rows)


def _keep(rows: Rows) -> Kept:
    pointed = {model: _dump(model, pks) for model, pks in _pointed(rows).items()}
    natural = {model: {row[model._meta.pk.attname]: obj.natural_key()
                       for row, obj in zip(found, model._base_manager.select_related().filter(pk__in=[
                           r[model._meta.pk.attname] for r in found]).order_by("pk"), strict=True)}
               for model, found in pointed.items() if hasattr(model, "natural_key")}
    return Kept(rows, {m: r for m, r in pointed.items() if m not in natural}, natural)


def _remap(kept: Kept) -> dict[type[models.Model], dict[Any, Any]] | None:
    """Old key → current key of every pointed row with a natural key; None if a row is gone or changed."""
    for model, rows in kept.pointed.items():
        if _dump(model, {row[model._meta.pk.attname] for row in rows}) != rows:
            return None
    remap = {}
    for model, naturals in kept.natural.items():
        current = _natural_keys(model)
        if not all(key in current for key in naturals.values()):
            return None
        remap[model] = {old: current[key] for old, key in naturals.items()}
    return remap


_NATURAL: dict[type[models.Model], tuple[Any, dict[tuple, Any]]] = {}


def _natural_keys(model: type[models.Model]) -> dict[tuple, Any]:
    """Natural key → key of every row of ``model``, read again only when its rows were recreated."""
    rows = model._base_manager.all()
    stamp = rows.aggregate(n=models.Count("pk"), last=models.Max("pk"))
    if model not in _NATURAL or _NATURAL[model][0] != stamp:
        _NATURAL[model] = (stamp, {obj.natural_key(): obj.pk for obj in rows.select_related()})
    return _NATURAL[model][1]


def _replay(rows: Rows, remap: dict[type[models.Model], dict[Any, Any]]) -> None:
    with transaction.atomic():  # foreign keys are checked at the end (Django declares them deferred)
        for model, found in rows.items():
            fields = model._meta.concrete_fields
            moved = [(f.attname, remap[f.related_model]) for f in fields if f.is_relation and f.related_model in remap]
            objs = [model(**(row | {name: keys.get(row[name], row[name]) for name, keys in moved})) for row in found]
            for start in range(0, len(objs), 200):  # raw: the kept values as they are (no auto_now on insert)
                model._base_manager._insert(objs[start:start + 200], fields=fields, raw=True)
        with connection.cursor() as cursor:  # PostgreSQL's sequences past the kept keys
            for sql in connection.ops.sequence_reset_sql(no_style(), list(rows)):
                cursor.execute(sql)


def _counts() -> dict[type[models.Model], int]:
    return {model: model._base_manager.count() for model in apps.get_models(include_auto_created=True)}


def _fields(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _dump(model: type[models.Model], pks: set[Any] | None = None) -> list[dict[str, Any]]:
    rows = model._base_manager.order_by("pk")
    return list((rows if pks is None else rows.filter(pk__in=pks)).values(*_fields(model)))


def _pointed(kept: Rows) -> dict[type[models.Model], set[Any]]:
    """The keys of the rows outside ``kept``'s tables that its rows point to, per model."""
    found: dict[type[models.Model], set[Any]] = {}
    for model, rows in kept.items():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model not in kept:
                found.setdefault(field.related_model, set()).update(
                    row[field.attname] for row in rows if row[field.attname] is not None)
    return found


def _demo_report() -> None:
    from reports.review.demo import demo_report_load

    demo_org_load()
    demo_report_load()


demo_org_replayed = Replayed(demo_org_load)
demo_report_replayed = Replayed(_demo_report)  # the organisation and the walked-through 2021 report
