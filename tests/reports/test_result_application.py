"""评价结果应用: recorded by the finance bureau, audited, shown in the district score table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from departments.models import AuditEntry, Department
from reports.exports.services import build_to_file
from reports.models import ExportKind, ResultApplication
from reports.rectification import services
from reports.rectification.selectors import application_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(demo_report_loaded) -> Department:
    return Department.objects.get(code="CG-GAFJ")


def test_the_finance_reviewer_records_and_changes_it_audited(police, finance_reviewer):
    values = {"grade": "优", "budget_link": "reduce", "percent": Decimal("5"), "circulated": True, "note": "执行进度慢"}
    application = services.result_application_save(department=police, year=2021, values=values,
                                                   actor=finance_reviewer)
    assert application_summary(application) == "预算安排压减 5%；通报"
    services.result_application_save(department=police, year=2021, values={"interview": True},
                                     actor=finance_reviewer)
    assert ResultApplication.objects.get().interview
    entries = AuditEntry.objects.filter(action="result_application.save").order_by("id")
    assert [e.summary for e in entries] == ["记录2021年度评价结果应用", "修改2021年度评价结果应用"]
    assert entries[1].changes == {"interview": ["False", "True"]}


def test_only_the_finance_bureau_records_it(police, coordinator):
    with pytest.raises(PermissionDenied):
        services.result_application_save(department=police, year=2021, values={"grade": "优"}, actor=coordinator)


def test_the_form_defaults_to_the_grade_and_names_bad_fields(police, finance_reviewer, coordinator, client):
    url = reverse("reports:result_application", args=[police.pk, 2021])
    client.force_login(finance_reviewer)
    page = client.get(url).content.decode()
    assert '<option value="优" selected>' in page
    bad = client.post(url, {"grade": "优", "amount": "50万元"})
    assert bad.status_code == 400 and "预算安排挂钩：填写了金额或比例时须选择" in bad.content.decode()
    assert client.post(url, {"grade": "优", "amount": "abc", "budget_link": "reduce"}).status_code == 400
    ok = client.post(url, {"grade": "良", "amount": "50万元", "budget_link": "reduce", "key_next_year": "on"})
    assert ok.status_code == 302
    assert ResultApplication.objects.get().amount == Decimal("500000.00")
    client.force_login(coordinator)
    assert client.get(url).status_code == 404


def test_the_district_score_table_shows_it(police, finance_reviewer, tmp_path):
    services.result_application_save(department=police, year=2021, actor=finance_reviewer, values={
        "grade": "优", "budget_link": "increase", "amount": Decimal("500000"), "key_next_year": True})
    departments = list(Department.objects.filter(kind="department").order_by("order", "code"))
    build_to_file(ExportKind.DISTRICT_SCORES, {"year": 2021, "department_ids": [d.pk for d in departments]},
                  tmp_path / "d.xlsx")
    sheet = load_workbook(tmp_path / "d.xlsx").active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=5, max_row=4 + len(departments), values_only=True)}
    assert rows["昆明市公安局呈贡分局"][-1] == "预算安排增加 50.00万元；纳入下年重点评价"
    assert rows["呈贡区教育体育局（演示）"][-1] == "未记录"
