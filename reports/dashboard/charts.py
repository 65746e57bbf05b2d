"""Bar charts drawn on the server as SVG geometry: no script, no CDN, prints as vector graphics.

A chart is plain data (bars with their position, size, text and link); the template
``reports/dashboard/includes/bar_chart.html`` turns it into ``<svg>``. Horizontal bars keep long
Chinese names readable at 1366×768 and on an A4 page; the SVG scales with its ``viewBox``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

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
