"""Migrations 0009/0010: targets made before target tables existed become edition 1 of an approved table per
department and year, the quarters of that year monitor it, and every target then belongs to a table.

Runs the real migrations (``MigrationExecutor``) on the test database: SQLite by default, PostgreSQL when
``DATABASE_URL`` points at one (the services run)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reports", "0008_target_tables")]
AFTER = [("reports", "0010_annualtarget_table_required")]


def _migrate(targets: list[tuple[str, str]]):  # noqa: ANN202
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():  # noqa: ANN201
    """The schema as of 0008 (targets without a table); the latest schema restored afterwards."""
    apps = _migrate(BEFORE)
    yield apps
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _department(apps, code: str, parent=None):  # noqa: ANN001, ANN202
    Department = apps.get_model("departments", "Department")
    path = f"{parent.path}{code}/" if parent else f"/{code}/"
    unit = Department.objects.create(code=code, name=f"单位{code}", kind="internal_unit" if parent else "department",
                                     parent=parent, path=path)
    unit.budget_department = parent or unit
    unit.save()
    return unit


def _target(apps, department, unit, year: int, order: int, name: str, weight: str = "10"):  # noqa: ANN001, ANN202
    return apps.get_model("reports", "AnnualTarget").objects.create(
        department=department, unit=unit, year=year, order=order, level1="产出", level2="数量", name=name,
        nature="≥", target="95", measure_unit="%", weight=Decimal(weight))


def _quarter(apps, department, unit, year: int, quarter: int):  # noqa: ANN001, ANN202
    return apps.get_model("reports", "QuarterlyReport").objects.create(
        department=department, unit=unit, year=year, quarter=quarter, due_on=date(year, 4, 15))


def test_existing_targets_become_approved_tables_that_the_quarters_monitor(old_apps):
    police, other = _department(old_apps, "MIG-A"), _department(old_apps, "MIG-B")
    station = _department(old_apps, "MIG-A-1", police)
    late = _target(old_apps, police, station, 2021, 2, "刑事案件打处人数", "12.50")
    first = _target(old_apps, police, police, 2021, 1, "矛盾纠纷排查化解率")
    next_year = _target(old_apps, police, police, 2022, 1, "预算执行进度")
    theirs = _target(old_apps, other, other, 2021, 1, "非税收入上缴国库比例")
    q1, q2 = _quarter(old_apps, police, station, 2021, 1), _quarter(old_apps, police, police, 2021, 2)
    untracked = _quarter(old_apps, other, other, 2023, 1)  # no targets that year: nothing to monitor

    apps = _migrate(AFTER)

    TargetTable = apps.get_model("reports", "TargetTable")
    AnnualTarget = apps.get_model("reports", "AnnualTarget")
    QuarterlyReport = apps.get_model("reports", "QuarterlyReport")
    tables = {(t.department_id, t.year): t for t in TargetTable.objects.all()}
    assert set(tables) == {(police.pk, 2021), (police.pk, 2022), (other.pk, 2021)}
    assert {(t.edition, t.state, t.based_on_id) for t in tables.values()} == {(1, "approved", None)}
    table = tables[(police.pk, 2021)]
    assert table.data == {"goal": "", "tasks": [], "indicators": [
        {"level1": "产出", "level2": "数量", "name": "矛盾纠纷排查化解率", "nature": "≥", "target": "95",
         "measure_unit": "%", "weight": "10", "standard": "", "unit": "MIG-A"},
        {"level1": "产出", "level2": "数量", "name": "刑事案件打处人数", "nature": "≥", "target": "95",
         "measure_unit": "%", "weight": "12.5", "standard": "", "unit": "MIG-A-1"},
    ]}
    owners = dict(AnnualTarget.objects.values_list("pk", "table_id"))
    assert owners == {first.pk: table.pk, late.pk: table.pk, next_year.pk: tables[(police.pk, 2022)].pk,
                      theirs.pk: tables[(other.pk, 2021)].pk}
    monitored = dict(QuarterlyReport.objects.values_list("pk", "target_table_id"))
    assert monitored == {q1.pk: table.pk, q2.pk: table.pk, untracked.pk: None}
    # 0010: from now on a target always belongs to a table
    assert not AnnualTarget._meta.get_field("table").null
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualTarget.objects.create(department_id=police.pk, unit_id=police.pk, year=2024, level1="产出",
                                    level2="数量", name="无表指标", nature="≥", target="1")


def test_without_targets_the_migration_creates_no_table(old_apps):
    police = _department(old_apps, "MIG-C")
    _quarter(old_apps, police, police, 2021, 1)
    apps = _migrate(AFTER)
    assert not apps.get_model("reports", "TargetTable").objects.exists()
    assert apps.get_model("reports", "QuarterlyReport").objects.get().target_table_id is None
