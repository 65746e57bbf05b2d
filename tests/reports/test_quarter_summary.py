"""The district's quarter summary workbook (DESIGN §6): sheets, figures, formats, scope, row limit."""

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from reports.exports import quarter_summary as qs
from reports.exports import services as jobs
from reports.models import (
    AnnualTarget,
    ExportJob,
    ExportKind,
    JobStatus,
    QuarterlyReport,
    Section,
    SectionKind,
    TargetTable,
)
from reports.quarterly.services import quarter_open
from tests.factories import approved_targets
from workflow.states import State

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2021, 3
WARN = "FFF2CC"


def _target(dept, unit, order, name, nature="≥", value="100", measure="%", level2="数量"):
    return AnnualTarget.objects.create(table=approved_targets(dept, YEAR), department=dept, unit=unit, year=YEAR,
                                       order=order, level1="产出",
                                       level2=level2, name=name, nature=nature, target=value, measure_unit=measure)


def _fill(dept, unit, quarter, data, state=State.APPROVED, version=1):
    QuarterlyReport.objects.filter(department=dept, unit=unit, year=YEAR, quarter=quarter).update(
        data=data, state=state, version=version)


def _row(actual, expected="", likelihood="certain", cause="", measures=""):
    return {"actual": actual, "expected": expected, "likelihood": likelihood, "cause": cause, "measures": measures}


@pytest.fixture
def district(demo):
    """呈贡分局 (main report and 城关派出所, approved) and 教育体育局 (its Q3 main report still a draft)."""
    police, station, education = demo["CG-GAFJ"], demo["CG-GAFJ-P01"], demo["CG-JTJ"]
    t = {
        "execution": _target(police, police, 1, "预算执行进度", level2="时效"),
        "revenue": _target(police, police, 2, "非税收入上缴国库比例", nature="="),
        "disputes": _target(police, station, 3, "矛盾纠纷排查化解率", value="95"),
        "satisfaction": _target(police, station, 4, "服务对象满意度", nature="定性", value="满意", measure=""),
        "accidents": _target(education, education, 1, "学校安全事故数", nature="≤", value="0", measure="起"),
    }
    for quarter in (2, 3):
        quarter_open(year=YEAR, quarter=quarter, departments=[police, education], due_on=date(2021, 10, 15),
                     actor=None)

    def budget(annual, executed):
        return {"initial": annual, "annual": annual, "executed": executed, "expected": annual, "reason": ""}

    def rows(**values):
        return {str(t[name].pk): value for name, value in values.items()}

    _fill(police, police, 2, {"budget": budget("12345678.90", "3000000.00"),
                              "rows": rows(execution=_row("24"), revenue=_row("100"))})
    _fill(police, station, 2, {"rows": rows(disputes=_row("92"), satisfaction=_row("满意"))})
    _fill(police, police, 3, version=3, data={
        "budget": budget("12345678.90", "6172839.45"),  # 50% against the 75% checkpoint
        "rows": rows(execution=_row("50", "100"), revenue=_row("100", "100")),
        "explanations": {"quarterly.behind_checkpoint": "项目支出集中在四季度支付。"},
    })
    _fill(police, station, 3, version=2, data={"rows": rows(
        disputes=_row("90", "93", "possible", "staff", "=SUM(A1)"), satisfaction=_row("满意", "满意"))})
    _fill(education, education, 3, state=State.DRAFT, version=1, data={
        "budget": budget("5000000.00", "4000000.00"), "rows": rows(accidents=_row("0", "0"))})
    return {"police": police, "station": station, "education": education, "targets": t}


def _params(district, **extra):
    ids = [district["police"].pk, district["education"].pk]
    return {"year": YEAR, "quarter": QUARTER, "include_unapproved": False, "department_ids": ids} | extra


