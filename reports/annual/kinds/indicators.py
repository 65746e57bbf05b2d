"""Performance indicators: rows of 一级/二级/三级, nature, target, actual, weight; scores computed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms

from reports import figures as fig

from .base import CheckContext, Issue, KindSpec, describe_rows, error, form_labels, formset_rows

LEVEL1 = ["产出", "效益", "满意度"]
LEVEL2 = {
    "产出": ["数量", "质量", "时效", "成本"],
    "效益": ["经济效益", "社会效益", "生态效益", "可持续影响"],
    "满意度": ["服务对象满意度"],
}
NATURES = [("≥", "≥"), ("≤", "≤"), ("=", "="), ("定性", "定性")]
QUALITATIVE = "定性"
SCORE_PLACES = Decimal("0.01")


def _number(text: str, label: str) -> str:
    """The stored form of a typed value (full-width and separators normalised, a '%' kept)."""
    try:
        return fig.measure_text(text or "")
    except fig.FigureError as exc:
        raise forms.ValidationError(f"{label}：{exc}") from exc


class IndicatorRowForm(forms.Form):
    level1 = forms.ChoiceField(label="一级指标", choices=[(v, v) for v in LEVEL1])
    level2 = forms.ChoiceField(label="二级指标", choices=[(v, v) for vs in LEVEL2.values() for v in vs])
    name = forms.CharField(label="三级指标", max_length=100)
    nature = forms.ChoiceField(label="指标性质", choices=NATURES)
    target = forms.CharField(label="指标值", max_length=100)
    unit = forms.CharField(label="度量单位", max_length=20, required=False)
    actual = forms.CharField(label="实际完成值", max_length=100, required=False)
    weight = forms.CharField(label="分值", max_length=10)
    manual_score = forms.CharField(label="得分（定性）", max_length=10, required=False)
    reason = forms.CharField(label="偏差原因分析及改进措施", max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("level1") and cleaned.get("level2") and cleaned["level2"] not in LEVEL2[cleaned["level1"]]:
            self.add_error("level2", f"二级指标「{cleaned['level2']}」不属于一级指标「{cleaned['level1']}」")
        self._numbers(cleaned)
        return cleaned

    def _numbers(self, cleaned: dict[str, Any]) -> None:
        checks = [("weight", "分值"), ("manual_score", "得分")]
        if cleaned.get("nature") != QUALITATIVE:
            checks += [("target", "指标值"), ("actual", "实际完成值")]
        for name, label in checks:
            try:
                cleaned[name] = _number(cleaned.get(name, ""), label)
            except forms.ValidationError as exc:
                self.add_error(name, exc)


class BaseIndicatorFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        names = [f.cleaned_data.get("name") for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        duplicates = {n for n in names if n and names.count(n) > 1}
        if duplicates:
            raise forms.ValidationError(f"三级指标重复：{'、'.join(sorted(duplicates))}")


IndicatorFormSet = forms.formset_factory(IndicatorRowForm, formset=BaseIndicatorFormSet, extra=2, can_delete=True,
                                         max_num=200, validate_max=True)

ROW_FIELDS = ["level1", "level2", "name", "nature", "target", "unit", "actual", "weight", "manual_score", "reason",
              "note"]


def _met(nature: str, target: Decimal, actual: Decimal) -> bool:
    return {"≥": actual >= target, "≤": actual <= target, "=": actual == target}[nature]


def score_quantitative(nature: str, target: Decimal, actual: Decimal, weight: Decimal) -> Decimal:
    """Met → full weight; missed → weight × actual/target (≥), × target/actual (≤), × closeness (=)."""
    if _met(nature, target, actual):
        score = weight
    elif nature == "≥":
        score = weight * actual / target if target else Decimal(0)
    elif nature == "≤":
        score = weight * target / actual if actual else weight
    else:
        score = weight * max(Decimal(0), 1 - abs(actual - target) / target) if target else Decimal(0)
    return min(weight, max(Decimal(0), score)).quantize(SCORE_PLACES, ROUND_HALF_UP)


def _row_values(row: dict[str, Any]) -> dict[str, Any]:
    def number(key: str) -> Decimal | None:
        return fig.measure_or_none(row.get(key))

    return {"target": number("target"), "actual": number("actual"), "weight": number("weight") or Decimal(0),
            "manual": number("manual_score")}


def compute_row(row: dict[str, Any]) -> dict[str, Any]:
    v = _row_values(row)
    if row.get("nature") == QUALITATIVE:
        return {"score": v["manual"], "met": None, "weight": v["weight"]}
    if v["target"] is None or v["actual"] is None:
        return {"score": None, "met": None, "weight": v["weight"]}
    return {
        "score": score_quantitative(row["nature"], v["target"], v["actual"], v["weight"]),
        "met": _met(row["nature"], v["target"], v["actual"]),
        "weight": v["weight"],
    }


def _target_issues(data: dict[str, Any], ctx: CheckContext) -> list[Issue]:
    """The rows must be the approved target table's (DESIGN §11), of the edition in force."""
    if not ctx.targets_checked:
        return []
    if ctx.target_edition is None:
        return [error("indicators.no_targets", "本年度尚无已审定的整体绩效目标表：指标和指标值须来自审定的目标表，"
                                               "请先申报目标表并经财政审定")]
    used = (data.get("target_table") or {}).get("edition")
    if used != ctx.target_edition:
        return [error("indicators.target_edition", f"绩效目标表现行版本为第 {ctx.target_edition} 版，本章节按"
                      f"{f'第 {used} 版' if used else '手工填写的指标'}评分：请重新保存本章节以载入现行版本")]
    return []


