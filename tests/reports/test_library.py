"""The template library: the generic outline, versioned editing (a used version is frozen), a template per
department chosen at launch, and the demo's 区工商联 on it — whose .docx has none of the police headings."""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from departments.models import AuditEntry, Department, DepartmentSector
from reports.annual.outline_default import DEFAULT_OUTLINE
from reports.annual.services import cycle_launch, template_install_default
from reports.exports.services import build_to_file
from reports.library import selectors, services
from reports.library.demo import GSL, demo_general_load
from reports.library.outline_generic import GENERIC_CODE, GENERIC_OUTLINE
from reports.models import ExportKind, Report, ReportTemplate
from reports.review.demo import demo_report_load
from workflow.states import State

pytestmark = pytest.mark.django_db


def _titles(slots) -> set[str]:
    return {t for s in slots for t in (s.title, *_titles(s.children))}


POLICE_ONLY = _titles(DEFAULT_OUTLINE) - _titles(GENERIC_OUTLINE)


def test_the_generic_outline_follows_the_framework(db):
    template = services.template_install_generic()
    assert services.template_install_generic() == template  # idempotent
    top = [e.number + e.node.title for e in selectors.template_outline(template) if e.depth == 1]
    assert top == ["一、基本情况", "二、部门整体支出绩效目标", "三、绩效评价工作开展情况", "四、综合评价结论",
                   "五、绩效分析", "六、存在的问题", "七、有关建议", "八、其他需要说明的问题"]
    analysis = [e.node.title for e in selectors.template_outline(template) if e.node.parent and e.node.parent.key == "analysis"]
    assert analysis[:4] == ["决策", "过程", "产出", "效益"]
    assert all(e.node.guidance for e in selectors.template_outline(template) if e.node.kind)
    assert template.scoring_weights()["产出"] == 40 and "派出所" not in str(list(template.nodes.values("title")))


def test_editing_a_used_version_makes_the_next_one(demo, finance_admin, cycle):
    police = cycle.template
    assert police.is_frozen
    version, node = services.node_add(template=police, parent_key="results", title="社会满意度调查", kind="narrative",
                                      guidance="调查方式和结果。", actor=finance_admin)
    assert version.version == police.version + 1 and not version.is_frozen
    assert not police.nodes.filter(title="社会满意度调查").exists()  # the launched reports keep theirs
    again, _ = services.node_update(template=police, key="other", title="其他说明", kind="narrative",
                                    actor=finance_admin)
    assert again == version  # the open draft takes every further edit
    assert version.nodes.get(key="other").title == "其他说明" and police.nodes.get(key="other").title != "其他说明"
    assert AuditEntry.objects.filter(action__startswith="template.", actor=finance_admin).count() >= 3


def test_nodes_move_rename_and_remove_with_generated_numbers(db, finance_admin):
    template = services.template_install_generic()
    services.node_move(template=template, key="suggestions", step=-1, actor=finance_admin)
    numbers = {e.node.key: e.number for e in selectors.template_outline(template)}
    assert (numbers["suggestions"], numbers["problems"]) == ("六、", "七、")
    services.node_update(template=template, key="other", parent_key="analysis", title="其他", kind="narrative",
                         actor=finance_admin)
    assert template.nodes.get(key="other").parent.key == "analysis"
    with pytest.raises(ValidationError):
        services.node_update(template=template, key="analysis", parent_key="decision", title="绩效分析",
                             actor=finance_admin)  # under its own child
    services.node_remove(template=template, key="analysis", actor=finance_admin)
    assert not template.nodes.filter(key__in=["analysis", "decision", "other"]).exists()
    assert [e.number for e in selectors.template_outline(template) if e.depth == 1][-1] == "六、"


def test_weights_must_sum_to_100_and_grades_descend(db, finance_admin):
    template = services.template_install_generic()
    weights = {"budget_execution": "10", "产出": "50", "效益": "30", "满意度": "10"}
    grades = {"优": "85", "良": "75", "中": "60", "差": "0"}
    services.scoring_update(template=template, weights=weights, grades=grades, actor=finance_admin)
    template.refresh_from_db()
    assert template.scoring["产出"] == 50 and template.scoring["grades"]["优"] == 85
    with pytest.raises(ValidationError, match="合计须为 100 分，现为 90 分"):
        services.scoring_update(template=template, weights=weights | {"产出": "40"}, grades=grades, actor=finance_admin)
    with pytest.raises(ValidationError, match="依次降低"):
        services.scoring_update(template=template, weights=weights, grades=grades | {"良": "90"}, actor=finance_admin)


def test_only_the_finance_admin_edits_templates(demo, coordinator, client):
    template = services.template_install_generic()
    with pytest.raises(PermissionDenied):
        services.node_remove(template=template, key="other", actor=coordinator)
    client.force_login(coordinator)
    assert client.get(reverse("reports:template_list")).status_code == 404


def test_each_department_gets_its_template_by_sector_unless_chosen(demo, finance_admin):
    police_template, generic = template_install_default(), services.template_install_generic()
    police, education = demo["CG-GAFJ"], demo["CG-JTJ"]
    assert police.sector == DepartmentSector.PUBLIC_SECURITY
    found = selectors.templates_for([police, education])
    assert (found[police.pk], found[education.pk]) == (police_template, generic)
    services.department_template_set(department=education, code=police_template.code, actor=finance_admin)
    assert selectors.templates_for([education])[education.pk] == police_template
    draft = services.node_add(template=generic, title="新增", actor=finance_admin)[0]
    services.department_template_set(department=education, code=GENERIC_CODE, actor=finance_admin)
    assert selectors.templates_for([education])[education.pk] == draft  # the newest version


