"""Money and rates: the one module that parses amounts and computes rates.

Amounts are stored as Decimal 元 exact to the 分 and shown in 万元 with two
decimals, rounded half up only for display, so totals are computed from the
exact parts (0 + 1480 + 2692000 元 = 269.348 万元 → shown 269.35).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)
MAX_YUAN = Decimal("1e13")


class Unit:
    YUAN = "yuan"
    WAN = "wan"
    CHOICES = [(WAN, "万元"), (YUAN, "元")]


class FigureError(ValueError):
    """A value the user typed that is not a valid figure; the message is for the user."""


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_SUFFIXES = (("万元", Unit.WAN), ("万", Unit.WAN), ("元", Unit.YUAN))


def normalize_number_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII; spaces dropped."""
    text = unicodedata.normalize("NFKC", text or "").replace("，", ",").replace("。", ".")
    return re.sub(r"\s+", "", text)


def parse_decimal(text: str, *, allow_negative: bool = False) -> Decimal | None:
    """A plain number: '1,480', '１４８０', '-3.5'. Blank is None."""
    text = normalize_number_text(text)
    if not text:
        return None
    if not _NUMBER.match(text):
        raise FigureError(f"「{text}」不是有效的数字")
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already refused it
        raise FigureError(f"「{text}」不是有效的数字") from exc
    if value < 0 and not allow_negative:
        raise FigureError("不能为负数")
    return value


def parse_amount(text: str, unit: str = Unit.WAN, *, allow_negative: bool = False) -> Decimal | None:
    """An amount in 元 (exact to the 分) from text in 元 or 万元; a '元'/'万元' suffix wins over ``unit``."""
    text = normalize_number_text(text)
    for suffix, suffix_unit in _SUFFIXES:
        if text.endswith(suffix):
            text, unit = text[: -len(suffix)], suffix_unit
            break
    value = parse_decimal(text, allow_negative=allow_negative)
    if value is None:
        return None
    yuan = value * TEN_THOUSAND if unit == Unit.WAN else value
    if yuan != yuan.quantize(FEN):
        raise FigureError("金额最多精确到分（0.01 元，即 0.000001 万元）")
    if abs(yuan) >= MAX_YUAN:
        raise FigureError("金额过大")
    return yuan.quantize(FEN)


def yuan_to_wan(yuan: Decimal) -> Decimal:
    """Exact 万元 (no rounding): 1480 元 → 0.148."""
    return (yuan / TEN_THOUSAND).normalize() if yuan else Decimal(0)


def format_wan(yuan: Decimal | None) -> str:
    """万元 with two decimals, half up: 2693480 元 → '269.35'."""
    if yuan is None:
        return "—"
    return f"{(yuan / TEN_THOUSAND).quantize(FEN, ROUND_HALF_UP):f}"


def format_number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.normalize():f}"
    return text


def to_decimal(value: object) -> Decimal | None:
    """Stored JSON value (string or None) → Decimal."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


def to_json(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def total(values: list[Decimal | None]) -> Decimal | None:
    """Sum of the given parts; None when no part is filled in."""
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def rate(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator as a fraction; None when it cannot be computed."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """同比 / 变动率: (current − previous) / previous."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def percent(fraction: Decimal | None, places: int = 2) -> Decimal | None:
    """A fraction as a percentage rounded half up: 0.78160… → 78.16."""
    if fraction is None:
        return None
    return (fraction * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def format_percent(fraction: Decimal | None) -> str:
    value = percent(fraction)
    return "—" if value is None else f"{value:f}%"
