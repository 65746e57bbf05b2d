"""Prior year carried over (DESIGN §11): launching year N fills every 上年 value from year N−1's
approved sections of the same department and slot, marked as carried over.

Each carried value is recorded in ``data["carry"]`` ({"year", "values": {path: value}}); it
stays editable, but a value that no longer equals the approved one raises a warning that needs a
written reason (the explanations of DESIGN §7), so a retyped 上年 figure never slips by silently.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType

from reports import figures as fig
from reports.findings import Issue, warning
from reports.models import Report, Section, SectionKind, SectionRevision
from workflow.models import TransitionLog
from workflow.states import State
from workflow.transitions import Action

CARRY = "carry"  # the marker: {"year": N−1, "values": {path: value as approved}}
KEPT = (CARRY, "prior_actuals")  # kept across saves: no form posts them


def _budget(prior: dict[str, Any]) -> dict[str, Any]:
    # 上年结转 of year N is 年末结转结余 of year N−1.
    return {"carried_over": prior.get("year_end_balance")}


def _three_public(prior: dict[str, Any]) -> dict[str, Any]:
    return {f"rows.{item}.prior": row.get("actual") for item, row in (prior.get("rows") or {}).items()}


def _statistics(prior: dict[str, Any]) -> dict[str, Any]:
    return {f"figures.{row['name']}.prior": row.get("value") for row in prior.get("figures", []) if row.get("name")}


def _indicators(prior: dict[str, Any]) -> dict[str, Any]:
    return {f"prior_actuals.{row['name']}": row.get("actual") for row in prior.get("rows", []) if row.get("name")}


CARRIERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    SectionKind.BUDGET: _budget, SectionKind.THREE_PUBLIC: _three_public, SectionKind.STATISTICS: _statistics,
    SectionKind.INDICATORS: _indicators,
}


def value_at(data: dict[str, Any], path: str) -> Any:
    """The value at a carried path ("figures.<name>.prior" looks the figure up by name)."""
    head, _, rest = path.partition(".")
    if head == "figures":
        name, _, key = rest.rpartition(".")
        row = next((r for r in data.get("figures", []) if r.get("name") == name), None)
        return None if row is None else row.get(key)
    node: Any = data
    for part in path.split(".") if head != "prior_actuals" else ["prior_actuals", rest]:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if head == "figures":
        name, _, key = rest.rpartition(".")
        data.setdefault("figures", []).append({"name": name, "unit": "", "value": "", key: value,
                                               "stated_change": "", "parent": ""})
    elif head == "prior_actuals":
        data.setdefault("prior_actuals", {})[rest] = value
    elif head == "rows":
        item, _, key = rest.partition(".")
        data.setdefault("rows", {}).setdefault(item, {})[key] = value
    else:
        data[path] = value


def carry_into(kind: str, data: dict[str, Any], prior: dict[str, Any], year: int) -> dict[str, Any]:
    """``data`` (a new section's empty content) with the 上年 values of ``prior`` filled in and marked."""
    values = carried_values(kind, prior)
    if not values:
        return data
    data = {**data, "rows": dict(data.get("rows", {}))} if kind == SectionKind.THREE_PUBLIC else dict(data)
    if kind == SectionKind.STATISTICS:  # the figures themselves carry over, with last year's units
        units = {r["name"]: r.get("unit", "") for r in prior.get("figures", [])}
        data["figures"] = []
        data["ratios"] = [dict(r, stated="") for r in prior.get("ratios", [])]
    for path, value in values.items():
        _set(data, path, value)
    if kind == SectionKind.STATISTICS:
        data["figures"] = [dict(r, unit=units.get(r["name"], "")) for r in data["figures"]]
    return data | {CARRY: {"year": year, "values": values}}


def carried_values(kind: str, prior: dict[str, Any]) -> dict[str, Any]:
    """The 上年 values ``prior`` (last year's approved content) gives a section of ``kind``, by path."""
    carrier = CARRIERS.get(kind)
    return {p: v for p, v in (carrier(prior) if carrier else {}).items() if v not in (None, "")}


def recarry(kind: str, data: dict[str, Any], prior: dict[str, Any], year: int) -> tuple[dict[str, Any], list[str]]:
    """``data`` after bringing in ``prior``'s approved values again, and the paths whose value changed.

    A value is brought in only where the user left it alone: empty, or still the value carried before.
    A value the user changed stays as typed (with its reason); the marker takes the new approved value,
    so a difference from it keeps asking for a reason (``carry_issues``)."""
    values = carried_values(kind, prior)
    if not values:
        return data, []
    if kind == SectionKind.STATISTICS and not data.get("figures"):  # nothing typed: carry as at launch
        fresh = carry_into(kind, data, prior, year)
        return fresh | ({"ratios": data["ratios"]} if data.get("ratios") else {}), sorted(values)
    data = copy.deepcopy(data)
    before = (data.get(CARRY) or {}).get("values") or {}
    units = {r.get("name"): r.get("unit", "") for r in prior.get("figures", [])}
    changed = []
    for path, value in values.items():
        now = value_at(data, path)
        if (now in (None, "") or (path in before and _same(now, before[path]))) and not _same(now, value):
            _put(data, path, value, units)
            changed.append(path)
    return data | {CARRY: {"year": year, "values": values}}, changed


def _put(data: dict[str, Any], path: str, value: Any, units: dict[str, str]) -> None:
    head, _, rest = path.partition(".")
    name, _, key = rest.rpartition(".")
    row = next((r for r in data.get("figures", []) if r.get("name") == name), None) if head == "figures" else None
    if row is not None:
        row[key] = value
        return
    _set(data, path, value)
    if head == "figures":
        data["figures"][-1]["unit"] = units.get(name, "")


def carry_issues(data: dict[str, Any]) -> list[Issue]:
    """A carried 上年 value that was changed: allowed, with a written reason."""
    carried = data.get(CARRY) or {}
    issues = []
    for path, value in (carried.get("values") or {}).items():
        now = value_at(data, path)
        if _same(now, value):
            continue
        issues.append(warning(f"carry.{path}", f"上年数据「{_label(path)}」与{carried.get('year')}年度已审定报告不一致"
                                               f"（审定为 {_shown(value)}，现为 {_shown(now)}），请说明修改理由"))
    return issues


def _same(a: Any, b: Any) -> bool:
    da, db = fig.to_decimal(a) if _numeric(a) else a, fig.to_decimal(b) if _numeric(b) else b
    return da == db


def _numeric(value: Any) -> bool:
    try:
        fig.to_decimal(value)
    except (ArithmeticError, ValueError):
        return False
    return value not in (None, "")


def _label(path: str) -> str:
    head, _, rest = path.partition(".")
    return {"carried_over": "上年结转"}.get(path) or (rest.rpartition(".")[0] if head == "figures" else rest)


def _shown(value: Any) -> str:
    return "（空）" if value in (None, "") else str(value)


def prior_sections(departments: list[int], year: int) -> dict[tuple[int, str], dict[str, Any]]:
    """Year ``year``'s finance-approved content by (department, slot key), latest cycle first (three queries).

    The approved version: a section approved now gives its content; one reopened since gives the revision
    its last finance approval named, so a correction under way does not take last year's figures away."""
    sections = list(Section.objects.filter(report__department_id__in=departments, report__cycle__year=year,
                                           kind__in=list(CARRIERS)).select_related("node", "report")
                    .order_by("-report__cycle_id"))
    approved = _approved_revisions([s for s in sections if s.state != State.APPROVED])
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for section in sections:
        data = section.data if section.state == State.APPROVED else approved.get(section.pk)
        if data is not None:
            found.setdefault((section.report.department_id, section.node.key), data)
    return found


def _approved_revisions(sections: list[Section]) -> dict[int, dict[str, Any]]:
    """The content each section had when the finance bureau last approved it (absent: never approved)."""
    if not sections:
        return {}
    logs = TransitionLog.objects.filter(content_type=ContentType.objects.get_for_model(Section),
                                        object_id__in=[s.pk for s in sections], action=Action.FINANCE_APPROVE)
    last = dict(logs.order_by("created_at", "id").values_list("object_id", "revision"))
    revisions = SectionRevision.objects.filter(section_id__in=list(last), number__in=set(last.values()))
    return {r.section_id: r.data for r in revisions if last[r.section_id] == r.number}


@dataclass(frozen=True)
class Offer:
    """What bringing last year's approved figures in again would do to one section."""

    section: Section
    data: dict[str, Any]  # the section's content afterwards
    changed: list[str]  # the paths whose value changes (empty: only the marker follows the approved value)


def offers(report: Report) -> list[Offer]:
    """The sections of ``report`` that year N−1's approved report (approved since the launch, or again)
    would change: the "从上年报告带入" action's work, and the page's flag that it has some."""
    year = report.cycle.year - 1
    approved = prior_sections([report.department_id], year)
    if not approved:
        return []
    found = []
    for section in report.sections.filter(kind__in=list(CARRIERS)).select_related("node", "unit").order_by("pk"):
        prior = approved.get((report.department_id, section.node.key))
        if prior is not None:
            data, changed = recarry(section.kind, section.data, prior, year)
            if data != section.data:
                found.append(Offer(section, data, changed))
    return found
