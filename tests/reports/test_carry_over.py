"""Prior year carried over (DESIGN §11): at cycle launch, and again when last year's report is approved later."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports import figures as fig
from reports.annual import carry, checks
from reports.annual.kinds import KINDS
from reports.annual.services import cycle_launch, report_carry_over, section_save, template_install_default
from reports.models import Report, Section
from reports.rectification.demo import demo_rectification_load
from reports.review.demo import demo_report_load
from workflow import services as wf
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_2021(demo_report_loaded) -> Report:
    """The demo's 2021 report, its figures sections approved once (some reopened since), loaded once per module."""
    return Report.objects.select_related("cycle", "department").get(cycle__year=2021, department__code="CG-GAFJ")


def _launch(report: Report, admin, year: int = 2022) -> Report:
    cycle = cycle_launch(year=year, name=f"{year}年度部门整体支出绩效自评", template=template_install_default(),
                         departments=[report.department], opens_on=date(year + 1, 1, 10),
                         due_on=date(year + 1, 3, 31), actor=admin)
    return cycle.reports.select_related("cycle", "department").get()


def _section(report: Report, key: str) -> Section:
    return report.sections.select_related("node", "unit").get(node__key=key)


def _same(a, b) -> bool:
    return fig.to_decimal(a) == fig.to_decimal(b)


def test_launching_the_next_year_fills_every_prior_value_from_the_approved_sections(report_2021, finance_admin):
    report = _launch(report_2021, finance_admin)
    budget = _section(report, "overview").data
    assert budget["carried_over"] == "0.00"  # 2021's 年末结转结余 is 2022's 上年结转
    three = _section(report, "three_public").data
    assert three["rows"]["reception"]["prior"] == "1480.00"
    assert three["rows"]["vehicle_operation"]["prior"] == "2692000.00"
    figures = {f["name"]: f for f in _section(report, "crackdown").data["figures"]}
    assert (figures["打处"]["prior"], figures["打处"]["value"], figures["打处"]["unit"]) == ("497", "", "人")
    assert _section(report, "indicators").data["prior_actuals"]["刑事案件打处人数"] == "497"
    assert _section(report, "crackdown").data["carry"]["year"] == 2021
    # public_order is back with its writers (reopened, returned): its approved version carries over
    assert _section(report_2021, "public_order").state == State.RETURNED
    assert _section(report, "public_order").data["carry"]["values"]["figures.零发案小区.prior"] == "136"


def test_a_section_never_approved_carries_nothing(report_2021, finance_admin):
    report_2022 = _launch(report_2021, finance_admin)  # its sections are drafts, never approved
    report_2023 = _launch(report_2022, finance_admin, 2023)
    assert not any("carry" in s.data for s in report_2023.sections.all())
    assert _section(report_2023, "crackdown").data["figures"] == []


def test_a_reopened_section_carries_its_approved_version_not_the_correction_under_way(
        report_2021, finance_admin, coordinator):
    section = _section(report_2021, "crackdown")
    assert section.state == State.RETURNED
    data = section.data | {"figures": [dict(f, value="500") if f["name"] == "打处" else f
                                       for f in section.data["figures"]]}
    section_save(section=section, data=data, base_version=section.version, actor=coordinator)
    figures = {f["name"]: f for f in _section(_launch(report_2021, finance_admin), "crackdown").data["figures"]}
    assert figures["打处"]["prior"] == "497"


def test_change_is_computed_from_the_carried_prior(report_2021, finance_admin):
    section = _section(_launch(report_2021, finance_admin), "crackdown")
    data = section.data
    data["figures"] = [dict(f, value="600") if f["name"] == "打处" else f for f in data["figures"]]
    computed = KINDS["statistics"].compute(data)
    change = next(f["change"] for f in computed["figures"] if f["name"] == "打处")
    assert change == (Decimal(600) - 497) / 497


def test_a_changed_prior_value_needs_a_reason(report_2021, finance_admin):
    report = _launch(report_2021, finance_admin)
    section = _section(report, "three_public")
    data = section.data
    data["rows"]["reception"]["prior"] = "2000.00"
    ctx = checks.context_for(report, checks.figure_sections(report))
    (finding,) = [f for f in checks.section_findings("three_public", data, ctx) if f.issue.code.startswith("carry.")]
    assert finding.blocking and "审定为 1480.00，现为 2000.00" in finding.issue.message
    data["explanations"] = {finding.issue.code: "上年决算经审计调整。"}
    (finding,) = [f for f in checks.section_findings("three_public", data, ctx) if f.issue.code.startswith("carry.")]
    assert not finding.blocking


