"""Synthetic evaluation and monitoring data on a sample district (``departments.sample``), for the
scale tests and ``bench/district_pages.py``: a launched cycle with sections in mixed states, budget and
indicator figures that give a spread of grades, and two quarters of monitoring with some departments
behind the 序时进度 and some indicators at risk. Every name says it is sample data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from departments.models import Department, DepartmentKind, Membership, Role
from reports.annual.services import cycle_launch, template_install_default
from reports.models import AnnualTarget, EvaluationCycle, QuarterlyReport, Section, SectionKind, TargetTable
from workflow.states import State

YEAR, QUARTER = 2030, 3
BATCH = 2000
# Section states by node order for departments that are neither final nor at the finance stage.
MIXED = [State.DRAFT, State.SUBMITTED, State.LEADING_APPROVED, State.APPROVED, State.RETURNED]
TARGETS_PER_UNIT = 2
ANNUAL = Decimal("10000000.00")  # 元, each department's 全年预算 in the monitoring


@dataclass(frozen=True)
class SampleReports:
    cycle: EvaluationCycle
    admin: AbstractBaseUser
    reviewer: AbstractBaseUser
    departments: list[Department]


def _staff(prefix: str, bureau: Department) -> tuple[AbstractBaseUser, AbstractBaseUser]:
    users = get_user_model().objects
    admin, _ = users.get_or_create(username=f"{prefix.lower()}-admin", defaults={"first_name": "样本管理员"})
    reviewer, _ = users.get_or_create(
        username=f"{prefix.lower()}-reviewer", defaults={"first_name": "样本审核员"}
    )
    Membership.objects.get_or_create(user=admin, unit=bureau, role=Role.FINANCE_ADMIN)
    Membership.objects.get_or_create(user=reviewer, unit=bureau, role=Role.FINANCE_REVIEWER)
    return admin, reviewer


@transaction.atomic
def sample_reports_build(*, prefix: str, year: int = YEAR, quarter: int = QUARTER) -> SampleReports:
    """Reports, sections and quarterly monitoring for the sample district ``prefix`` (built before by
    ``departments.sample.sample_district_build``)."""
    bureau = Department.objects.get(code=f"{prefix}-CZJ")
    departments = list(
        Department.objects.filter(parent=bureau, kind=DepartmentKind.DEPARTMENT).order_by("code")
    )
    admin, reviewer = _staff(prefix, bureau)
    cycle = cycle_launch(
        year=year,
        name=f"{year}年度部门整体支出绩效自评（样本数据 {prefix}）",
        template=template_install_default(),
        departments=departments,
        opens_on=date(year + 1, 1, 10),
        due_on=date(year + 1, 3, 31),
        actor=admin,
    )
    _section_states(cycle, departments)
    _section_figures(cycle, departments)
    _quarters(departments, year, quarter)
    return SampleReports(cycle, admin, reviewer, departments)


def _section_states(cycle: EvaluationCycle, departments: list[Department]) -> None:
    """Every fifth department final, every fifth at the finance stage, the rest mixed by slot."""
    sections = Section.objects.filter(report__cycle=cycle)
    final = [d.pk for i, d in enumerate(departments) if i % 5 == 0]
    finance = [d.pk for i, d in enumerate(departments) if i % 5 == 1]
    sections.filter(report__department__in=final).update(state=State.APPROVED)
    sections.filter(report__department__in=finance).update(state=State.LEADING_APPROVED)
    rest = sections.exclude(report__department__in=final + finance)
    for n, state in enumerate(MIXED):
        rest.filter(node__order__in=[k for k in range(0, 100) if k % len(MIXED) == n]).update(state=state)


def _budget(i: int) -> dict[str, Any]:
    executed = ("1000000.00", "950000.00", "850000.00", "700000.00", "500000.00")[i % 5]
    return {
        "initial": "1000000.00",
        "income_fiscal": "1000000.00",
        "received": "1000000.00",
        "executed": executed,
    }


def _indicators(i: int) -> dict[str, Any]:
    actual = ("100", "98", "90", "75", "50")[i % 5]
    return {
        "rows": [
            {
                "level1": level1,
                "level2": level2,
                "name": f"样本指标{level1}",
                "nature": "≥",
                "target": "100",
                "unit": "%",
                "actual": actual,
                "weight": weight,
                "manual_score": "",
                "reason": "样本数据" if actual != "100" else "",
                "note": "",
            }
            for level1, level2, weight in (
                ("产出", "数量", "50"),
                ("效益", "社会效益", "30"),
                ("满意度", "服务对象满意度", "10"),
            )
        ]
    }


def _section_figures(cycle: EvaluationCycle, departments: list[Department]) -> None:
    """Budget and indicator figures: five levels of execution and completion, hence all four grades."""
    rank = {d.pk: i for i, d in enumerate(departments)}
    changed = []
    kinds = [SectionKind.BUDGET, SectionKind.INDICATORS]
    for section in Section.objects.filter(report__cycle=cycle, kind__in=kinds).select_related("report"):
        i = rank[section.report.department_id]
        extra = _budget(i) if section.kind == SectionKind.BUDGET else _indicators(i)
        section.data = {**section.data, **extra}
        changed.append(section)
    Section.objects.bulk_update(changed, ["data"], batch_size=BATCH)


def _quarters(departments: list[Department], year: int, quarter: int) -> None:
    units = _units_by_department(departments)
    tables = {t.department_id: t for t in TargetTable.objects.bulk_create(
        [TargetTable(department=d, year=year, state=State.APPROVED) for d in departments], batch_size=BATCH)}
    targets = AnnualTarget.objects.bulk_create(
        [
            AnnualTarget(
                table=tables[d.pk],
                department=d,
                unit=u,
                year=year,
                order=k,
                level1="产出",
                level2="数量",
                name=f"样本指标{u.code[-4:]}-{k}",
                nature="≥",
                target="100",
                measure_unit="%",
            )
            for d in departments
            for u in units[d.pk]
            for k in range(TARGETS_PER_UNIT)
        ],
        batch_size=BATCH,
    )
    by_unit: dict[int, list[AnnualTarget]] = {}
    for t in targets:
        by_unit.setdefault(t.unit_id, []).append(t)
    QuarterlyReport.objects.bulk_create(
        [
            _quarterly(d, i, u, year, q, by_unit[u.pk])
            for i, d in enumerate(departments)
            for u in units[d.pk]
            for q in (quarter - 1, quarter)
        ],
        batch_size=BATCH,
    )


def _units_by_department(departments: list[Department]) -> dict[int, list[Department]]:
    units: dict[int, list[Department]] = {d.pk: [d] for d in departments}
    for unit in (
        Department.objects.filter(budget_department__in=departments)
        .exclude(kind=DepartmentKind.DEPARTMENT)
        .order_by("code")
    ):
        units[unit.budget_department_id].append(unit)
    return units


def _quarterly(
    d: Department, i: int, unit: Department, year: int, quarter: int, targets: list[AnnualTarget]
) -> QuarterlyReport:
    main = unit.pk == d.pk
    rows = {str(t.pk): _row(quarter, k + unit.pk) for k, t in enumerate(targets)}
    data: dict[str, Any] = {"rows": rows}
    if main:
        share = (("0.20", "0.45"), ("0.30", "0.80"), ("0.50", "0.45"), ("0.40", "0.78"))[i % 4][quarter % 2]
        data["budget"] = {
            "initial": "10000000.00",
            "annual": "10000000.00",
            "executed": f"{ANNUAL * Decimal(share):.2f}",
            "expected": "10000000.00",
            "reason": "",
        }
        data["explanations"] = {"quarterly.behind_checkpoint": "样本数据：项目支出集中在第四季度。"}
    return QuarterlyReport(
        target_table_id=targets[0].table_id if targets else None,
        department=d,
        unit=unit,
        year=year,
        quarter=quarter,
        is_main=main,
        due_on=date(year, 3 * quarter + 1, 15),
        data=data,
        state=(State.APPROVED, State.SUBMITTED, State.DRAFT)[(i + unit.pk) % 3],
    )


def _row(quarter: int, k: int) -> dict[str, str]:
    at_risk = k % 6 == 5
    return {
        "actual": str(20 * quarter + k % 7),
        "expected": "100",
        "likelihood": "possible" if at_risk else "certain",
        "cause": "staff" if at_risk else "",
        "measures": "样本数据：加快进度。" if at_risk else "",
    }