class Indicators(KindSpec):
    code = "indicators"
    formset_classes = {"rows": IndicatorFormSet}
    render_template = "reports/annual/kinds/indicators.html"

    def empty_data(self) -> dict[str, Any]:
        return {"rows": []}

    def to_data(self, form: None, formsets: dict[str, forms.BaseFormSet]) -> dict[str, Any]:
        return {"rows": formset_rows(formsets["rows"], ROW_FIELDS)}

    def compute(self, data: dict[str, Any]) -> dict[str, Any]:
        rows = [row | compute_row(row) for row in data.get("rows", [])]
        groups: dict[str, dict[str, Decimal]] = {}
        for row in rows:
            group = groups.setdefault(row["level1"], {"weight": Decimal(0), "score": Decimal(0)})
            group["weight"] += row["weight"]
            group["score"] += row["score"] or 0
        return {
            "rows": rows,
            "groups": groups,
            "weight": sum((g["weight"] for g in groups.values()), Decimal(0)),
            "score": sum((g["score"] for g in groups.values()), Decimal(0)),
        }

    def check(self, data: dict[str, Any], computed: dict[str, Any], ctx: CheckContext) -> list[Issue]:
        issues: list[Issue] = _target_issues(data, ctx)
        if not computed["rows"]:
            return [*issues, error("indicators.empty", "尚未填写任何绩效指标")]
        for i, row in enumerate(computed["rows"], start=1):
            issues += self._row_issues(i, row)
        for level1 in LEVEL1:
            expected = ctx.scoring.get(level1)
            actual = computed["groups"].get(level1, {}).get("weight", Decimal(0))
            if expected is not None and actual != Decimal(expected):
                issues.append(error(f"indicators.weight.{level1}",
                                    f"{level1}指标分值合计 {fig.format_number(actual)}，应为 {expected}"))
        return issues

    def _row_issues(self, i: int, row: dict[str, Any]) -> list[Issue]:
        where = f"第 {i} 行「{row['name']}」"
        issues = []
        if row["nature"] == QUALITATIVE:
            if row["score"] is None:
                issues.append(error(f"indicators.row{i}.manual", f"{where}为定性指标，请在分值内打分"))
            elif row["score"] > row["weight"]:
                issues.append(error(f"indicators.row{i}.range", f"{where}得分 {row['score']} 超过分值 {row['weight']}"))
            if not row.get("reason"):
                issues.append(error(f"indicators.row{i}.basis", f"{where}为定性指标，请写明打分理由"))
        elif row["met"] is None:
            issues.append(error(f"indicators.row{i}.actual", f"{where}尚未填写实际完成值"))
        elif not row["met"] and not row.get("reason"):
            issues.append(error(f"indicators.row{i}.reason", f"{where}未完成目标，请填写偏差原因分析及改进措施"))
        return issues

    def is_empty(self, data: dict[str, Any]) -> bool:
        return not data.get("rows")

    def describe(self, data: dict[str, Any]) -> dict[str, str]:
        return describe_rows(data.get("rows", []), "name", form_labels(IndicatorRowForm, ROW_FIELDS), "")

    def write_docx(self, out: Any, rendered: Any, score: Any) -> None:
        """The text, then — in the section the report is scored on — the indicator table, the finance
        bureau's adjustments (not in the 公开版) and the summary of the score."""
        super().write_docx(out, rendered, score)
        if rendered.section.pk != getattr(score.indicator_section, "pk", None):
            return
        _docx_indicator_table(out, score)
        for r in score.rows:
            if r.adjustment is not None and not out.public:
                out.paragraph(f"注：“{r.name}”得分经财政审核调整为{out.score(r.score)}分（按规则计"
                              f"{out.score(r.computed)}分），理由：{r.adjustment.reason}", note=True)
        _docx_score_summary(out, score)