def _build(tmp_path: Path, params: dict):
    out = tmp_path / "summary.xlsx"
    calls: list[int] = []
    result = qs.build(params, out, calls.append)
    return result, openpyxl.load_workbook(out), calls


def _data_rows(ws, first=4):
    return [row for row in ws.iter_rows(min_row=first) if any(c.value is not None for c in row)]


def _by_name(ws, name):
    return next(row for row in _data_rows(ws) if row[0].value == name)


def test_it_writes_the_five_sheets_and_names_the_file(district, tmp_path):
    result, wb, _ = _build(tmp_path, _params(district))
    assert wb.sheetnames == ["汇总", "指标进度", "三公经费", "预警", "说明"]
    assert result.filename == "2021年第3季度绩效运行监控汇总表.xlsx"
    assert set(result.department_ids) == {district["police"].pk, district["education"].pk}
    assert wb["汇总"]["A1"].value == "2021年第3季度部门整体支出绩效运行监控汇总表"
    assert "单位：万元" in wb["汇总"]["A2"].value


def test_summary_figures_are_in_wan_and_rates_are_fractions(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district))
    ws = wb["汇总"]
    row = _by_name(ws, "昆明市公安局呈贡分局")
    values = [c.value for c in row]
    assert values[1] == pytest.approx(1234.56789) and row[1].number_format == "#,##0.00"
    assert values[2] == pytest.approx(617.283945) and row[2].number_format == "#,##0.00"
    assert values[3] == pytest.approx(0.5) and row[3].number_format == "0.00%"
    assert values[4] == pytest.approx(0.75) and values[5] == pytest.approx(-0.25)
    assert values[6:10] == [4, 3, 1, 3]  # indicators, on track, at risk, warnings
    assert values[10] == "已审定"
    total = _by_name(ws, "合计")
    assert total[1].value == pytest.approx(1234.56789) and total[3].value == pytest.approx(0.5)


def test_sheets_are_set_up_for_screen_and_print(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district))
    ws = wb["汇总"]
    assert ws.freeze_panes == "B4"
    assert wb["指标进度"].freeze_panes == "C4"
    assert ws.auto_filter.ref == "A3:K5"  # the departments, not the total row below them
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["A"].width == 30
    assert "A1:K1" in {str(r) for r in ws.merged_cells.ranges}


def test_the_summary_has_a_bar_chart_of_the_execution_rate(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district))
    charts = wb["汇总"]._charts
    assert len(charts) == 1
    assert charts[0].tagname == "barChart"
    assert charts[0].series[0].tx.strRef.f == "'汇总'!D3"  # the 执行率 column
    assert charts[0].series[0].cat.numRef.f == "'汇总'!$A$4:$A$5"  # one bar per department


def _conditional(ws):
    """{kind: (range, formula)} of the sheet's conditional formats: the grid and the warning fill."""
    found = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            kind = "fill" if rule.dxf.fill is not None else "grid"
            if kind == "fill":
                assert rule.dxf.fill.bgColor.rgb.endswith(WARN)
            found[kind] = (str(cf.sqref), rule.formula[0])
    return found


def test_rows_with_warnings_are_highlighted(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district))
    summary = _conditional(wb["汇总"])
    assert summary == {"grid": ("A4:K5", "TRUE"), "fill": ("A4:K5", "OR($J4>0,$F4<0)")}  # warnings, behind
    indicators = _conditional(wb["指标进度"])
    assert indicators["fill"] == ("A4:P7", "$P4>0")
    rows = {row[4].value: row[15].value for row in _data_rows(wb["指标进度"])}
    assert rows["矛盾纠纷排查化解率"] == 2  # unlikely to be met, and less than last quarter
    assert rows["非税收入上缴国库比例"] is None