def test_the_carry_marker_survives_a_save(report_2021, finance_admin, coordinator):
    report = _launch(report_2021, finance_admin)
    section = _section(report, "three_public")
    data = {k: v for k, v in section.data.items() if k != "carry"}  # what a form posts
    section_save(section=section, data=data, base_version=section.version, actor=coordinator)
    section.refresh_from_db()
    assert section.data["carry"]["values"]["rows.reception.prior"] == "1480.00"


def test_the_demo_2021_report_arrived_with_2020s_approved_figures(report_2021):
    crackdown = _section(report_2021, "crackdown").data
    assert crackdown["carry"]["year"] == 2020
    assert crackdown["carry"]["values"]["figures.打处.prior"] == "257"


def test_the_demo_2022_report_arrives_with_every_2021_figure_in_its_prior_columns(demo, settings, tmp_path):
    """The issue's "Done when": the whole demo loaded, the 2022 report's 上年 columns are the 2021 report's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_report_load()
    demo_rectification_load()  # opens the 2022 cycle
    old = {s.node.key: s.data for s in Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")
           .sections.select_related("node")}
    new = {s.node.key: s.data for s in Report.objects.get(cycle__year=2022, department__code="CG-GAFJ")
           .sections.select_related("node")}
    assert _same(new["overview"]["carried_over"], old["overview"]["year_end_balance"])
    for item, row in old["three_public"]["rows"].items():
        assert new["three_public"]["rows"][item]["prior"] == row["actual"]
    assert new["indicators"]["prior_actuals"] == {r["name"]: r["actual"] for r in old["indicators"]["rows"]}
    compared = 0
    for key, data in old.items():
        if "figures" not in data:
            continue
        priors = {f["name"]: (f["prior"], f["unit"]) for f in new[key]["figures"]}
        assert priors == {f["name"]: (f["value"], f["unit"]) for f in data["figures"]}, key
        compared += len(priors)
    assert compared == sum(len(d["figures"]) for d in old.values() if "figures" in d) > 50
    assert all(new[key]["carry"]["year"] == 2021 for key in ("overview", "three_public", "indicators", "crackdown"))
    assert carry.offers(Report.objects.get(cycle__year=2022, department__code="CG-GAFJ")) == []  # nothing left out


def test_a_real_finance_approval_after_the_launch_is_offered(report_2021, finance_admin, coordinator,
                                                             group_leader, finance_reviewer):
    """Through the workflow services: 2021's 三公 (reopened in the demo) resubmitted and approved again."""
    section = _section(report_2021, "three_public")
    report = _launch(report_2021, finance_admin)
    report_2021.cycle.require_leading_before_finance = False  # the rest of the demo report is still in review
    report_2021.cycle.save(update_fields=["require_leading_before_finance"])
    rows = section.data["rows"] | {"vehicle_purchase": section.data["rows"]["vehicle_purchase"] | {"actual": "100000.00"},
                                   "vehicle_operation": section.data["rows"]["vehicle_operation"]
                                   | {"actual": "2592000.00"}}  # the same total, split as the receipts show
    section_save(section=section, data=section.data | {"rows": rows}, base_version=section.version, actor=coordinator)
    assert carry.offers(report) == []  # a correction under way is not approved
    for step, actor in ((wf.submit, coordinator), (wf.leading_approve, group_leader),
                        (wf.finance_approve, finance_reviewer)):
        section.refresh_from_db()
        step(item=section, actor=actor, version=section.version)
    (offer,) = carry.offers(report)
    assert offer.changed == ["rows.vehicle_purchase.prior", "rows.vehicle_operation.prior"]
    report_carry_over(report=report, actor=coordinator)
    rows = _section(report, "three_public").data["rows"]
    assert (rows["vehicle_purchase"]["prior"], rows["vehicle_operation"]["prior"]) == ("100000.00", "2592000.00")


def _check_report(year: int) -> dict:
    out = io.StringIO()
    try:
        call_command("check_report", "--department", "CG-GAFJ", "--year", str(year), "--json", stdout=out)
    except SystemExit:
        pass  # exit status 1: the blank 2022 report has unresolved errors (empty sections)
    return json.loads(out.getvalue())


