"""Onboarding a department from the browser, 1366×768: the finance admin uploads an org chart (a new
department with two units) and a people file, assigns the generic template, launches a cycle for the
department; its clerk logs in with the first password, must change it, and finds their sections."""

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from departments.demo import demo_org_load
from departments.models import Department
from reports.library.outline_generic import GENERIC_CODE
from reports.models import Report
from tests.browser import VIEWPORT, Session

NEW = ("CG-SWJ", "呈贡区商务局")
CHART = [("编码", "名称", "类型", "上级编码"), (*NEW, "预算部门", "CG-CZJ"),
         ("CG-SWJ-N01", "办公室", "内设机构", "CG-SWJ"), ("CG-SWJ-N02", "市场建设科", "内设机构", "CG-SWJ")]
PEOPLE = [("账号", "姓名", "单位编码", "角色", "组长"),
          ("swj_clerk", "林晓", "CG-SWJ-N01", "填报员", "否"),
          ("swj_coord", "高远", "CG-SWJ", "部门绩效联络员", "否"),
          ("swj_leader", "宋军", "CG-SWJ", "领导小组成员", "是")]
NEW_PASSWORD = "Sw8#nEw2025"


def _xlsx(path, lines) -> str:
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append(list(line))
    book.save(path)
    return str(path)


def _upload(s: Session, path: str, expected: str) -> None:
    page = s.page
    page.set_input_files("input[type=file]", path)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#preview")).to_contain_text(expected)
    page.get_by_role("button", name="确认导入").click()


def _admin_onboards(admin: Session, tmp_path) -> str:
    """Org chart, template, people, cycle; returns the clerk's first password."""
    page = admin.page
    admin.nav("组织机构")
    page.get_by_role("link", name="管理", exact=True).click()
    page.get_by_role("link", name="导入组织机构表").click()
    _upload(admin, _xlsx(tmp_path / "org.xlsx", CHART), "新增 3 个")
    expect(page.locator(".messages")).to_contain_text("组织机构表已导入")
    expect(page.locator("#units tr[data-code='CG-SWJ-N02']")).to_contain_text("市场建设科")
    admin.shot("onboarding_1_org.png")

    page.get_by_role("link", name="报告模板").click()
    page.get_by_role("button", name="安装内置模板").click()
    row = page.locator(f"#assignments tr[data-code='{NEW[0]}']")
    row.get_by_role("combobox").select_option(GENERIC_CODE)
    row.get_by_role("button", name="指定").click()
    expect(page.locator(".messages")).to_contain_text(f"{NEW[1]}的报告模板已设为")
    admin.shot("onboarding_2_templates.png")
    page.locator("#templates").get_by_role("link", name="部门整体支出绩效评价报告（通用）").click()
    expect(page.locator("#outline")).to_contain_text("五、绩效分析")
    admin.shot("onboarding_2_generic_template.png")

    admin.nav("组织机构")
    page.get_by_role("link", name="人员与角色").first.click()
    page.get_by_role("link", name="导入人员表").click()
    _upload(admin, _xlsx(tmp_path / "people.xlsx", PEOPLE), "新建 3 个账号")
    expect(page.locator("main h1")).to_contain_text("人员表已导入")
    password = page.locator("#initial-passwords tr", has_text="swj_clerk").locator("code").inner_text()
    admin.shot("onboarding_3_people.png")
    page.get_by_role("link", name="返回人员列表").click()
    page.locator("#people").get_by_role("link", name="swj_leader").click()
    expect(page.locator("#roles")).to_contain_text("领导小组成员（组长）")
    admin.shot("onboarding_3_person.png")

    admin.nav("评价周期")
    page.get_by_role("link", name="发起评价周期").click()
    page.fill("#id_year", "2024")
    page.fill("#id_name", "2024年度部门整体支出绩效自评")
    page.fill("#id_opens_on", "2025-01-10")
    page.fill("#id_due_on", "2030-03-31")
    page.get_by_label(NEW[1], exact=True).check()
    expect(page.get_by_label(f"{NEW[1]}的报告模板")).to_have_value(str(_generic_pk()))
    page.get_by_role("button", name="发起").click()
    expect(page.locator(".messages")).to_contain_text("为 1 个部门生成了报告")
    return password


def _generic_pk() -> int:
    from reports.models import ReportTemplate

    return ReportTemplate.objects.filter(code=GENERIC_CODE).order_by("-version").values_list("pk", flat=True)[0]


def _clerk_logs_in(browser, base_url: str, password: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base_url}/")
    page.fill("#id_username", "swj_clerk")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("main h1")).to_have_text("修改密码")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", "123")
    page.fill("#id_new_password2", "123")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".field-error").first).to_contain_text("密码太短")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".messages")).to_contain_text("密码已修改")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的填报", exact=True).click()
    rows = page.locator("table.grid tbody tr")
    expect(rows.filter(has_text="部门职能及机构设置")).to_have_count(1)
    expect(rows.filter(has_text="派出所")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    page.screenshot(path="tests/artifacts/onboarding_4_clerk_sections.png", full_page=True)
    rows.filter(has_text="部门职能及机构设置").get_by_role("link", name="填写", exact=True).click()
    expect(page.locator(".guidance")).to_contain_text("部门主要职能")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_finance_admin_onboards_a_department_and_its_clerk_writes(live_server, browser, tmp_path):
    demo_org_load()  # the finance bureau and its admin; no template, no report yet
    admin = Session(browser, live_server.url, "fin_admin")
    password = _admin_onboards(admin, tmp_path)
    admin.close()

    department = Department.objects.get(code=NEW[0])
    assert department.units.count() == 3  # itself and its two units
    report = Report.objects.select_related("template").get(department=department)
    assert report.template.code == GENERIC_CODE
    assert report.sections.get(node__key="functions").unit.name == "办公室"
    _clerk_logs_in(browser, live_server.url, password)
    clerk = get_user_model().objects.get(username="swj_clerk")
    assert clerk.check_password(NEW_PASSWORD)