def test_indicator_rows_carry_last_and_this_quarter(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district))
    rows = {row[4].value: [c.value for c in row] for row in _data_rows(wb["指标进度"])}
    assert list(rows) == ["预算执行进度", "非税收入上缴国库比例", "矛盾纠纷排查化解率", "服务对象满意度"]
    disputes = rows["矛盾纠纷排查化解率"]
    assert disputes[:2] == ["昆明市公安局呈贡分局", "城关派出所"]
    assert disputes[8:14] == [92, 90, 93, "有可能", "人员保障", "=SUM(A1)"]
    assert disputes[14:] == ["已审定", 2]
    assert rows["服务对象满意度"][9] == "满意"  # a qualitative actual stays text


def test_typed_text_is_never_a_formula(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district))
    cell = next(row[13] for row in _data_rows(wb["指标进度"]) if row[4].value == "矛盾纠纷排查化解率")
    assert cell.data_type == "s"


def test_the_warning_sheet_lists_every_warning_with_its_reason(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district))
    rows = [[c.value for c in row] for row in _data_rows(wb["预警"])]
    assert len(rows) == 3
    behind = next(r for r in rows if "低于序时进度" in r[2])
    assert behind[3] == "项目支出集中在四季度支付。"
    unlikely = next(r for r in rows if "可能性" in r[2])
    assert unlikely[1] == "城关派出所" and unlikely[3] == "偏差原因：人员保障；纠偏措施：=SUM(A1)"
    assert any("少于上季度" in r[2] for r in rows)  # 90 after 92


def test_unapproved_reports_are_left_out_by_default(district, tmp_path):
    result, wb, _ = _build(tmp_path, _params(district))
    assert [r["revision"] for r in result.revisions] == [3, 2]
    assert {r["state_label"] for r in result.revisions} == {"已审定"}
    assert all(row[0].value != "呈贡区教育体育局（演示）" for row in _data_rows(wb["指标进度"]))
    education = [c.value for c in _by_name(wb["汇总"], "呈贡区教育体育局（演示）")]
    assert education[1] is None and education[6] == 0
    assert education[10].startswith("未审定") and "未纳入" in education[10]
    assert "仅已审定" in wb["汇总"]["A2"].value


def test_unapproved_reports_are_marked_when_included(district, tmp_path):
    result, wb, _ = _build(tmp_path, _params(district, include_unapproved=True))
    assert len(result.revisions) == 3
    assert {"revision": 1, "state_label": "草稿"}.items() <= result.revisions[2].items()
    rows = [[c.value for c in row] for row in _data_rows(wb["指标进度"])]
    assert ["学校安全事故数", "未审定（草稿）"] in [[r[4], r[14]] for r in rows]
    education = [c.value for c in _by_name(wb["汇总"], "呈贡区教育体育局（演示）")]
    assert education[3] == pytest.approx(0.8) and "未审定" in education[10]


def test_the_notes_sheet_lists_the_revisions_used(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district, requested_by="刘洋"))
    ws = wb["说明"]
    cells = [[c.value for c in row] for row in ws.iter_rows() if row[0].value]
    notes = {r[0]: r[1] for r in cells}
    assert notes["生成人"] == "刘洋" and notes["生成时间"]
    assert "仅已审定" in notes["范围"]
    header = cells.index(["部门", "填报单位", "审核状态", "版本号", "更新时间"])
    used = [r[:4] for r in cells[header + 1:]]
    assert used == [["昆明市公安局呈贡分局", "本级", "已审定", 3],
                    ["昆明市公安局呈贡分局", "城关派出所", "已审定", 2]]


def test_a_long_table_continues_on_numbered_sheets(district, tmp_path, monkeypatch):
    monkeypatch.setattr(qs, "MAX_ROWS", 6)  # 3 title rows + 3 data rows per sheet
    _, wb, _ = _build(tmp_path, _params(district))
    assert wb.sheetnames[:4] == ["汇总", "指标进度", "指标进度(2)", "三公经费"]
    first, second = wb["指标进度"], wb["指标进度(2)"]
    assert [r[4].value for r in _data_rows(first)] == ["预算执行进度", "非税收入上缴国库比例", "矛盾纠纷排查化解率"]
    assert [r[4].value for r in _data_rows(second)] == ["服务对象满意度"]
    assert second["A1"].value == first["A1"].value and second["A3"].value == "部门"
    assert second.freeze_panes == "C4" and second.auto_filter.ref == "A3:P4"
    assert _conditional(second)["fill"] == ("A4:P4", "$P4>0")


