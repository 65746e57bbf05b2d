"""Tables of the review pages drawn in Python: 我的待办's departments waiting for the finance bureau and the
审核进度 matrix. Through the template engine a row of the first cost about a thousand calls (two URL reversals,
a form with its CSRF token, a localized number per count), and the matrix's rows and heads most of its page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString

from reports.annual.outline import OutlineEntry
from reports.review.selectors import ProgressRow, ReadyReport, url_parts

register = template.Library()
OVERDUE_BADGE = ' <span class="badge err">逾期</span>'


@register.simple_tag(takes_context=True)
def ready_rows(context: template.Context, rows: Iterable[ReadyReport]) -> SafeString:
    """One ``<tr>`` per department: year, department (overdue marked), N ready / approved / total with a
    link to the ready sections, the oldest waiting submission, and the approve-all form when allowed.
    Text is escaped with ``html.escape`` (the characters Django escapes); the rest are integers."""
    request = context["request"]
    hidden = (f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
              f'<input type="hidden" name="next" value="{escape(request.get_full_path())}">')
    report_url, approve_url = url_parts("reports:report_detail"), url_parts("reports:report_finance_approve_ready")
    return SafeString("".join(_row(r, report_url, approve_url, hidden) for r in rows))


def _row(r: ReadyReport, report_url: tuple[str, str], approve_url: tuple[str, str], hidden: str) -> str:
    report, name = r.report, escape(r.report.department.name)
    overdue = ' <span class="overdue">已逾期</span>' if r.is_overdue else ""
    pending = f' · <span class="muted">{r.pending} 个未通过领导小组审核</span>' if r.pending else ""
    items = (f' <a class="nowrap" href="?cycle={report.cycle_id}&amp;department={report.department_id}'
             f'&amp;state=leading_approved#items">查看章节</a>') if r.ready else ""
    if r.ready and r.gate_open:
        action = (f'<form method="post" action="{approve_url[0]}{report.pk}{approve_url[1]}" class="inline" '
                  f'data-confirm="将审定{name}的 {r.ready} 个章节，审定后只能由财政局管理员重新打开。确定吗？">{hidden}'
                  f'<button type="submit">审定可审定的 {r.ready} 个章节</button></form>')
    elif r.ready:
        action = '<span class="muted nowrap">待全部章节通过领导小组审核后可审定</span>'
    else:
        action = ""
    return (f'<tr><td>{report.cycle.year}</td><td><a href="{report_url[0]}{report.pk}{report_url[1]}">{name}</a>'
            f'{overdue}</td><td><span class="{"ready" if r.ready else ""}">{r.ready} 可审定</span> · {r.approved} 已审定'
            f' / 共 {r.total}{pending}{items}</td><td class="nowrap">{_day(report.oldest_waiting)}</td>'
            f'<td>{action}</td></tr>')


def _day(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "—"



@register.simple_tag
def progress_head(entries: list[OutlineEntry]) -> SafeString:
    """The 审核进度 matrix's column heads, one per section slot (the title cut to ten characters)."""
    return SafeString("".join(
        f'<th class="node" title="{escape(f"{e.number}{e.node.title}")}">{escape(_cut(e.node.title, 10))}</th>'
        for e in entries))


@register.simple_tag
def progress_body(rows: list[ProgressRow]) -> SafeString:
    """The 审核进度 matrix's rows: department, deadline (overdue marked), approved of total, then the cells
    (drawn by ``progress_rows``): about a thousand cells a page, through the template engine most of its time."""
    if not rows:
        return SafeString('<tr><td colspan="3" class="empty">没有您负责的部门。</td></tr>')
    return SafeString("".join(
        f'<tr><td><a href="{row.url}">{escape(row.report.department.name)}</a></td>'
        f'<td class="{"overdue" if row.is_overdue else ""}">{row.status.due:%Y-%m-%d}{" 逾期" if row.is_overdue else ""}</td>'
        f'<td class="num">{row.status.approved}/{row.status.total}</td>{row.cells}</tr>'
        for row in rows))


def _cut(text: str, length: int) -> str:
    """``truncatechars``: at most ``length`` characters, the last one an ellipsis when cut."""
    return text if len(text) <= length else f"{text[:length - 1]}…"


@register.simple_tag
def quarterly_rows(rows: list[dict[str, Any]]) -> SafeString:
    """我的待办's quarterly reports (``inbox_quarterlies``): quarter (a link), department · unit, state,
    deadline (overdue marked), and the checks' counts."""
    head, tail = url_parts("reports:quarterly_detail")
    return SafeString("".join(
        f'<tr><td><a href="{head}{q["pk"]}{tail}">{q["year"]}年第{q["quarter"]}季度</a></td>'
        f'<td>{escape(q["department__name"])} · {escape(q["unit__name"])}</td>'
        f'<td><span class="state state-{escape(q["state"])}">{escape(q["state_label"])}</span></td>'
        f'<td class="{"overdue" if q["is_overdue"] else ""}">{_date(q["due_on"])}</td>'
        f'<td>{_badge("err", q["error_count"], "个错误")}{_badge("warn", q["warning_count"], "个预警待说明")}</td></tr>'
        for q in rows))


@register.simple_tag
def rectification_rows(rows: list[dict[str, Any]]) -> SafeString:
    """我的待办's 整改事项 (``inbox_rectifications``): department · unit, the problem (a link), state, and
    the deadline (overdue marked)."""
    head, tail = url_parts("reports:rectification_detail")
    return SafeString("".join(
        f'<tr><td>{escape(r["department__name"])} · {escape(r["unit__name"])}</td>'
        f'<td><a href="{head}{r["pk"]}{tail}">{escape(_cut(r["problem"], 50))}</a></td>'
        f'<td><span class="state state-{escape(r["state"])}">{escape(r["state_label"])}</span></td>'
        f'<td class="{"overdue" if r["is_overdue"] else ""}">{_date(r["due_on"])}'
        f'{OVERDUE_BADGE if r["is_overdue"] else ""}</td></tr>'
        for r in rows))


def _badge(tone: str, count: int, what: str) -> str:
    return f'<span class="badge {tone}">{count} {what}</span>' if count else ""


def _date(day: date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""
