"""Quarterly monitoring in Chromium: the 城关派出所 clerk downloads the Q3 sheet, fills it, uploads it,
checks the preview, confirms and submits; the finance admin requests the Q3 summary, watches its
progress and downloads the workbook."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from reports.models import ExportJob, JobStatus, QuarterlyReport
from reports.quarterly.demo import demo_quarters_load
from tests.browser import ARTIFACTS, Session
from tests.replay import demo_report_replayed
from workflow.states import State


def fill_sheet(path) -> bytes:
    wb = openpyxl.load_workbook(path)
    ws = wb["指标进度"]
    for row in range(6, ws.max_row + 1):
        name = ws.cell(row=row, column=4).value
        if name == "矛盾纠纷排查化解率":
            ws.cell(row=row, column=9, value=98.5)
            ws.cell(row=row, column=10, value=98.8)
            ws.cell(row=row, column=11, value="确定能")
        elif name == "服务对象满意度":
            ws.cell(row=row, column=9, value="较满意")
            ws.cell(row=row, column=10, value="满意")
            ws.cell(row=row, column=11, value="确定能")
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_round_trip_and_admin_summary(live_server, browser, tmp_path):
    demo_report_replayed()  # tests/replay.py
    demo_quarters_load()
    report = QuarterlyReport.objects.get(year=2021, quarter=3, unit__name="城关派出所")

    clerk = Session(browser, live_server.url, "clerk_cg")
    page = clerk.page
    clerk.nav("季度监控")
    page.get_by_role("row").filter(has_text="2021年第3季度").filter(has_text="城关派出所").get_by_role(
        "link", name="查看").click()
    expect(page.locator("main h1")).to_contain_text("2021年第3季度绩效运行监控")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载填报表（Excel）").click()
    sheet = tmp_path / download.value.suggested_filename
    download.value.save_as(sheet)
    assert sheet.name == "2021年第3季度绩效运行监控表-城关派出所.xlsx"
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill_sheet(sheet))

    page.get_by_role("link", name="上传填好的表").click()
    page.set_input_files("input[type=file]", str(filled))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("main")).to_contain_text("共 6 处修改")
    expect(page.locator("table.diff-table")).to_contain_text("矛盾纠纷排查化解率 · 本季度累计完成值")
    clerk.shot("quarterly_1_upload_preview.png")
    report.refresh_from_db()
    assert report.version == 0  # nothing saved before the confirmation
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messages .msg-success")).to_contain_text("已导入「filled.xlsx」，保存为第 1 版（6 处修改）")
    report.refresh_from_db()
    assert report.version == 1 and report.revisions.get().source == "upload"
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".messages .msg-success")).to_contain_text("待领导小组审核")
    report.refresh_from_db()
    assert report.state == State.SUBMITTED and report.submitted_by.username == "clerk_cg"
    clerk.shot("quarterly_2_submitted.png")
    clerk.close()

    admin = Session(browser, live_server.url, "fin_admin")
    page = admin.page
    admin.nav("导出")
    form = page.locator("form").filter(has=page.locator("input[value=quarter_summary]"))
    form.locator("select[name=quarter]").select_option("3")
    form.get_by_role("button", name="生成季度绩效监控汇总表").click()
    expect(page.locator("main h1")).to_contain_text("季度绩效监控汇总表")
    expect(page.locator("#job-label")).to_have_text("已完成", timeout=30_000)
    expect(page.locator("progress#job-bar")).to_have_attribute("value", "100")
    admin.shot("quarterly_3_export_done.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    path = tmp_path / "summary.xlsx"
    download.value.save_as(path)
    workbook = openpyxl.load_workbook(path)
    assert {"汇总", "指标进度", "三公经费", "预警", "说明"} <= set(workbook.sheetnames)
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE and job.params["quarter"] == 3
    admin.close()
    assert (ARTIFACTS / "quarterly_1_upload_preview.png").exists()