def test_three_public_figures_come_from_the_annual_report(district, police_report, tmp_path):
    section = Section.objects.get(report=police_report, kind=SectionKind.THREE_PUBLIC)
    section.data = {"rows": {
        "abroad": {"prior": "0", "budget": "0", "actual": "0"},
        "reception": {"prior": "2000", "budget": "3000", "actual": "1480"},
        "vehicle_purchase": {"prior": "0", "budget": "0", "actual": "0"},
        "vehicle_operation": {"prior": "2500000", "budget": "2600000", "actual": "2692000"},
    }, "note": ""}
    section.state, section.version = State.APPROVED, 4
    section.save()
    _, wb, _ = _build(tmp_path, _params(district))
    rows = {(r[0].value, r[1].value): r for r in _data_rows(wb["三公经费"])}
    reception = rows["昆明市公安局呈贡分局", "公务接待费"]
    assert reception[4].value == pytest.approx(0.148) and reception[4].number_format == "#,##0.00"
    total = rows["昆明市公安局呈贡分局", "合计"]
    assert total[4].value == pytest.approx(269.348)
    assert total[6].value == pytest.approx(2693480 / 2603000) and total[6].number_format == "0.00%"
    assert total[0].font.bold
    assert _conditional(wb["三公经费"])["fill"][1] == "OR($F4>0,$G4>1)"  # 控制率 103.48%: over budget
    assert "第 4 版" in total[7].value
    assert "尚未审定" in rows["呈贡区教育体育局（演示）", "—"][7].value


def test_without_an_annual_report_the_three_public_sheet_says_so(district, tmp_path):
    _, wb, _ = _build(tmp_path, _params(district))
    rows = [[c.value for c in r] for r in _data_rows(wb["三公经费"])]
    assert len(rows) == 2 and all("没有三公经费数据" in r[7] for r in rows)


def test_progress_climbs_to_the_end(district, tmp_path, monkeypatch):
    monkeypatch.setattr(qs, "PROGRESS_EVERY", 0)  # else at most every half second
    _, _, calls = _build(tmp_path, _params(district))
    assert calls == sorted(set(calls)) and len(calls) >= 3 and calls[-1] == 97


def test_the_first_quarter_has_no_last_quarter(district, tmp_path):
    police = district["police"]
    quarter_open(year=YEAR, quarter=1, departments=[police], due_on=date(2021, 4, 15), actor=None)
    _fill(police, police, 1, {"rows": {str(district["targets"]["execution"].pk): _row("20")}})
    result, wb, _ = _build(tmp_path, _params(district, quarter=1))
    rows = {row[4].value: [c.value for c in row] for row in _data_rows(wb["指标进度"])}
    assert rows["预算执行进度"][8:10] == [None, 20]
    assert result.filename == "2021年第1季度绩效运行监控汇总表.xlsx"


def test_the_query_count_does_not_depend_on_the_rows(district, tmp_path, django_assert_max_num_queries):
    # departments, report states, target count, the target table editions (说明), then one ordered
    # query each: reports (with last quarter's), targets, 三公
    with django_assert_max_num_queries(7):
        qs.build(_params(district, include_unapproved=True), tmp_path / "a.xlsx", lambda p: None)


def test_the_notes_name_the_target_table_edition_of_each_department(district, tmp_path):
    qs.build(_params(district, include_unapproved=True), tmp_path / "a.xlsx", lambda p: None)
    notes = [c.value for row in openpyxl.load_workbook(tmp_path / "a.xlsx")["说明"].iter_rows() for c in row if c.value]
    assert any("昆明市公安局呈贡分局 第 1 版" in str(text) for text in notes)


