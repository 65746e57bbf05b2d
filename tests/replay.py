"""A loader's rows, written once by the loader and then again by plain INSERTs (tests only).

``demo_org_load`` runs at the start of about 480 tests, each time into the same empty tables, and each time
computes the same 24 units, 7 accounts and their grants through the services (about 300 queries). The first
time in a process it runs for real and the rows it wrote are kept; later, when the same tables are empty
again (each test is rolled back), the kept rows are inserted as they were, primary keys included, in one
statement per table. When the tables are not empty (a module's shared data, a second load in one test) the
loader runs for real, as before. So it does when a row the kept rows point to outside their own tables is no
longer the same (a ``transaction=True`` test's flush recreates the content types and permissions under new
keys): the rows are then kept anew.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction


class Replayed:
    def __init__(self, loader: Callable[[], Any]) -> None:
        self.loader = loader
        self.kept: dict[type[models.Model], list[dict[str, Any]]] | None = None  # the rows of every table written
        self.pointed: dict[type[models.Model], list[dict[str, Any]]] = {}  # the rows they point to elsewhere

    def _empty(self) -> bool:
        return not any(model._base_manager.exists() for model in self.kept or ())

    def __call__(self) -> None:
        if self.kept is not None and self._empty() and self._pointed_unchanged():
            self._replay()
        elif self.kept is not None and not self._empty():
            self.loader()
        else:
            before = _counts()
            self.loader()
            written = [model for model, n in _counts().items() if n != before[model]]
            if written and not any(before[model] for model in written):  # all it wrote is there, and only that
                self.kept = {model: _dump(model) for model in written}
                self.pointed = {model: _dump(model, pks) for model, pks in _pointed(self.kept).items()}

    def _pointed_unchanged(self) -> bool:
        return all(_dump(model, {row[model._meta.pk.attname] for row in rows}) == rows for model, rows in self.pointed.items())

    def _replay(self) -> None:
        with transaction.atomic():  # foreign keys are checked at the end (Django declares them deferred)
            for model, rows in self.kept.items():
                model._base_manager.bulk_create([model(**row) for row in rows])
            with connection.cursor() as cursor:  # PostgreSQL's sequences past the kept keys
                for sql in connection.ops.sequence_reset_sql(no_style(), list(self.kept)):
                    cursor.execute(sql)


def _counts() -> dict[type[models.Model], int]:
    return {model: model._base_manager.count() for model in apps.get_models(include_auto_created=True)}


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


def _dump(model: type[models.Model], pks: set[Any] | None = None) -> list[dict[str, Any]]:
    rows = model._base_manager.order_by("pk")
    return list((rows if pks is None else rows.filter(pk__in=pks)).values(*_fields(model)))


def _pointed(kept: dict[type[models.Model], list[dict[str, Any]]]) -> dict[type[models.Model], set[Any]]:
    """The keys of the rows outside ``kept``'s tables that its rows point to, per model."""
    found: dict[type[models.Model], set[Any]] = {}
    for model, rows in kept.items():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model not in kept:
                found.setdefault(field.related_model, set()).update(
                    row[field.attname] for row in rows if row[field.attname] is not None)
    return found
