"""Two writers saving the target table at the same moment on PostgreSQL: two units both keep their
rows (the second save waits on the row lock and merges over the first); two writers of the same
unit over the same form: exactly one wins, the other is a conflict, and nothing is half-saved."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from departments.models import Department, Membership, Role
from reports.models import TargetRevision, TargetTable
from reports.targets import services
from tests.workflow.test_concurrency import race, slow_create
from workflow.services import ContentConflict

from .test_unit_rows import CG, own_rows, row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def save(pk: int, rows: list[dict], base: int, user) -> object:  # noqa: ANN001
    return services.target_rows_save(table=TargetTable.objects.get(pk=pk), rows=rows, base_version=base, actor=user)


def test_two_units_saving_at_once_both_keep_their_rows(declared, clerk, xingzhen_clerk):
    assert connection.vendor == "postgresql"
    xingzhen = Department.objects.get(name="刑侦大队").code
    pk, base = declared.pk, declared.version
    mine, theirs = [*own_rows(declared), row("社区走访次数")], [*own_rows(declared, xingzhen), row("命案侦破率", xingzhen)]
    with slow_create(TargetRevision.objects):
        results = race(lambda: save(pk, mine, base, clerk), lambda: save(pk, theirs, base, xingzhen_clerk))
    assert all(isinstance(r, TargetRevision) for r in results), results
    table = TargetTable.objects.get(pk=pk)
    assert table.version == 3 and sorted(r.number for r in results) == [2, 3]
    def names(rows: list[dict]) -> set[str]:
        return {r["name"] for r in rows}

    assert names(own_rows(table)) == names(mine) and names(own_rows(table, xingzhen)) == names(theirs)


def test_two_writers_of_one_unit_over_the_same_form_exactly_one_wins(declared, clerk):
    second = get_user_model().objects.create_user("clerk_cg2", password="x")
    Membership.objects.create(user=second, unit=Department.objects.get(code=CG), role=Role.CLERK)
    pk, base = declared.pk, declared.version
    with slow_create(TargetRevision.objects):
        results = race(lambda: save(pk, [row("走访甲")], base, clerk), lambda: save(pk, [row("走访乙")], base, second))
    wins = [r for r in results if isinstance(r, TargetRevision)]
    conflicts = [r for r in results if isinstance(r, ContentConflict)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    assert conflicts[0].latest.number == 2
    table = TargetTable.objects.get(pk=pk)
    assert table.version == 2 and table.revisions.count() == 2
    assert own_rows(table) == [r for r in wins[0].data["indicators"] if r["unit"] == CG]
    assert len(own_rows(table)) == 1 and own_rows(table)[0]["name"] in ("走访甲", "走访乙")
