"""Factories for org units and users (services keep paths right)."""

import factory
from django.contrib.auth import get_user_model

from departments.models import Department, DepartmentKind
from departments.services import department_save


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-Test-123")


def make_unit(code: str, name: str, kind: str = DepartmentKind.INTERNAL_UNIT, parent: Department | None = None,
              order: int = 0) -> Department:
    return department_save(department=Department(code=code, name=name, kind=kind, parent=parent, order=order))


def make_district(departments: int, units: int) -> Department:
    """A finance bureau with N departments of M units each, through the same code as generate_sample."""
    from departments.sample import sample_district_build

    return sample_district_build(departments=departments, units=units, prefix="T")


def section_of(report, key: str):
    """The section of a report for one outline slot, by the slot's key."""
    return report.sections.select_related("unit", "node", "report__template").get(node__key=key)


def approved_targets(department: Department, year: int):  # noqa: ANN201
    """The department's approved target table for the year (created approved, without the workflow)."""
    from reports.models import TargetTable
    from workflow.states import State

    table, _ = TargetTable.objects.get_or_create(department=department, year=year, edition=1,
                                                 defaults={"state": State.APPROVED})
    return table