DOCX_WIDTHS = (12, 15, 31, 9, 12, 9, 14, 10, 13, 31)
DOCX_HEADER = ("一级指标", "二级指标", "三级指标", "性质", "指标值", "单位", "实际完成值", "分值", "得分",
               "偏差原因分析及改进措施")


def _docx_indicator_table(out: Any, score: Any) -> None:
    table = out.table(DOCX_WIDTHS, DOCX_HEADER, small=True)
    for group in score.groups:
        first = len(table.rows)
        for r in group.rows:
            row = r.row
            out.row(table, (r.level1, row.get("level2", ""), r.name, row.get("nature", ""), row.get("target", ""),
                            row.get("unit", ""), row.get("actual") or "—", out.num(r.weight), out.score(r.score),
                            row.get("reason", "")), align="cclccccccl")
        _docx_merge_runs(out, table, group, first)
        subtotal = out.row(table, ("", "", "", "", "", "", "", out.num(group.weight), out.score(group.score), ""),
                           bold=True)
        out.merge(subtotal, 0, 6, f"{group.name}指标小计")
    total = out.row(table, ("", "", "", "", "", "", "", out.num(score.indicator_weight),
                            out.score(score.indicator_score), ""), bold=True)
    out.merge(total, 0, 6, "绩效指标合计")
    out.end_table(table, keep_together=False)


def _docx_merge_runs(out: Any, table: Any, group: Any, first: int) -> None:
    """一级 once per group; 二级 once per run of equal values."""
    if not group.rows:
        return
    out.merge_down(table, 0, first, first + len(group.rows) - 1)
    start = 0
    for i in range(1, len(group.rows) + 1):
        if i == len(group.rows) or group.rows[i].row.get("level2") != group.rows[start].row.get("level2"):
            out.merge_down(table, 1, first + start, first + i - 1)
            start = i


def _docx_score_summary(out: Any, score: Any) -> None:
    out.paragraph(f"经自评，综合自评得分{out.score(score.total)}分（预算执行{out.score(score.budget_score)}分，"
                  f"绩效指标{out.score(score.indicator_score)}分），评价等级为“{score.grade}”。")
    out.caption("自评得分汇总")
    table = out.table((40, 22, 22, 72), ("评分项目", "分值", "得分", "计分依据"))
    weight = out.num(score.budget_weight)
    out.row(table, ("预算执行率", weight, out.score(score.budget_score),
                    f"执行率{out.pct(score.execution_rate)}×{weight}分，封顶{weight}分"), align="lccl")
    for group in score.groups:
        out.row(table, (f"{group.name}指标", out.num(group.weight), out.score(group.score), f"{len(group.rows)}项指标"),
                align="lccl")
    out.row(table, ("合计", out.num(score.weight), out.score(score.total), f"评价等级：{score.grade}"), bold=True,
            align="lccl")
    out.end_table(table)
