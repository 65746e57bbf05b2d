"""A synthetic district for benchmarks; every name says it is sample data."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Department, DepartmentKind, Membership, Role
from .services import department_save, unit_path

SAMPLE_KINDS = [DepartmentKind.INTERNAL_UNIT, DepartmentKind.POLICE_STATION, DepartmentKind.CUSTODY]


def _bureau(prefix: str) -> Department:
    code = f"{prefix}-CZJ"
    existing = Department.objects.filter(code=code).first()
    if existing:
        return existing
    return department_save(department=Department(
        code=code, name=f"样本区财政局（样本数据 {prefix}）", kind=DepartmentKind.FINANCE_BUREAU, order=900
    ))


@transaction.atomic
def sample_district_build(*, departments: int, units: int, prefix: str = "SAMPLE") -> Department:
    """Bulk-create N departments of M units each, a clerk per unit and a coordinator,
    group leader and finance reviewer per department. Existing codes are kept."""
    bureau = _bureau(prefix)
    existing = set(Department.objects.filter(code__startswith=f"{prefix}-D").values_list("code", flat=True))
    new_depts = [
        Department(code=code, name=f"样本部门{n:04d}（样本数据）", kind=DepartmentKind.DEPARTMENT, parent=bureau,
                   order=n, path=unit_path(code, bureau))
        for n in range(1, departments + 1)
        if (code := f"{prefix}-D{n:04d}") not in existing
    ]
    Department.objects.bulk_create(new_depts, batch_size=1000)
    depts = list(Department.objects.filter(code__in=[d.code for d in new_depts]))
    for dept in depts:
        dept.budget_department = dept
    Department.objects.bulk_update(depts, ["budget_department"], batch_size=1000)
    new_units = [
        Department(code=f"{d.code}-U{m:03d}", name=f"样本单位{m:03d}", kind=SAMPLE_KINDS[m % 3], parent=d,
                   order=m, path=unit_path(f"{d.code}-U{m:03d}", d), budget_department=d)
        for d in depts for m in range(1, units + 1)
    ]
    Department.objects.bulk_create(new_units, batch_size=2000)
    _sample_users(prefix, depts, new_units)
    return bureau


def _sample_users(prefix: str, depts: list[Department], units: list[Department]) -> None:
    user_model = get_user_model()
    people = [(f"{prefix.lower()}_{u.code.lower()}", u, Role.CLERK, False) for u in units]
    for d in depts:
        tag = d.code.lower()
        people += [
            (f"{prefix.lower()}_{tag}_coord", d, Role.COORDINATOR, False),
            (f"{prefix.lower()}_{tag}_leader", d, Role.LEADER, True),
            (f"{prefix.lower()}_{tag}_fin", d, Role.FINANCE_REVIEWER, False),
        ]
    users = [user_model(username=name, first_name="样本用户", password="!") for name, *_ in people]
    user_model.objects.bulk_create(users, batch_size=2000, ignore_conflicts=True)
    ids = dict(user_model.objects.filter(username__in=[p[0] for p in people]).values_list("username", "pk"))
    Membership.objects.bulk_create(
        [Membership(user_id=ids[name], unit=unit, role=role, is_group_leader=gl) for name, unit, role, gl in people],
        batch_size=2000,
        ignore_conflicts=True,
    )
