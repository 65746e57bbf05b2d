"""Next year sees it: the 2022 report lists 2021's 整改事项 with state and result; open ones are warnings."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from departments.models import Department
from reports.annual import checks, rendering, selectors
from reports.annual.services import cycle_launch, section_save
from reports.models import Report, Section
from reports.rectification import services
from workflow import services as wf

pytestmark = pytest.mark.django_db


def _item(reviewer, problem: str, unit: str = "CG-GAFJ-P01"):
    police = Department.objects.get(code="CG-GAFJ")
    return services.item_raise_directly(department=police, year=2021, unit=Department.objects.get(code=unit),
                                        problem=problem, due_on=date(2022, 6, 30), actor=reviewer)


def _close(item, clerk, leader, reviewer) -> None:
    services.item_save(item=item, measures="制定对账制度", result="已按月对账", due_on=item.due_on, unit=item.unit,
                       base_version=item.version, actor=clerk)
    for action, actor in ((wf.submit, clerk), (wf.leading_approve, leader), (wf.finance_approve, reviewer)):
        item.refresh_from_db()
        action(item=item, actor=actor, version=item.version)


@pytest.fixture
def year2022(demo_report_loaded, finance_reviewer, finance_admin, clerk, group_leader):
    closed = _item(finance_reviewer, "公务卡结算不及时")
    _close(closed, clerk, group_leader, finance_reviewer)
    _item(finance_reviewer, "固定资产账实不符")
    template = Report.objects.get(cycle__year=2021, department__code="CG-GAFJ").cycle.template
    cycle = cycle_launch(year=2022, name="2022年度部门整体支出绩效自评", template=template,
                         departments=list(Department.objects.filter(code__in=["CG-GAFJ", "CG-JTJ"]).order_by("code")),
                         opens_on=date(2023, 1, 10), due_on=date(2099, 3, 31), actor=finance_admin)
    return cycle.reports.select_related("cycle__template", "department").get(department__code="CG-GAFJ")


def _section(report: Report) -> Section:
    return report.sections.select_related("report__cycle__template", "report__department", "unit", "node").get(
        kind="rectification")


def _findings(section: Section) -> list:
    ctx = checks.context_for(section.report, checks.figure_sections(section.report))
    return checks.section_findings(section.kind, section.data, ctx)


def test_the_next_years_report_gets_the_section_listing_each_item_with_state_and_result(year2022):
    section = _section(year2022)
    assert section.unit.name == "警务保障室"
    parts = rendering.render_report(year2022, selectors.report_nodes(year2022), selectors.report_sections(year2022))
    headings = [p.entry.number + p.entry.node.title for p in parts if p.entry.depth == 1]
    assert headings[3:5] == ["四、上年评价发现问题整改情况", "五、存在的问题"]
    rendered = next(p.rendered for p in parts if p.rendered and p.rendered.section.pk == section.pk)
    texts = [item["text"] for _, item in rendered.items]
    assert texts[0].startswith("公务卡结算不及时（责任单位：城关派出所；已销号）整改结果：已按月对账")
    assert texts[1].startswith("固定资产账实不符（责任单位：城关派出所；整改中）")


def test_a_department_without_items_gets_no_such_section_and_keeps_its_numbering(year2022):
    other = Report.objects.get(cycle=year2022.cycle, department__code="CG-JTJ")
    assert not other.sections.filter(kind="rectification").exists()
    titles = [n.title for n in selectors.report_nodes(other)]
    assert "上年评价发现问题整改情况" not in titles
    police_2021 = Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")
    assert "上年评价发现问题整改情况" not in [n.title for n in selectors.report_nodes(police_2021)]


def test_an_open_item_is_a_warning_and_notes_are_required(year2022, coordinator):
    section = _section(year2022)
    codes = {f.issue.code: f for f in _findings(section)}
    open_codes = [c for c in codes if c.startswith("rectification.open.")]
    assert len(open_codes) == 1 and not codes[open_codes[0]].is_error
    assert "固定资产账实不符" in codes[open_codes[0]].issue.message
    assert sum(1 for c in codes if c.startswith("rectification.note.")) == 2  # the coordinator completes it
    data = section.data | {"items": [row | {"note": "已整改到位"} for row in section.data["items"]],
                           "explanations": {open_codes[0]: "资产清查 2023 年二季度完成"}}
    result = section_save(section=section, data=data, base_version=section.version, actor=coordinator)
    assert checks.counts(result.findings) == (0, 0)
    wf.submit(item=result.section, actor=coordinator, version=result.section.version)


def test_an_item_raised_later_is_added_by_regenerating_keeping_the_notes(year2022, coordinator, finance_reviewer):
    section = _section(year2022)
    data = section.data | {"items": [row | {"note": "说明"} for row in section.data["items"]]}
    section_save(section=section, data=data, base_version=section.version, actor=coordinator)
    _item(finance_reviewer, "政府采购程序不规范")
    assert any(f.issue.code.startswith("rectification.missing.") for f in _findings(_section(year2022)))
    services.prior_section_generate(report=year2022, actor=coordinator)
    section = _section(year2022)
    assert [row["note"] for row in section.data["items"]] == ["说明", "说明", ""]
    assert not any(f.issue.code.startswith("rectification.missing.") for f in _findings(section))


def test_generating_is_the_coordinators_and_needs_items(year2022, coordinator, clerk, client):
    police_2021 = Report.objects.select_related("cycle__template", "department").get(
        cycle__year=2021, department__code="CG-GAFJ")
    with pytest.raises(ValidationError, match="没有已确认的整改事项"):
        services.prior_section_generate(report=police_2021, actor=coordinator)
    with pytest.raises(PermissionDenied):
        services.prior_section_generate(report=year2022, actor=clerk)
    client.force_login(coordinator)
    page = client.get(reverse("reports:rectification_sources", args=[year2022.pk])).content.decode()
    assert "固定资产账实不符" in page and "生成/更新本报告" in page
    edit = client.get(reverse("reports:section_edit", args=[_section(year2022).pk]))
    assert edit.status_code == 200 and "整改情况说明" in edit.content.decode()
    detail = client.get(reverse("reports:report_detail", args=[year2022.pk])).content.decode()
    assert "四、上年评价发现问题整改情况" in detail and "尚未销号" in detail


def test_the_coordinator_completes_it_in_the_form(year2022, coordinator, client):
    section = _section(year2022)
    rows = section.data["items"]
    post = {"base_version": section.version, "f-text": "上年发现问题已大部分整改。", "items-TOTAL_FORMS": len(rows),
            "items-INITIAL_FORMS": len(rows), "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 500}
    for i, row in enumerate(rows):
        post |= {f"items-{i}-item": row["item"], f"items-{i}-problem": row["problem"], f"items-{i}-note": f"说明{i}"}
    client.force_login(coordinator)
    assert client.post(reverse("reports:section_edit", args=[section.pk]), post).status_code == 302
    section.refresh_from_db()
    assert [r["note"] for r in section.data["items"]] == ["说明0", "说明1"]
    assert section.data["text"] == "上年发现问题已大部分整改。"
