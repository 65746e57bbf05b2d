"""Tables of the review pages drawn in Python: 我的待办's departments waiting for the finance bureau and the
审核进度 matrix. Through the template engine a row of the first cost about a thousand calls (two URL reversals,
a form with its CSRF token, a localized number per count), and the matrix's rows and heads most of its page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString

from reports.annual.outline import OutlineEntry
from reports.review.selectors import ProgressRow, ReadyReport, url_parts

register = template.Library()


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
