"""The Excel round trip: download, fill, upload, preview, confirm — and a corpus of bad files."""

import hashlib
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import AnnualTarget, QuarterlyReport, UploadPreview
from reports.quarterly import services as quarterly_services
from tests import hostile

pytestmark = pytest.mark.django_db


@pytest.fixture
def station_q3(demo_quarters_loaded):
    return QuarterlyReport.objects.get(year=2021, quarter=3, unit__name="城关派出所")


@pytest.fixture
def sheet(client, clerk, station_q3):
    client.force_login(clerk)
    response = client.get(reverse("reports:quarterly_sheet", args=[station_q3.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def to_bytes(wb) -> bytes:
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


def upload(client, report, content: bytes, name="q3.xlsx"):
    return client.post(reverse("reports:quarterly_upload", args=[report.pk]),
                       {"file": SimpleUploadedFile(name, content)})


def fill(wb):
    ws = wb["指标进度"]
    for row in range(6, ws.max_row + 1):
        if ws.cell(row=row, column=4).value == "矛盾纠纷排查化解率":
            ws.cell(row=row, column=9, value=98.6)
            ws.cell(row=row, column=10, value=98.8)
            ws.cell(row=row, column=11, value="确定能")
        elif ws.cell(row=row, column=4).value == "服务对象满意度":
            ws.cell(row=row, column=10, value="满意")
            ws.cell(row=row, column=11, value="有可能")
            ws.cell(row=row, column=12, value="其他")
            ws.cell(row=row, column=13, value="开展满意度回访。")
    return wb


def test_the_sheet_is_prefilled_with_targets_and_last_quarter(sheet, station_q3):
    ws = sheet["指标进度"]
    assert ws["B3"].value == f"EVQ-{station_q3.pk}-2021Q3"
    names = [ws.cell(row=r, column=4).value for r in range(6, ws.max_row + 1)]
    assert names == ["矛盾纠纷排查化解率", "服务对象满意度"]
    assert ws.cell(row=6, column=8).value == "98.1"  # Q2's cumulative figure
    assert not ws.merged_cells.ranges
    assert "预算执行" not in sheet.sheetnames  # a unit's sheet has no budget block


def test_upload_previews_every_change_and_saves_nothing_until_confirmed(client, sheet, station_q3):
    response = upload(client, station_q3, to_bytes(fill(sheet)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "共 7 处修改" in page
    assert "矛盾纠纷排查化解率 · 本季度累计完成值" in page and "98.6" in page
    station_q3.refresh_from_db()
    assert station_q3.version == 0
    preview = UploadPreview.objects.get(report=station_q3)
    response = client.post(reverse("reports:quarterly_upload_confirm", args=[station_q3.pk]),
                           {"preview": preview.pk})
    assert response.status_code == 302
    station_q3.refresh_from_db()
    assert station_q3.version == 1 and station_q3.revisions.get().source == "upload"
    target = AnnualTarget.objects.get(name="矛盾纠纷排查化解率")
    assert station_q3.data["rows"][str(target.pk)] | {} == {
        "actual": "98.6", "expected": "98.8", "likelihood": "certain", "cause": "", "measures": ""}
    assert not UploadPreview.objects.exists()


def test_the_main_report_sheet_round_trips_the_budget_in_wan(client, coordinator, demo_quarters_loaded):
    q4 = QuarterlyReport.objects.get(year=2021, quarter=4, is_main=True)
    client.force_login(coordinator)
    wb = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reports:quarterly_sheet", args=[q4.pk])).content))
    ws = wb["预算执行"]
    assert ws["B9"].value == 37364.61  # 本季度累计执行数 (万元)
    ws["B9"] = "３７,３００.５"
    response = upload(client, q4, to_bytes(wb))
    assert "37364.61 万元" in response.content.decode() and "37300.5 万元" in response.content.decode()
    preview = UploadPreview.objects.get(report=q4)
    client.post(reverse("reports:quarterly_upload_confirm", args=[q4.pk]), {"preview": preview.pk})
    q4.refresh_from_db()
    assert q4.data["budget"]["executed"] == "373005000.00"


def bad_cells(response) -> list[str]:
    return re.findall(r"<tr><td>([^<]+)</td><td>([A-Z]+\d+)</td><td>([^<]*)</td><td class=\"f-error\">([^<]+)<",
                      response.content.decode())


def test_text_in_a_number_cell_is_listed_and_nothing_can_be_confirmed(client, sheet, station_q3):
    sheet["指标进度"]["I6"] = "很多"
    sheet["指标进度"]["K7"] = "大概能"
    response = upload(client, station_q3, to_bytes(sheet))
    assert response.status_code == 400
    cells = bad_cells(response)
    assert any(c[:3] == ("指标进度", "I6", "很多") and "「很多」不是有效的数字" in c[3] for c in cells)
    assert any(c[1] == "K7" and "完成目标可能性只能填：确定能、有可能、完全不可能" in c[3] for c in cells)
    assert "确认导入" not in response.content.decode()
    assert not UploadPreview.objects.exists()


def test_formulas_are_refused_by_cell(client, sheet, station_q3):
    sheet["指标进度"]["I6"] = "=97+1"
    response = upload(client, station_q3, to_bytes(sheet))
    assert ("指标进度", "I6", "=97+1", "含公式，请改为数值或文字") in bad_cells(response)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda wb: wb["指标进度"].__setitem__("D5", "指标名称"), "表头被修改：指标进度!D5 应为「三级指标」，文件中为「指标名称」"),
        (lambda wb: wb["指标进度"].__setitem__("B3", "EVQ-1-2020Q1"), "模板不符"),
        (lambda wb: wb["指标进度"].merge_cells("A1:C1"), "文件含合并单元格（A1:C1）"),
        (lambda wb: setattr(wb["指标进度"], "title", "Sheet1"), "模板不符：缺少工作表「指标进度」"),
    ],
)
def test_a_changed_template_is_refused(client, sheet, station_q3, mutate, message):
    mutate(sheet)
    response = upload(client, station_q3, to_bytes(sheet))
    assert response.status_code == 400
    assert message in response.content.decode()
    station_q3.refresh_from_db()
    assert station_q3.version == 0


def test_another_reports_sheet_is_refused(client, clerk, station_q3):
    other = QuarterlyReport.objects.get(year=2021, quarter=2, unit__name="城关派出所")
    client.force_login(clerk)
    content = client.get(reverse("reports:quarterly_sheet", args=[other.pk])).content
    response = upload(client, station_q3, content)
    assert f"模板编号应为 EVQ-{station_q3.pk}-2021Q3" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("q3.xlsx", b"", "空文件"),
        ("q3.xls", b"\xd0\xcf\x11\xe0 old excel", "不支持的文件类型「.xls」"),
        ("q3.csv", b"a,b\n1,2", "不支持的文件类型「.csv」"),
        ("q3.xlsx", b"PK\x03\x04 not really a zip", "不是有效的 .xlsx"),
    ],
)
def test_unreadable_files_are_refused(client, clerk, station_q3, name, content, message):
    client.force_login(clerk)
    response = upload(client, station_q3, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_oversized_file_is_refused(client, sheet, station_q3, settings):
    settings.EVALSITE_UPLOAD_MAX_BYTES = 1024
    response = upload(client, station_q3, to_bytes(sheet))
    assert "文件过大" in response.content.decode()


def test_a_zip_bomb_is_refused_before_parsing(client, clerk, station_q3):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>")
    client.force_login(clerk)
    response = upload(client, station_q3, stream.getvalue())
    assert "解压后超过" in response.content.decode()


def test_a_declared_huge_dimension_is_not_walked(client, sheet, station_q3):
    raw = to_bytes(fill(sheet))
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', data)
                assert b"XFD1048576" in data
            dst.writestr(item, data)
    assert len(patched.getvalue()) < 20 * 1024
    response = upload(client, station_q3, patched.getvalue())
    assert response.status_code == 200 and "共 7 处修改" in response.content.decode()


def test_a_stale_preview_is_not_applied(client, sheet, station_q3, clerk):
    upload(client, station_q3, to_bytes(fill(sheet)))
    preview = UploadPreview.objects.get(report=station_q3)
    quarterly_services.quarterly_save(report=station_q3, data={"rows": {}}, base_version=0, actor=clerk)
    response = client.post(reverse("reports:quarterly_upload_confirm", args=[station_q3.pk]),
                           {"preview": preview.pk}, follow=True)
    assert "期间内容已被修改；未导入" in response.content.decode()
    station_q3.refresh_from_db()
    assert station_q3.version == 1 and station_q3.data["rows"] == {}


def test_another_users_preview_cannot_be_confirmed(client, sheet, station_q3, coordinator):
    upload(client, station_q3, to_bytes(fill(sheet)))
    preview = UploadPreview.objects.get(report=station_q3)
    client.force_login(coordinator)
    response = client.post(reverse("reports:quarterly_upload_confirm", args=[station_q3.pk]), {"preview": preview.pk})
    assert response.status_code == 404


# --- hostile and careless files: a Chinese 4xx naming the problem, never a 500 ---------------------

def _raw_sheet(wb, patch) -> bytes:
    """The workbook with its first sheet's XML patched (what openpyxl will not write)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(to_bytes(wb))) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, patch(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: hostile.understated_bomb(64 * 1024 * 1024), "已损坏|不是有效的 XML"),
        (lambda: hostile.workbook(hostile.sheet_of(hostile.wide_row(3_000_000))), "解压后超过|压缩比异常"),
        (lambda: hostile.workbook(hostile.sheet_of([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>']),
                                  shared=hostile.many_strings(500_000)), "共享字符串超过 40000 个"),
    ],
    ids=["understated-zip-headers", "three-million-cell-row", "half-a-million-shared-strings"],
)
def test_hostile_workbooks_get_a_chinese_400(client, clerk, station_q3, build, message):
    client.force_login(clerk)
    response = upload(client, station_q3, build())
    assert response.status_code == 400
    assert re.search(message, response.content.decode())


def test_number_cells_follow_the_web_forms_rules(client, sheet, station_q3):
    sheet["指标进度"]["I6"] = -5
    sheet["指标进度"]["J6"] = 12345.678
    response = upload(client, station_q3, _raw_sheet(sheet, lambda xml: xml.replace(b"<v>12345.678</v>", b"<v>NaN</v>")))
    assert response.status_code == 400
    cells = {c[1]: c[3] for c in bad_cells(response)}
    assert "不能为负数" in cells["I6"]
    assert "「NaN」不是有效的数字" in cells["J6"]
    assert not UploadPreview.objects.exists()


def test_absurd_magnitudes_are_refused_by_cell(client, sheet, station_q3):
    sheet["指标进度"]["I6"] = 1e30
    sheet["指标进度"]["J6"] = "9" * 400
    response = upload(client, station_q3, to_bytes(sheet))
    assert response.status_code == 400
    cells = {c[1]: c[3] for c in bad_cells(response)}
    assert "数值过大" in cells["I6"]
    assert "不超过 40 字符" in cells["J6"]  # the form's own max_length


def test_duplicate_missing_and_unknown_ids_are_named_by_cell(client, sheet, station_q3):
    ws = fill(sheet)["指标进度"]
    ws.protection.sheet = False
    for col in range(1, 14):
        ws.cell(row=8, column=col, value=ws.cell(row=6, column=col).value)
    ws["I8"] = 50
    ws["I9"] = 77  # a row without an ID
    ws["A10"], ws["I10"] = 999999, 1
    response = upload(client, station_q3, to_bytes(sheet))
    assert response.status_code == 400
    cells = {c[1]: c[3] for c in bad_cells(response)}
    assert "与 A6 重复" in cells["A8"]
    assert "缺少指标编号" in cells["A9"]
    assert "不是本表的指标编号" in cells["A10"]


def test_a_workbook_that_is_not_the_platforms_sheet_says_wrong_template_first(client, clerk, station_q3):
    wb = openpyxl.Workbook()
    wb.active.title = "自评表"
    wb.active.merge_cells("A1:H1")
    wb.active["A1"] = "部门整体支出绩效自评表"
    client.force_login(clerk)
    page = upload(client, station_q3, to_bytes(wb)).content.decode()
    assert "模板不符" in page and "合并单元格" not in page


def test_a_too_large_file_says_its_real_size(client, clerk, station_q3, settings):
    settings.EVALSITE_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(clerk)
    response = upload(client, station_q3, b"PK" + b"\x00" * (3 * 1024 * 1024))
    assert response.status_code == 400
    assert "文件过大（3.0 MB），上限为 1.0 MB" in response.content.decode()


def test_a_flood_of_bad_cells_keeps_the_page_and_the_preview_small(client, sheet, station_q3):
    ws = sheet["指标进度"]
    ws.protection.sheet = False
    for row in range(8, 2001):
        ws.cell(row=row, column=1, value=f"X{row}-" + hashlib.sha512(str(row).encode()).hexdigest() * 2)
    response = upload(client, station_q3, to_bytes(sheet))
    assert response.status_code == 400
    page = response.content.decode()
    assert "有 1993 个单元格不正确" in page and "下面列出前 100 个" in page
    assert len(response.content) < 200 * 1024
    assert not UploadPreview.objects.exists()


def test_a_long_measure_is_refused_like_the_form_does(client, sheet, station_q3):
    fill(sheet)["指标进度"]["M7"] = "措" * 2500
    response = upload(client, station_q3, to_bytes(sheet))
    assert response.status_code == 400
    [(_sheet, _cell, shown, reason)] = [c for c in bad_cells(response) if c[1] == "M7"]
    assert "2000" in reason and len(shown) <= 61  # the value is shortened on the page


def test_a_preview_past_its_size_limit_is_refused(client, sheet, station_q3, monkeypatch):
    monkeypatch.setattr("reports.quarterly.upload.MAX_PREVIEW_BYTES", 200)
    response = upload(client, station_q3, to_bytes(fill(sheet)))
    assert response.status_code == 400
    assert "超过预览上限" in response.content.decode()
    assert not UploadPreview.objects.exists()
