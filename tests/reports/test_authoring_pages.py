"""The clerk's pages: 我的填报, edit per kind, conflicts, history, scope."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.annual.kinds import GENERATED_KINDS
from reports.models import Section, SectionRevision
from tests.factories import section_of

pytestmark = pytest.mark.django_db


def field_errors(response) -> list[str]:
    return re.findall(r'class="field-error">([^<]*)<', response.content.decode())


def post_budget(client, section, base_version, **fields):
    data = {"base_version": str(base_version), "f-input_unit": "wan", "f-text": ""}
    data |= {f"f-{k}": v for k, v in fields.items()}
    return client.post(reverse("reports:section_edit", args=[section.pk]), data)


def test_launch_creates_a_report_per_department_with_a_section_per_slot(cycle, police_report):
    assert cycle.reports.count() == 2
    slots = cycle.template.nodes.exclude(kind="").exclude(kind__in=GENERATED_KINDS).count()
    assert police_report.sections.count() == slots
    assert section_of(police_report, "overview").unit.name == "警务保障室"
    assert section_of(police_report, "risk_prevention").unit.name == "城关派出所"
    assert section_of(police_report, "drugs").unit.name == "禁毒大队"
    assert cycle.template.is_frozen


def test_clerk_sees_only_its_units_sections(client, clerk, police_report):
    client.force_login(clerk)
    page = client.get(reverse("reports:section_list")).content.decode()
    assert "全力做好重大风险防范化解" in page and "持续释放便民利民红利" in page
    assert "部门整体支出概况" not in page


def test_clerk_cannot_open_another_units_section(client, clerk, police_report):
    client.force_login(clerk)
    budget = section_of(police_report, "overview")
    for name in ("section_detail", "section_edit", "section_history"):
        assert client.get(reverse(f"reports:{name}", args=[budget.pk])).status_code == 404
    assert client.get(reverse("reports:report_detail", args=[police_report.pk])).status_code == 404


def test_outsider_gets_404_on_the_police_report(client, outsider, police_report):
    client.force_login(outsider)
    own = section_of(police_report, "risk_prevention")
    assert client.get(reverse("reports:section_detail", args=[own.pk])).status_code == 404
    assert client.get(reverse("reports:report_detail", args=[police_report.pk])).status_code == 404


def test_amounts_in_yuan_and_wan_are_stored_exactly(client, coordinator, police_report):
    client.force_login(coordinator)
    budget = section_of(police_report, "overview")
    response = post_budget(client, budget, 0, initial="37,364.61", received="373646100元",
                           executed="３７３６４.６１", carried_over="0")
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.data["initial"] == "373646100.00"
    assert budget.data["received"] == "373646100.00"
    assert budget.data["executed"] == "373646100.00"
    assert budget.version == 1 and budget.revisions.count() == 1


def test_a_bad_amount_names_the_field_and_saves_nothing(client, coordinator, police_report):
    client.force_login(coordinator)
    budget = section_of(police_report, "overview")
    response = post_budget(client, budget, 0, initial="12万3", executed="0.0000001")
    assert response.status_code == 400
    errors = field_errors(response)
    assert any(e.startswith("年初预算数：") and "不是有效的数字" in e for e in errors)
    assert any(e.startswith("全年执行数（B）：") and "精确到分" in e for e in errors)
    budget.refresh_from_db()
    assert budget.version == 0 and not SectionRevision.objects.filter(section=budget).exists()


def test_a_stale_save_is_refused_and_the_users_text_kept(client, coordinator, police_report):
    client.force_login(coordinator)
    budget = section_of(police_report, "overview")
    assert post_budget(client, budget, 0, initial="100", text="第一次").status_code == 302
    response = post_budget(client, budget, 0, initial="200", text="我写的另一段话")
    assert response.status_code == 409
    page = response.content.decode()
    assert "保存冲突" in page and "我写的另一段话" in page
    budget.refresh_from_db()
    assert budget.version == 1 and budget.data["initial"] == "1000000.00"


def test_history_shows_who_changed_what(client, coordinator, police_report):
    client.force_login(coordinator)
    budget = section_of(police_report, "overview")
    post_budget(client, budget, 0, initial="100", text="预算收入一百万元。")
    post_budget(client, budget, 1, initial="120.5", text="预算支出一百二十万元。")
    page = client.get(reverse("reports:section_history", args=[budget.pk])).content.decode()
    assert "第 2 版" in page and "李芳" in page
    assert "<del>收入</del><ins>支出</ins>" in page and "<ins>二十</ins>" in page
    assert "100 万元" in page and "120.5 万元" in page


def test_warnings_need_an_explanation(client, coordinator, police_report):
    client.force_login(coordinator)
    budget = section_of(police_report, "overview")
    post_budget(client, budget, 0, initial="100", executed="50")
    budget.refresh_from_db()
    assert budget.warning_count == 1
    response = client.post(reverse("reports:section_edit", args=[budget.pk]), {
        "base_version": "1", "f-input_unit": "wan", "f-initial": "100", "f-executed": "50", "f-text": "",
        "explain:budget.execution_low": "项目延期到下一年度执行。",
    })
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.warning_count == 0
    assert budget.data["explanations"] == {"budget.execution_low": "项目延期到下一年度执行。"}


def test_live_compute_returns_figures_without_saving(client, coordinator, police_report):
    client.force_login(coordinator)
    budget = section_of(police_report, "overview")
    response = client.post(reverse("reports:section_compute", args=[budget.pk]), {
        "f-input_unit": "wan", "f-initial": "200", "f-executed": "150", "f-text": "执行率{执行率}",
    })
    body = response.json()
    assert body["ok"] and "执行率75.00%" in body["html"]
    budget.refresh_from_db()
    assert budget.version == 0


def test_locked_section_cannot_be_saved(client, coordinator, police_report):
    client.force_login(coordinator)
    budget = section_of(police_report, "overview")
    Section.objects.filter(pk=budget.pk).update(state="submitted")
    response = post_budget(client, budget, 0, initial="1", text="在旧标签页里写的一段话。")
    # nothing is saved, nothing typed is lost: the page shows it again, to copy
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="typed-text"' in page and "在旧标签页里写的一段话。" in page and "复制我输入的内容" in page
    assert "保存并提交审核" not in page and ">保存</button>" not in page
    response = client.post(reverse("reports:section_compute", args=[budget.pk]), {"f-input_unit": "wan"})
    budget.refresh_from_db()
    assert budget.version == 0


def test_report_page_shows_the_checklist_and_numbering(client, coordinator, police_report):
    client.force_login(coordinator)
    page = client.get(reverse("reports:report_detail", args=[police_report.pk])).content.decode()
    assert "检查清单" in page
    for heading in ("一、基本情况", "（一）部门整体支出概况", "四、存在的问题", "五、有关建议", "六、其他需要说明的问题",
                    "a.严打涉毒违法犯罪"):
        assert heading in page


def test_coordinator_assigns_a_section_to_a_unit(client, coordinator, clerk, police_report, demo):
    client.force_login(coordinator)
    section = section_of(police_report, "assets")
    response = client.post(reverse("reports:section_assign", args=[section.pk]), {"unit": demo["CG-GAFJ-P01"].pk})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.unit.code == "CG-GAFJ-P01"
    client.force_login(clerk)
    assert client.get(reverse("reports:section_edit", args=[section.pk])).status_code == 200


def test_assigning_outside_the_department_is_refused(client, coordinator, police_report, demo):
    client.force_login(coordinator)
    section = section_of(police_report, "assets")
    client.post(reverse("reports:section_assign", args=[section.pk]), {"unit": demo["CG-JTJ-N01"].pk})
    section.refresh_from_db()
    assert section.unit.name == "警务保障室"


def test_clerk_cannot_assign(client, clerk, police_report, demo):
    client.force_login(clerk)
    section = section_of(police_report, "risk_prevention")
    response = client.post(reverse("reports:section_assign", args=[section.pk]), {"unit": demo["CG-GAFJ-P02"].pk})
    assert response.status_code == 404


def _list_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("reports:section_list")).status_code == 200
    return len(ctx.captured_queries)


def test_my_sections_query_count_is_constant_from_10_to_500_sections(client, coordinator, police_report):
    sections = list(police_report.sections.all())
    Section.objects.exclude(pk__in=[s.pk for s in sections[:10]]).filter(report=police_report).update(
        unit=police_report.department)
    Section.objects.filter(report=police_report).exclude(pk__in=[s.pk for s in sections[:10]]).delete()
    few = _list_queries(client, coordinator)
    template = sections[0]
    # one section per (report, node): spread the clones over extra reports of other cycles
    from reports.annual.services import template_install_default  # noqa: F401
    from reports.models import Report

    reports = []
    for year in range(1, 50):
        cycle = police_report.cycle
        cycle.pk = None
        cycle.year = 2021 + year
        cycle.save()
        reports.append(Report.objects.create(cycle=cycle, department=police_report.department,
                                             template=police_report.template))
    nodes = list(police_report.template.nodes.exclude(kind=""))[:10]
    Section.objects.bulk_create([
        Section(report=r, node=n, unit=template.unit, kind=n.kind, data={}) for r in reports for n in nodes
    ])
    assert Section.objects.filter(report__department=police_report.department).count() == 500
    many = _list_queries(client, coordinator)
    assert few == many


def test_history_of_a_section_never_saved(client, coordinator, police_report):
    """A launched section has no revision until someone saves it; its history page still answers."""
    section = police_report.sections.filter(revisions__isnull=True).first()
    client.force_login(coordinator)
    response = client.get(reverse("reports:section_history", args=[section.pk]))
    assert response.status_code == 200 and SectionRevision.objects.filter(section=section).count() == 0
