"""Money and rates: the one module that parses amounts and computes rates.

Amounts are stored as Decimal 元 exact to the 分 and shown in 万元 with two
decimals, rounded half up only for display, so totals are computed from the
exact parts (0 + 1480 + 2692000 元 = 269.348 万元 → shown 269.35).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

FEN = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)
MAX_YUAN = Decimal("1e13")


class Unit:
    YUAN = "yuan"
    WAN = "wan"
    CHOICES = [(WAN, "万元"), (YUAN, "元")]


class FigureError(ValueError):
    """A value the user typed that is not a valid figure; the message is for the user."""


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d{1,3})?$")
_SUFFIXES = (("万元", Unit.WAN), ("万", Unit.WAN), ("元", Unit.YUAN))
MAX_TEXT = 40
MAX_NUMBER = Decimal("1e15")
EXAMPLES = "请填写数字，如 1234.5、1,234.5、１２３４.５ 或 1.2万"
MEASURE_EXAMPLES = "请填写数字，如 98.6、98.6%、1,234.5 或 1.2万"
AMOUNT_EXAMPLES = "请填写金额，如 1234.5、1,234.5、１２３４.５、1234.5万 或 1234.5元"


def normalize_number_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII; spaces dropped."""
    text = unicodedata.normalize("NFKC", str(text or "")).replace("，", ",").replace("。", ".")
    return re.sub(r"\s+", "", text)


def _split_suffix(text: str) -> tuple[str, str | None]:
    for suffix, suffix_unit in _SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)], suffix_unit
    return text, None


def _decimal_of(text: str, shown: str, hint: str) -> Decimal:
    """The Decimal of a bare number (normalized, no suffix), refused past the length and size caps."""
    if len(text) > MAX_TEXT:
        raise FigureError(f"「{shown[:20]}…」过长，不是有效的数字。{hint}")
    if not _NUMBER.match(text):
        raise FigureError(f"「{shown}」不是有效的数字。{hint}")
    value = Decimal(text.replace(",", ""))
    if abs(value) >= MAX_NUMBER * TEN_THOUSAND:
        raise FigureError(f"「{shown}」数值过大，请检查是否多打了数字")
    return value + 0  # -0 → 0


def _plain(text: str, *, allow_negative: bool, allow_percent: bool) -> Decimal | None:
    """A number, '万' meaning ×10000 and, where allowed, a trailing '%' (the value is then the percentage)."""
    shown, hint = normalize_number_text(text), MEASURE_EXAMPLES if allow_percent else EXAMPLES
    percent = allow_percent and shown.endswith("%")
    body, suffix_unit = _split_suffix(shown[:-1] if percent else shown)
    if not body:
        if shown:
            raise FigureError(f"「{shown}」不是有效的数字。{hint}")
        return None
    if suffix_unit is not None and (percent or not shown.endswith("万")):
        raise FigureError(f"「{shown}」：此处不能带单位（“元”“万元”或“万”与“%”同用），{hint}")
    value = _decimal_of(body, shown, hint) * (TEN_THOUSAND if suffix_unit else 1)
    if abs(value) >= MAX_NUMBER:
        raise FigureError(f"「{shown}」数值过大（不能超过 {MAX_NUMBER:,.0f}），请检查是否多打了数字")
    if value < 0 and not allow_negative:
        raise FigureError("不能为负数")
    return value


def parse_decimal(text: str, *, allow_negative: bool = False) -> Decimal | None:
    """A plain number: '1,480', '１４８０', '1.2万', '-3.5'. Blank is None."""
    return _plain(text, allow_negative=allow_negative, allow_percent=False)


def parse_measure(text: str, *, allow_negative: bool = False) -> Decimal | None:
    """A number that may end in '%' (an indicator's value): '98.6%' → 98.6. Blank is None."""
    return _plain(text, allow_negative=allow_negative, allow_percent=True)


def measure_text(text: str, *, allow_negative: bool = False) -> str:
    """The stored form of a typed measure: ASCII, no separators, '万' applied, a typed '%' kept."""
    value = parse_measure(text, allow_negative=allow_negative)
    if value is None:
        return ""
    return number_text(value) + ("%" if normalize_number_text(text).endswith("%") else "")