def test_a_failed_build_leaves_no_temporary_files(district, tmp_path, monkeypatch):
    from openpyxl.worksheet import _writer

    before = set(_writer.ALL_TEMP_FILES)

    def broken(*args):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(qs, "findings", broken)
    with pytest.raises(RuntimeError, match="数据库连接中断"):
        qs.build(_params(district), tmp_path / "x.xlsx", lambda p: None)
    assert not [p for p in set(_writer.ALL_TEMP_FILES) - before if Path(p).exists()]
    assert not (tmp_path / "x.xlsx").exists()


def test_bad_parameters_are_refused_in_chinese(tmp_path, db):
    with pytest.raises(ValueError, match="季度须为 1–4"):
        qs.build({"year": YEAR, "quarter": 5}, tmp_path / "x.xlsx", lambda p: None)
    with pytest.raises(ValueError, match="年度"):
        qs.build({"year": "abc", "quarter": 1}, tmp_path / "x.xlsx", lambda p: None)


def test_an_export_job_runs_end_to_end(district, finance_admin, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(kind=ExportKind.QUARTER_SUMMARY, params=_params(district),
                                   requested_by=finance_admin)
    job = jobs.export_job_run(job.pk)
    assert job.status == JobStatus.DONE and job.progress == 100
    assert job.filename == "2021年第3季度绩效运行监控汇总表.xlsx"
    assert [r["revision"] for r in job.revisions] == [3, 2]
    wb = openpyxl.load_workbook(Path(settings.MEDIA_ROOT) / job.file.name)
    assert _by_name(wb["汇总"], "昆明市公安局呈贡分局")[3].value == pytest.approx(0.5)


def test_the_command_writes_the_workbook(district, tmp_path):
    out = tmp_path / "q3.xlsx"
    call_command("export_quarter", "--year", "2021", "--quarter", "3", "--out", str(out), "--include-unapproved")
    wb = openpyxl.load_workbook(out)
    assert "含未审定" in wb["汇总"]["A2"].value
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize(("args", "message"), [
    (["--quarter", "5", "--out", "x.xlsx"], "季度「5」无效"),
    (["--quarter", "1", "--out", "x.csv"], "应以 .xlsx 结尾"),
    (["--quarter", "1", "--out", "/nonexistent-dir/x.xlsx"], "输出目录不存在"),
])
def test_the_command_refuses_bad_arguments(db, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("export_quarter", "--year", "2021", *args)


def test_after_an_adjustment_last_quarter_is_read_by_indicator_name(district, tmp_path):
    """Q3 was opened with a new edition of the target table (调整): its indicators have new ids, and
    last quarter's figures (kept under the old ids) are found by name, as the report's page finds them."""
    police = district["police"]
    old = TargetTable.objects.get(department=police, year=YEAR, edition=1)
    new = TargetTable.objects.create(department=police, year=YEAR, edition=2, state=State.APPROVED, based_on=old)
    moved = {}
    for target in AnnualTarget.objects.filter(table=old):
        previous_pk, target.pk, target.table = target.pk, None, new
        target.save()
        moved[str(previous_pk)] = str(target.pk)
    for report in QuarterlyReport.objects.filter(department=police, year=YEAR, quarter=QUARTER):
        report.target_table = new
        report.data = report.data | {"rows": {moved[k]: v for k, v in report.data.get("rows", {}).items()}}
        report.save()
    _, wb, _ = _build(tmp_path, _params(district))
    rows = {row[4].value: [c.value for c in row] for row in _data_rows(wb["指标进度"])}
    assert rows["矛盾纠纷排查化解率"][8:10] == [92, 90] and rows["预算执行进度"][8:10] == [24, 50]
