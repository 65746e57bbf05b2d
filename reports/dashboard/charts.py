"""Bar charts drawn on the server as SVG geometry: no script, no CDN, prints as vector graphics.

A chart is plain data (bars with their position, size, text and link); ``svg`` draws it as one
``<svg>`` string in Python (a template rendering each element cost ≈ 3 ms a chart). Horizontal bars keep long
Chinese names readable at 1366×768 and on an A4 page; the SVG scales with its ``viewBox``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 620  # viewBox units; the SVG is drawn at the card's width
LABEL = 150  # room for the category labels
VALUE = 70  # room for the value text right of the bars
ROW = 22  # one bar and its gap
TOP, BOTTOM = 20, 24  # room above the bars (the reference line's label), and for the axis labels
LABEL_CHARS = 11


@dataclass(frozen=True)
class Item:
    """One category: its label, value, shown text, the list behind it and a style (ok, warn, err, …)."""

    label: str
    value: Decimal | int
    text: str
    url: str
    tone: str = ""


@dataclass(frozen=True)
class Bar:
    item: Item
    y: float
    width: float
    label: str  # shortened to fit; the full one is in the bar's title

    @property
    def text_y(self) -> float:
        return self.y + ROW / 2


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    empty: str  # what the chart says when it has nothing to show
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    marker_x: float | None = None  # a reference line (序时进度)
    marker_text: str = ""
    height: float = 0
    width: int = WIDTH
    label_width: int = LABEL
    plot_width: int = WIDTH - LABEL - VALUE
    axis_y: float = 0

    @property
    def bar_height(self) -> int:
        return ROW - 6

    @property
    def value_x(self) -> int:
        return self.label_width + self.plot_width + 6

    @property
    def label_x(self) -> int:
        return self.label_width - 6

    @property
    def tick_y(self) -> float:
        return self.axis_y + 15

    @property
    def marker_text_y(self) -> int:
        return TOP // 2

    @property
    def svg(self) -> SafeString:
        return svg(self)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def hbar(
    title: str,
    items: list[Item],
    *,
    empty: str,
    scale: Decimal | int | None = None,
    percent: bool = False,
    marker: Decimal | None = None,
    marker_text: str = "",
) -> Chart:
    """A horizontal bar chart of ``items`` on a scale from 0 to ``scale`` (default: the largest value)."""
    if not items:
        return Chart(title, empty)
    top = max([scale or 0, *(i.value for i in items), marker or 0]) or 1
    if not percent:
        top = -(-top // 4) * 4  # counts: whole numbers on the ticks
    plot = WIDTH - LABEL - VALUE
    bars = [
        Bar(
            item,
            TOP + n * ROW + 3,
            round(float(plot * min(max(item.value, 0), top) / top), 1),
            _short(item.label),
        )
        for n, item in enumerate(items)
    ]
    axis_y = TOP + len(items) * ROW
    ticks = [Tick(LABEL + plot * k / 4, _tick_text(Decimal(top) * k / 4, percent)) for k in range(5)]
    marker_x = round(LABEL + float(plot * marker / top), 1) if marker is not None else None
    return Chart(title, empty, bars, ticks, marker_x, marker_text, axis_y + BOTTOM, axis_y=axis_y)


def _tick_text(value: Decimal, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:.0f}" if value == value.to_integral_value() or value >= 10 else f"{value:.1f}"


def _n(x: float) -> str:
    """A coordinate as the SVG needs it: at most one decimal, no trailing zero."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def svg(chart: Chart) -> SafeString:
    """The chart's ``<svg>``: grid lines and tick labels, one linked bar a category, the reference line."""
    axis, h = _n(chart.axis_y), chart.bar_height
    parts = [f'<svg class="bar-chart" viewBox="0 0 {chart.width} {_n(chart.height)}" role="img" '
             f'aria-label="{escape(chart.title)}" preserveAspectRatio="xMinYMin meet">']
    parts += [f'<line class="grid" x1="{_n(t.x)}" x2="{_n(t.x)}" y1="4" y2="{axis}"/><text class="tick" '
              f'x="{_n(t.x)}" y="{_n(chart.tick_y)}">{escape(t.text)}</text>' for t in chart.ticks]
    for b in chart.bars:
        y, ty, text = _n(b.y), _n(b.text_y), escape(b.item.text)
        parts.append(
            f'<a href="{escape(b.item.url)}"><title>{escape(b.item.label)}：{text}</title>'
            f'<rect class="hit" x="0" y="{y}" width="{chart.width}" height="{h}"/>'
            f'<text class="label" x="{chart.label_x}" y="{ty}">{escape(b.label)}</text>'
            f'<rect class="bar {escape(b.item.tone)}" x="{chart.label_width}" y="{y}" width="{_n(b.width)}" '
            f'height="{h}"/><text class="value" x="{chart.value_x}" y="{ty}">{text}</text></a>')
    if chart.marker_text and chart.marker_x is not None:
        x = _n(chart.marker_x)
        parts.append(f'<line class="marker" x1="{x}" x2="{x}" y1="{chart.marker_text_y + 7}" y2="{axis}"/>'
                     f'<text class="marker-text" x="{x}" y="{chart.marker_text_y}">{escape(chart.marker_text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text and attribute above is escaped
