"""The year as one chain, in the browser (1366×768): the demo's 2022 report arrives with 2021's approved figures
in its 上年 columns, and a 2021 section approved again after the launch is brought in with 从上年报告带入."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from departments.demo import POLICE
from reports.annual.services import section_save
from reports.models import Report, Section
from reports.rectification.demo import demo_rectification_load
from tests.browser import Session
from tests.replay import demo_report_replayed
from workflow import services as wf


def _user(name: str):  # noqa: ANN202
    return get_user_model().objects.get(username=name)


def _approve_2021_three_public_again() -> None:
    """2021's 三公 (reopened in the demo) corrected — 公务用车 split into 购置 and 运行维护 — and approved again."""
    report = Report.objects.select_related("cycle").get(cycle__year=2021, department__code=POLICE[0])
    report.cycle.require_leading_before_finance = False  # the rest of the demo report is still in review
    report.cycle.save(update_fields=["require_leading_before_finance"])
    section = report.sections.get(node__key="three_public")
    rows = section.data["rows"] | {"vehicle_purchase": section.data["rows"]["vehicle_purchase"] | {"actual": "100000.00"},
                                   "vehicle_operation": section.data["rows"]["vehicle_operation"]
                                   | {"actual": "2592000.00"}}
    section_save(section=section, data=section.data | {"rows": rows}, base_version=section.version,
                 actor=_user("coord_jwbz"))
    for step, who in ((wf.submit, "coord_jwbz"), (wf.leading_approve, "leader_zz"),
                      (wf.finance_approve, "fin_reviewer")):
        section.refresh_from_db()
        step(item=section, actor=_user(who), version=section.version)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_2022_report_arrives_with_2021s_figures_and_takes_a_late_approval(live_server, browser, settings,
                                                                               tmp_path):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    demo_report_replayed()  # tests/replay.py
    demo_rectification_load()  # opens the 2022 cycle
    report = Report.objects.get(cycle__year=2022, department__code=POLICE[0])
    crackdown = report.sections.get(node__key="crackdown")
    three = report.sections.get(node__key="three_public")

    coord = Session(browser, live_server.url, "coord_jwbz")
    page = coord.page
    coord.nav("绩效报告")
    page.locator("tr", has_text="2022年度部门整体支出绩效自评").get_by_role("link", name=POLICE[1]).click()
    expect(page.locator("main h1.doc-title")).to_contain_text(f"2022年度{POLICE[1]}")
    expect(page.locator("form.carry-offer")).to_have_count(0)  # everything arrived at the launch
    figures = page.locator(f"#s{crackdown.pk} ~ details.figures-details").first
    figures.locator("summary").click()
    row = figures.locator("tr", has=page.locator("td", has_text="打处")).first
    expect(row.locator("td").nth(2)).to_have_text("497")  # 上年: 2021's 打处
    three_table = page.locator(f"#s{three.pk} ~ table").first
    expect(three_table.locator("tr", has_text="公务接待费").locator("td").nth(1)).to_have_text("0.15")
    coord.shot("carry_2022_arrived.png")
    report_url = page.url
    page.goto(f"{live_server.url}/sections/{crackdown.pk}/")
    expect(page.locator("p.carried")).to_contain_text("上年数据结转自 2021 年度已审定的报告（14 项）")

    _approve_2021_three_public_again()
    page.goto(report_url)
    offer = page.locator("form.carry-offer")
    expect(offer).to_contain_text("1 个章节（“三公”经费支出情况）的上年数尚未带入")
    coord.shot("carry_offer.png", full_page=False)
    offer.get_by_role("button", name="从上年报告带入").click()
    expect(page.locator("ul.messages")).to_contain_text("已从2021年度已审定报告带入 2 项上年数据（1 个章节）")
    expect(page.locator("form.carry-offer")).to_have_count(0)
    three_table = page.locator(f"#s{three.pk} ~ table").first
    expect(three_table.locator("tr", has_text="公务用车购置费").locator("td").nth(1)).to_have_text("10.00")
    coord.close()
    rows = Section.objects.get(pk=three.pk).data["rows"]
    assert (rows["vehicle_purchase"]["prior"], rows["vehicle_operation"]["prior"]) == ("100000.00", "2592000.00")