def number_text(value: Decimal) -> str:
    """1234.50 → '1234.5', 1.2E+4 → '12000': no exponent, no trailing zeros."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_text(text: str, unit: str) -> str:
    """The stored form of a figure typed beside its unit: '元'/'万元' figures take 元 or 万元 text."""
    unit = normalize_number_text(unit)
    if unit not in ("元", "万元"):
        return measure_text(text)
    amount = parse_amount(text, Unit.YUAN if unit == "元" else Unit.WAN)
    if amount is None:
        return ""
    return number_text(amount if unit == "元" else amount / TEN_THOUSAND)


# The stored form of a measure (measure_text): ASCII digits, no separators, at most a typed '%'; read
# without normalizing, as the full parse would read it (below MAX_NUMBER: 15 digits before the point).
_STORED_MEASURE = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,20})?%?")


def measure_or_none(value: object) -> Decimal | None:
    """A stored measure as a Decimal, None when blank or not a number (a qualitative value)."""
    if not value:
        return None
    if isinstance(value, str):
        # cached for the short texts a measure is (a longer one is no number); see _measure_of_text
        return _measure_of_text(value) if len(value) <= MAX_TEXT else _measure_of_text.__wrapped__(value)
    try:
        return parse_measure(str(value or ""), allow_negative=True)
    except FigureError:
        return None


@lru_cache(maxsize=4096)
def _measure_of_text(value: str) -> Decimal | None:
    """measure_or_none of a text. Cached: an export reads the same few texts ("100", "满意") for every
    indicator; a Decimal is immutable and the context is Python's default everywhere in the platform."""
    if _STORED_MEASURE.fullmatch(value):
        return Decimal(value.removesuffix("%")) + 0  # -0 → 0, as _decimal_of
    try:
        return parse_measure(value, allow_negative=True)
    except FigureError:
        return None


def parse_amount(text: str, unit: str = Unit.WAN, *, allow_negative: bool = False) -> Decimal | None:
    """An amount in 元 (exact to the 分) from text in 元 or 万元; a '元'/'万元'/'万' suffix wins over ``unit``."""
    shown = normalize_number_text(text)
    body, suffix_unit = _split_suffix(shown)
    if not body:
        if shown:
            raise FigureError(f"「{shown}」不是有效的金额。{AMOUNT_EXAMPLES}")
        return None
    value = _decimal_of(body, shown, AMOUNT_EXAMPLES)
    yuan = value * TEN_THOUSAND if (suffix_unit or unit) == Unit.WAN else value
    if abs(yuan) >= MAX_YUAN:  # before quantize: a 26-digit amount must not overflow the context
        raise FigureError(f"「{shown}」金额过大，请检查是否多打了数字（单位为{'万元' if unit == Unit.WAN else '元'}）")
    if yuan < 0 and not allow_negative:
        raise FigureError("不能为负数")
    if yuan != yuan.quantize(FEN):
        raise FigureError("金额最多精确到分（0.01 元，即 0.000001 万元）")
    return yuan.quantize(FEN)


def yuan_to_wan(yuan: Decimal) -> Decimal:
    """Exact 万元 (no rounding): 1480 元 → 0.148."""
    return (yuan / TEN_THOUSAND).normalize() if yuan else Decimal(0)


def wan(yuan: Decimal | None) -> Decimal | None:
    """Exact 万元 of an amount in 元 (None stays None); rounding is for display only."""
    return None if yuan is None else yuan / TEN_THOUSAND


def wan_text(value: object) -> str:
    """A stored amount (元 as text) as exact 万元 text, '' when blank: '1480.00' → '0.148'."""
    amount = to_decimal(value)
    return "" if amount is None else f"{yuan_to_wan(amount):f}"


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


def decimal_places(value: Decimal) -> int:
    """How many decimals a figure was stated with: 78.6 → 1, 309.61 → 2, 880 → 0."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def stated_matches(stated: Decimal, computed: Decimal) -> bool:
    """The one rule for a figure a user typed beside one the platform computes (DESIGN §7).

    It matches when it equals the computed value rounded half up *or* truncated at the number
    of decimals it was stated with: published reports often truncate (426 vs 104 is
    309.615…%, printed 309.61%), so only a figure neither rounding gives is a slip.
    """
    step = Decimal(1).scaleb(-decimal_places(stated))
    try:
        return stated in (computed.quantize(step, ROUND_HALF_UP), computed.quantize(step, ROUND_DOWN))
    except InvalidOperation:  # more digits than the context holds: no typed figure is that long
        return False


def percent_matches(stated_percent: Decimal, fraction: Decimal) -> bool:
    """``stated_matches`` for a rate or 同比 stated in percent (78.6) against a computed fraction."""
    return stated_matches(stated_percent, fraction * 100)


def amount_matches(stated_yuan: Decimal, computed_yuan: Decimal) -> bool:
    """``stated_matches`` for amounts, in 万元 at the decimals of the stated amount but never coarser
    than the two shown: a 三公 total stated as 269.35 万元 matches its exact parts' 269.348 万元,
    and a total stated as 270 万元 is read as 270.00 (amounts are stored in 元, trailing zeros lost)."""
    stated = (stated_yuan / TEN_THOUSAND).normalize()
    if decimal_places(stated) < 2:
        stated = stated.quantize(FEN)
    return stated_matches(stated, computed_yuan / TEN_THOUSAND)
