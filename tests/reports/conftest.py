from datetime import date

import pytest

from departments.models import Department
from reports.models import Report, Section
from reports.services import cycle_launch, template_install_default


@pytest.fixture
def cycle(demo, finance_admin):
    """A 2021 cycle over the police bureau and the demo department, with empty sections."""
    return cycle_launch(
        year=2021, name="2021年度部门整体支出绩效自评", template=template_install_default(),
        departments=list(Department.objects.filter(code__in=["CG-GAFJ", "CG-JTJ"]).order_by("code")),
        opens_on=date(2022, 1, 10), due_on=date(2022, 3, 31), actor=finance_admin,
    )


@pytest.fixture
def police_report(cycle) -> Report:
    return cycle.reports.get(department__code="CG-GAFJ")


def section_of(report: Report, key: str) -> Section:
    return report.sections.select_related("unit", "node", "report__cycle__template").get(node__key=key)