def test_check_report_on_the_next_year_reads_the_carried_values(report_2021, finance_admin):
    report = _launch(report_2021, finance_admin)
    codes = {r["code"] for r in _check_report(2022)["findings"]}
    # carried, so not asked for; nothing stated yet, so nothing to compare
    assert "three_public.no_prior" not in codes and not {c for c in codes if c.startswith(("carry.", "statistics."
                                                                                         "stated"))}
    crackdown = _section(report, "crackdown")
    figures = [dict(f, value="600", stated_change="上升20.72%") if f["name"] == "打处" else f
               for f in crackdown.data["figures"]]
    Section.objects.filter(pk=crackdown.pk).update(data=crackdown.data | {"figures": figures})
    three = _section(report, "three_public")
    rows = {k: v | {"actual": a} for (k, v), a in zip(three.data["rows"].items(), ["0", "1000", "0", "2423132"],
                                                       strict=True)}
    Section.objects.filter(pk=three.pk).update(data=three.data | {"rows": rows})
    payload = _check_report(2022)
    assert "statistics.stated.打处" not in {r["code"] for r in payload["findings"]}  # 103 / 497 = 20.72%
    ratios = {r["name"]: r["value"] for r in payload["basic_data"]}
    assert ratios["三公经费变动率"] == "-10.00%"  # 2424132 against the carried 2693480
    figures = [dict(f, stated_change="上升93.34%") if f["name"] == "打处" else f for f in figures]
    Section.objects.filter(pk=crackdown.pk).update(data=crackdown.data | {"figures": figures})
    (row,) = [r for r in _check_report(2022)["findings"] if r["code"] == "statistics.stated.打处"]
    assert (row["severity"], row["stated"], row["computed"]) == ("错误", "93.34%", "20.72%")


def test_the_indicators_prior_actuals_show_once_the_years_targets_are_approved(report_2021, finance_admin,
                                                                              coordinator, client):
    from reports.annual.demo import INDICATORS
    from reports.targets.demo import demo_targets_load

    report = _launch(report_2021, finance_admin)
    demo_targets_load(2022, INDICATORS["rows"])  # the 2022 targets, declared and approved: the same indicators
    section = _section(report, "indicators")
    section_save(section=section, data=section.data, base_version=section.version, actor=coordinator)
    rows = {r["name"]: r for r in _section(report, "indicators").data["rows"]}
    assert (rows["刑事案件打处人数"]["prior"], rows["刑事案件打处人数"]["actual"]) == ("497", "")
    client.force_login(coordinator)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    table = page[page.index('<table class="grid figures-table indicators">'):]
    table = table[:table.index("</table>")]
    assert "<th>上年实际</th>" in table and '<td class="num prior">497</td>' in table


def test_a_value_the_user_changed_is_never_overwritten(report_2021, finance_admin, coordinator, finance_reviewer):
    report = _launch(report_2021, finance_admin)
    section = _section(report, "three_public")
    data = section.data
    data["rows"]["reception"]["prior"] = "2000.00"
    data["explanations"] = {"carry.rows.reception.prior": "上年决算经审计调整。"}
    section_save(section=section, data=data, base_version=section.version, actor=coordinator)
    # 2021's 三公 is corrected and approved again: 公务接待 1500, 运行维护 2700000
    old = _section(report_2021, "three_public")
    rows = old.data["rows"] | {"reception": old.data["rows"]["reception"] | {"actual": "1500.00"},
                               "vehicle_operation": old.data["rows"]["vehicle_operation"] | {"actual": "2700000.00"}}
    Section.objects.filter(pk=old.pk).update(data=old.data | {"rows": rows}, state=State.APPROVED)
    result = report_carry_over(report=report, actor=coordinator)
    assert result.brought == {"“三公”经费支出情况": 1}
    section = _section(report, "three_public")
    assert section.data["rows"]["reception"]["prior"] == "2000.00"  # the user's, with its reason
    assert section.data["rows"]["vehicle_operation"]["prior"] == "2700000.00"  # untouched: follows the approval
    assert section.data["carry"]["values"]["rows.reception.prior"] == "1500.00"
    ctx = checks.context_for(report, checks.figure_sections(report))
    (finding,) = [f for f in checks.section_findings("three_public", section.data, ctx)
                  if f.issue.code.startswith("carry.")]
    assert "审定为 1500.00，现为 2000.00" in finding.issue.message and finding.explanation