def test_a_cycle_launches_each_department_on_its_template(client, demo, finance_admin):
    template_install_default()
    generic = services.template_install_generic()
    client.force_login(finance_admin)
    form = client.get(reverse("reports:cycle_launch")).content.decode()
    assert "呈贡区教育体育局（演示）的报告模板" in form
    police, education = demo["CG-GAFJ"], demo["CG-JTJ"]
    defaults = selectors.templates_for([police, education])
    response = client.post(reverse("reports:cycle_launch"), {
        "year": 2022, "name": "2022年度自评", "opens_on": "2023-01-10", "due_on": "2023-03-31",
        "departments": [police.pk, education.pk],
        f"template_{police.pk}": defaults[police.pk].pk, f"template_{education.pk}": generic.pk,
    })
    assert response.status_code == 302
    reports = {r.department.code: r for r in Report.objects.filter(cycle__year=2022).select_related("template")}
    assert reports["CG-JTJ"].template == generic and reports["CG-GAFJ"].template == defaults[police.pk]
    titles = set(reports["CG-JTJ"].sections.values_list("node__title", flat=True))
    assert titles.isdisjoint(POLICE_ONLY) and "决策" in titles
    generic.refresh_from_db()
    assert generic.is_frozen


def test_the_second_department_writes_on_the_generic_template(demo, tmp_path):
    demo_report_load()
    out = demo_general_load()
    assert "本次新建单位 4 个、账号 7 个" in out
    assert "本次新建单位 0 个、账号 0 个" in demo_general_load()  # idempotent
    report = Report.objects.select_related("template").get(cycle__year=2021, department__code=GSL[0])
    assert report.template.code == GENERIC_CODE
    states = set(report.sections.values_list("state", flat=True))
    assert states == set(State.values)  # mixed: every state
    assert report.sections.filter(unit__name="经济服务部").exists()
    build_to_file(ExportKind.REPORT_DOCX, {"report": report.pk}, tmp_path / "gsl.docx")
    headings = [p.text for p in Document(str(tmp_path / "gsl.docx")).paragraphs if p.style.name.startswith("Heading")]
    assert "一、基本情况" in headings and "五、绩效分析" in headings
    text = "\n".join(headings)
    titles = {re.sub(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.|（\d+）|[a-z]\.)", "", h) for h in headings}
    assert titles.isdisjoint(POLICE_ONLY) and "决策" in titles
    assert not any(word in text for word in ("派出所", "公安", "打处", "严打", "警"))


def test_the_district_pages_show_both_departments(client, demo, finance_admin):
    demo_report_load()
    demo_general_load()
    client.force_login(finance_admin)
    page = client.get(reverse("reports:report_list")).content.decode()
    assert "昆明市公安局呈贡分局" in page and "呈贡区工商业联合会" in page
    cycle = Report.objects.get(department__code=GSL[0]).cycle
    generic = ReportTemplate.objects.get(code=GENERIC_CODE)
    progress = client.get(reverse("reports:progress"), {"cycle": cycle.pk, "template": generic.pk}).content.decode()
    assert "呈贡区工商业联合会" in progress and "决策" in progress


def test_template_pages_edit_through_the_browser_forms(client, demo, finance_admin, cycle):
    client.force_login(finance_admin)
    police = cycle.template
    page = client.get(reverse("reports:template_detail", args=[police.pk])).content.decode()
    assert "已冻结" in page
    response = client.post(reverse("reports:template_node_add", args=[police.pk]),
                           {"title": "附表", "parent_key": "", "kind": "narrative", "guidance": "附表说明"})
    draft = ReportTemplate.objects.get(code=police.code, version=police.version + 1)
    assert response.url == reverse("reports:template_detail", args=[draft.pk])
    bad = client.post(reverse("reports:template_scoring", args=[draft.pk]), {
        "w_budget_execution": "10", "w_产出": "50", "w_效益": "30", "w_满意度": "20",
        "g_优": "90", "g_良": "80", "g_中": "60", "g_差": "0"})
    assert bad.status_code == 400 and "合计须为 100 分" in bad.content.decode()
    choice = client.post(reverse("reports:template_assign"), {"department": demo["CG-JTJ"].pk, "code": police.code})
    assert choice.status_code == 302
    assert selectors.templates_for([Department.objects.get(code="CG-JTJ")])[demo["CG-JTJ"].pk] == draft


def test_a_cycle_takes_a_department_onboarded_later(demo, finance_admin):
    from reports.annual.services import cycle_extend

    generic = services.template_install_generic()
    cycle = cycle_launch(year=2023, name="2023", departments=[demo["CG-GAFJ"]], template=template_install_default(),
                         opens_on=date(2024, 1, 1), due_on=date(2024, 3, 31), actor=finance_admin)
    [report] = cycle_extend(cycle=cycle, departments=[demo["CG-JTJ"]], templates={demo["CG-JTJ"].pk: generic},
                            actor=finance_admin)
    assert report.template == generic and cycle.departments.count() == 2
    with pytest.raises(ValidationError, match="已参加"):
        cycle_extend(cycle=cycle, departments=[demo["CG-JTJ"]], templates={demo["CG-JTJ"].pk: generic},
                     actor=finance_admin)
