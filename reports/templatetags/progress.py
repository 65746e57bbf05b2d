"""The cells of the 审核进度 matrix, drawn in Python: a page holds about a thousand of them, and the
template engine's per-node cost (a few microseconds per variable) made rendering most of the page's time."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from reports.review.selectors import ProgressCell

register = template.Library()


@register.simple_tag
def progress_cells(cells: list[ProgressCell | None]) -> SafeString:
    """One ``<td>`` per section slot: a link to the section with its state's mark, or an empty cell."""
    return format_html_join("", "{}", ((_cell(c),) for c in cells))


def _cell(cell: ProgressCell | None) -> SafeString:
    if cell is None:
        return SafeString('<td class="cell"></td>')
    return format_html('<td class="cell"><a href="{}" title="{}"><span class="dot {}">{}</span></a></td>',
                       cell.url, cell.label, cell.state, cell.mark)
