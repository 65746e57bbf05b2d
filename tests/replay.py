"""A loader's rows, written once by the loader and then again by plain INSERTs (tests only).

``demo_org_load`` runs at the start of about 480 tests, each time into the same empty tables, and each time
computes the same 24 units, 7 accounts and their grants through the services (about 300 queries). The first
time in a process it runs for real and the rows it wrote are kept; later, when the same tables are empty
again (each test is rolled back), the kept rows are inserted as they were, primary keys included, in one
statement per table. When the tables are not empty (a module's shared data, a second load in one test) the
loader runs for real, as before.
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

    def _empty(self) -> bool:
        return not any(model._base_manager.exists() for model in self.kept or ())

    def __call__(self) -> None:
        if self.kept is None:
            before = _counts()
            self.loader()
            written = [model for model, n in _counts().items() if n != before[model]]
            if written and not any(before[model] for model in written):  # all it wrote is there, and only that
                self.kept = {model: _dump(model) for model in written}
        elif not self._empty():
            self.loader()
        else:
            self._replay()

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


def _dump(model: type[models.Model]) -> list[dict[str, Any]]:
    return list(model._base_manager.order_by("pk").values(*_fields(model)))
