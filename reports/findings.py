"""The vocabulary of every consistency check (DESIGN §7): an issue, its level, a finding with
the user's explanation, and the one rule of what blocks a submission."""

from __future__ import annotations

from dataclasses import dataclass


class Level:
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One finding of a consistency check. Errors block submission; warnings need an explanation."""

    code: str
    level: str
    message: str
    field: str = ""
    # A stated-vs-computed mismatch is an error that a written explanation resolves (DESIGN §7:
    # "an error to fix or explain"); ``stated``/``computed`` are the two figures as shown.
    explainable: bool = False
    stated: str = ""
    computed: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == Level.ERROR

    @property
    def takes_explanation(self) -> bool:
        """Warnings and explainable errors are resolved by a written explanation."""
        return self.explainable or not self.is_error


def error(code: str, message: str, field_name: str = "") -> Issue:
    return Issue(code, Level.ERROR, message, field_name)


def warning(code: str, message: str, field_name: str = "") -> Issue:
    return Issue(code, Level.WARNING, message, field_name)


def mismatch(code: str, message: str, field_name: str = "", *, stated: str, computed: str) -> Issue:
    """A typed figure that differs from the one computed from its parts: an error to fix or explain."""
    return Issue(code, Level.ERROR, message, field_name, explainable=True, stated=stated, computed=computed)


@dataclass(frozen=True)
class Finding:
    issue: Issue
    explanation: str = ""

    @property
    def blocking(self) -> bool:
        """Errors block; a warning or a mismatch blocks until it has a written explanation."""
        return not (self.issue.takes_explanation and self.explanation)

    @property
    def unresolved_error(self) -> bool:
        return self.is_error and self.blocking

    @property
    def is_error(self) -> bool:
        return self.issue.is_error


def counts(findings: list[Finding]) -> tuple[int, int]:
    """(errors not resolved, warnings still without an explanation)."""
    errors = sum(1 for f in findings if f.unresolved_error)
    return errors, sum(1 for f in findings if not f.is_error and f.blocking)


def with_explanations(issues: list[Issue], explanations: dict[str, str]) -> list[Finding]:
    """Each issue with the user's explanation, where one may resolve it."""
    return [Finding(i, explanations.get(i.code, "") if i.takes_explanation else "") for i in issues]


def blocking_messages(findings: list[Finding], *, explain: str = "须填写说明") -> list[str]:
    """What stops a submission, for the user: each error, and each warning still without a written
    explanation (``explain`` says what to write: 说明, or 原因 for a quarterly warning)."""
    return [f.issue.message if f.is_error and not f.issue.explainable else f"{f.issue.message}（{explain}）"
            for f in findings if f.blocking]


# What a warning is about, for the history's 提醒说明 rows: the code is internal and never shown.
# "{}" takes the code's last part (the figure's name) for the codes that end in one.
TOPICS = {
    "budget.income_total": "收入合计与全年预算数不一致",
    "budget.received_over": "资金到位数超过预算",
    "budget.execution_low": "预算执行率低于 90%",
    "budget.execution_over": "预算执行率超过 100%",
    "three_public.no_budget": "未填写“三公”经费本年预算数",
    "three_public.over_budget": "“三公”经费超出预算",
    "three_public.no_prior": "未填写“三公”经费上年决算数",
    "three_public.increase": "“三公”经费较上年增长",
    "statistics.stated": "「{}」原文数据与计算不符",
    "statistics.parts": "「{}」与其中各项合计不符",
    "budget.annual_stated": "全年预算数与年初预算 + 调整不符",
    "budget.income_stated": "收入合计与各项收入之和不符",
    "budget.expenditure_parts": "全年执行数与支出构成合计不符",
    "budget.staff_parts": "实有在职人数与其中各项合计不符",
    "budget.staff_over": "在职人数超过编制数",
    "three_public.total": "“三公”经费合计与四项之和不符",
    "statistics.no_prior": "「{}」未填写上年数",
    "quarterly.behind_checkpoint": "预算执行率低于序时进度",
    "quarterly.decreased": "累计执行数少于上季度",
    "quarterly.over_budget": "累计执行数超过全年预算数",
    "quarterly.unlikely": "指标可能无法完成",
    "quarterly.row_decreased": "指标累计完成值少于上季度",
    "quarterly.implausible": "指标数值超出合理范围",
}


def topic(code: str) -> str:
    """The Chinese name of a finding's code ("提醒" when it is not a known one)."""
    if code in TOPICS:
        return TOPICS[code]
    prefix, _, name = code.rpartition(".")
    while prefix:
        if prefix in TOPICS:
            return TOPICS[prefix].format(name)
        prefix, _, name = prefix.rpartition(".")
    return "提醒"
