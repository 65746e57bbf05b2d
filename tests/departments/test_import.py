"""import_departments: all rows valid or nothing written; errors by row and column in Chinese."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from departments.models import Department

pytestmark = pytest.mark.django_db

HEADER = ["编码", "名称", "类型", "上级编码"]
GOOD = [
    ["CZ", "样例财政局", "财政局", ""],
    ["GA", "样例公安局", "预算部门", "CZ"],
    ["GA-P1", "城关派出所", "派出所", "GA"],
    ["GA-N1", "警务保障室", "internal_unit", "GA"],
    ["GA-C1", "看守所", "监管场所", "GA"],
]


def write_csv(tmp_path, rows, name="org.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes("\n".join(",".join(r) for r in rows).encode(encoding))
    return path


def write_xlsx(tmp_path, rows, name="org.xlsx"):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def run(path):
    out = io.StringIO()
    call_command("import_departments", str(path), stdout=out)
    return out.getvalue()


def test_it_imports_an_xlsx_chart_and_builds_the_tree(tmp_path):
    out = run(write_xlsx(tmp_path, [HEADER, *GOOD]))
    assert "新增 5 个" in out
    station = Department.objects.get(code="GA-P1")
    assert station.parent.code == "GA"
    assert station.budget_department.code == "GA"
    assert station.path == "/CZ/GA/GA-P1/"


def test_a_second_import_changes_nothing(tmp_path):
    path = write_xlsx(tmp_path, [HEADER, *GOOD])
    run(path)
    before = list(Department.objects.values_list("pk", "code", "name", "path", "order"))
    out = run(path)
    assert "新增 0 个，更新 0 个，未变 5 个" in out
    assert list(Department.objects.values_list("pk", "code", "name", "path", "order")) == before


def test_it_updates_a_renamed_unit(tmp_path):
    run(write_csv(tmp_path, [HEADER, *GOOD]))
    renamed = [r if r[0] != "GA-P1" else ["GA-P1", "城关派出所（新）", "派出所", "GA"] for r in GOOD]
    assert "更新 1 个" in run(write_csv(tmp_path, [HEADER, *renamed], name="v2.csv"))
    assert Department.objects.get(code="GA-P1").name == "城关派出所（新）"


def test_children_may_come_before_their_parents(tmp_path):
    run(write_csv(tmp_path, [HEADER, *reversed(GOOD)]))
    assert Department.objects.get(code="GA-C1").path == "/CZ/GA/GA-C1/"


def test_gbk_csv_from_chinese_excel_is_read(tmp_path):
    run(write_csv(tmp_path, [HEADER, *GOOD], encoding="gb18030"))
    assert Department.objects.filter(name="警务保障室").exists()


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        (["GA-X", "", "派出所", "GA"], "第 7 行「名称」列：不能为空"),
        (["GA X", "某所", "派出所", "GA"], "第 7 行「编码」列"),
        (["GA-X", "某所", "乡镇", "GA"], "第 7 行「类型」列：「乡镇」不是有效类型"),
        (["GA-X", "某所", "派出所", "NOPE"], "第 7 行「上级编码」列：找不到编码为「NOPE」的上级单位"),
        (["GA-P1", "重复所", "派出所", "GA"], "第 7 行「编码」列：「GA-P1」与第 4 行重复"),
        (["GA-X", "某所", "派出所", ""], "第 7 行「上级编码」列：派出所必须填写上级单位"),
        (["GA-X", "某所", "派出所", "GA-X"], "第 7 行「上级编码」列：不能是本单位自己"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(tmp_path, bad_row, expected):
    with pytest.raises(CommandError) as err:
        run(write_csv(tmp_path, [HEADER, *GOOD, bad_row]))
    assert expected in str(err.value)
    assert "未导入任何数据" in str(err.value)
    assert not Department.objects.exists()


def test_all_errors_are_reported_at_once(tmp_path):
    rows = [HEADER, *GOOD, ["", "某所", "派出所", "GA"], ["GA-Y", "某所", "乡镇", "GA"]]
    with pytest.raises(CommandError) as err:
        run(write_csv(tmp_path, rows))
    assert "有 2 处错误" in str(err.value)


def test_a_cycle_is_refused(tmp_path):
    rows = [HEADER, ["A", "甲", "内设机构", "B"], ["B", "乙", "内设机构", "A"]]
    with pytest.raises(CommandError, match="循环"):
        run(write_csv(tmp_path, rows))


def test_a_missing_header_is_named(tmp_path):
    with pytest.raises(CommandError, match="第 1 行「上级编码」列：表头缺少此列"):
        run(write_csv(tmp_path, [["编码", "名称", "类型"], ["A", "甲", "财政局"]]))


def test_a_move_into_its_own_subtree_is_refused_and_rolled_back(tmp_path):
    run(write_csv(tmp_path, [HEADER, *GOOD]))
    with pytest.raises(CommandError, match="上级单位不能是本单位或其下级单位"):
        run(write_csv(tmp_path, [HEADER, ["GA", "样例公安局（改）", "预算部门", "GA-P1"]], name="move.csv"))
    assert Department.objects.get(code="GA").name == "样例公安局"


def test_a_moved_unit_takes_its_subtree_along(tmp_path):
    run(write_csv(tmp_path, [HEADER, *GOOD, ["GA-P1-1", "警务室", "其他", "GA-P1"]]))
    run(write_csv(tmp_path, [HEADER, ["GA-P1", "城关派出所", "派出所", "GA-N1"]], name="move.csv"))
    assert Department.objects.get(code="GA-P1-1").path == "/CZ/GA/GA-N1/GA-P1/GA-P1-1/"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("org.txt", b"a,b", "不支持的文件类型"),
        ("org.csv", b"", "文件为空"),
        ("org.xlsx", b"not a zip at all", "不是有效的 .xlsx"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=expected):
        run(path)


def test_a_formula_cell_is_refused(tmp_path):
    with pytest.raises(CommandError, match="单元格 B2 含公式"):
        run(write_xlsx(tmp_path, [HEADER, ["A", "=1+1", "财政局", ""]]))


def test_an_oversized_file_is_refused(tmp_path, settings):
    settings.EVALSITE_UPLOAD_MAX_BYTES = 100
    with pytest.raises(CommandError, match="文件过大"):
        run(write_csv(tmp_path, [HEADER, *GOOD]))


def test_a_lying_dimension_does_not_walk_millions_of_cells(tmp_path):
    path = write_xlsx(tmp_path, [HEADER, *GOOD])
    import zipfile

    patched = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:D6"/>', b'<dimension ref="A1:XFD1048576"/>')
                assert b"XFD1048576" in data
            dst.writestr(item, data)
    assert "新增 5 个" in run(patched)


# --- hostile files: a Chinese CommandError with row and column, never a traceback -----------------


def write_bytes(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_lying_zip_is_refused_in_chinese(tmp_path):
    from tests import hostile

    with pytest.raises(CommandError, match="已损坏|不是有效的 XML"):
        run(write_bytes(tmp_path, "bomb.xlsx", hostile.understated_bomb(32 * 1024 * 1024)))


def test_a_nan_number_cell_is_named(tmp_path):
    from tests import hostile

    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><v>NaN</v></c></row>'
    with pytest.raises(CommandError, match="单元格 B2 的数值「NaN」无效"):
        run(write_bytes(tmp_path, "nan.xlsx", hostile.workbook(hostile.sheet_of([row]))))


def test_an_oversized_csv_field_names_its_row(tmp_path):
    rows = [HEADER, *GOOD, ["GA-X", "某" * 200_000, "派出所", "GA"]]
    with pytest.raises(CommandError, match="第 7 行无法按 CSV 读取"):
        run(write_csv(tmp_path, rows))


def test_a_long_csv_field_within_the_csv_limit_names_row_and_column(tmp_path):
    rows = [HEADER, *GOOD, ["GA-X", "某" * 40_000, "派出所", "GA"]]
    with pytest.raises(CommandError, match="第 7 行第 2 列（B7）超过 32767 个字符"):
        run(write_csv(tmp_path, rows))


def test_nul_bytes_are_named_and_nothing_is_written(tmp_path):
    rows = [HEADER, *GOOD, ["GA-X", "某\x00所", "派出所", "GA"]]
    with pytest.raises(CommandError, match="第 7 行第 2 列（B7）含空字符（NUL）"):
        run(write_csv(tmp_path, rows))
    assert not Department.objects.exists()


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        (["GA-X", "某所\n二部", "派出所", "GA"], "第 7 行「名称」列：含不可见的控制字符"),
        (["GA-X", "某所", "派出所", "GA", "²"], "第 7 行「排序」列：「²」不是非负整数"),
        (["GA-X", "某所", "派出所", "GA", "9" * 5000], "第 7 行「排序」列"),
        (["GA-X", "某所", "派出所", "GA", "NaN"], "第 7 行「排序」列：「NaN」不是非负整数"),
    ],
)
def test_bad_cells_that_used_to_crash_are_named(tmp_path, bad_row, expected):
    path = tmp_path / "org.csv"
    import csv as _csv

    with path.open("w", newline="", encoding="utf-8") as f:
        _csv.writer(f).writerows([[*HEADER, "排序"], *[[*r, ""] for r in GOOD], bad_row])
    with pytest.raises(CommandError) as err:
        run(path)
    assert expected in str(err.value)
    assert not Department.objects.exists()


def test_moving_a_unit_to_another_department_is_reported(tmp_path):
    run(write_csv(tmp_path, [HEADER, *GOOD, ["JY", "样例教育局", "预算部门", "CZ"]]))
    out = run(write_csv(tmp_path, [HEADER, ["GA-P1", "城关派出所", "派出所", "JY"]], name="move.csv"))
    assert "更新 1 个" in out
    assert "GA-P1（城关派出所）：上级 GA → JY" in out
    assert "所属部门由「样例公安局」改为「样例教育局」" in out
