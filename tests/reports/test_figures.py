"""Amount parsing, unit conversion and rates: exact Decimal arithmetic."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import figures as fig
from reports.figures import FigureError, Unit

fen_amounts = st.decimals(min_value=0, max_value=Decimal("99999999999.99"), places=2)


@pytest.mark.parametrize(
    ("text", "unit", "yuan"),
    [
        ("1480", Unit.YUAN, "1480.00"),
        ("0.148", Unit.WAN, "1480.00"),
        ("1480元", Unit.WAN, "1480.00"),
        ("0.148万元", Unit.YUAN, "1480.00"),
        ("269.2万", Unit.YUAN, "2692000.00"),
        ("37,364.61", Unit.WAN, "373646100.00"),
        ("３７３６４．６１", Unit.WAN, "373646100.00"),
        (" 1 480 ", Unit.YUAN, "1480.00"),
        ("0", Unit.WAN, "0.00"),
    ],
)
def test_amounts_in_yuan_or_wan_become_exact_yuan(text, unit, yuan):
    assert fig.parse_amount(text, unit) == Decimal(yuan)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12万3", "不是有效的数字"),
        ("1,48,0", "不是有效的数字"),
        ("abc", "不是有效的数字"),
        ("-5", "不能为负数"),
        ("0.0000001", "精确到分"),
        ("1480.001元", "精确到分"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text, message):
    with pytest.raises(FigureError, match=message):
        fig.parse_amount(text, Unit.WAN)


def test_blank_is_none():
    assert fig.parse_amount("  ", Unit.WAN) is None


def test_negative_allowed_where_asked():
    assert fig.parse_amount("-10", Unit.WAN, allow_negative=True) == Decimal("-100000.00")


def test_three_public_total_is_computed_from_exact_parts():
    parts = [fig.parse_amount("0"), fig.parse_amount("1480元"), fig.parse_amount("269.2")]
    total = fig.total(parts)
    assert fig.yuan_to_wan(total) == Decimal("269.348")
    assert fig.format_wan(total) == "269.35"
    assert fig.format_wan(parts[1]) == "0.15"


def test_rates_and_changes():
    assert fig.format_percent(fig.rate(Decimal(136), Decimal(174))) == "78.16%"
    assert fig.format_percent(fig.change(Decimal(880), Decimal(557))) == "57.99%"
    assert fig.rate(Decimal(1), Decimal(0)) is None
    assert fig.change(Decimal(1), None) is None


@given(fen_amounts)
def test_wan_text_round_trips_exactly(yuan):
    wan_text = f"{fig.yuan_to_wan(yuan):f}"
    assert fig.parse_amount(wan_text, Unit.WAN) == yuan


@given(fen_amounts)
def test_yuan_text_with_thousands_separators_round_trips(yuan):
    assert fig.parse_amount(f"{yuan:,.2f}", Unit.YUAN) == yuan


@given(st.lists(fen_amounts, min_size=1, max_size=8))
def test_total_is_exact_and_display_rounds_only_once(parts):
    total = fig.total(parts)
    assert total == sum(parts)
    shown = Decimal(fig.format_wan(total))
    assert abs(shown - total / 10000) <= Decimal("0.005")


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_percent_is_half_up_to_two_places(numerator, denominator):
    value = fig.percent(fig.rate(Decimal(numerator), Decimal(denominator)))
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    assert abs(value - exact) <= Decimal("0.005")
    assert value.as_tuple().exponent == -2


def _measure_by_full_parse(value):
    """measure_or_none as it was before its shortcut for the stored form: always the full parse."""
    try:
        return fig.parse_measure(str(value or ""), allow_negative=True)
    except FigureError:
        return None


@pytest.mark.parametrize("value", [
    "62", "0", "-0", "-0.0", "100%", "98.60%", "007", "1.", ".5", "1e3", "+5", "1,000", "１２", "12 ", "满意", "",
    None, 0, 62, Decimal("1.50"), "999999999999999", "1000000000000000", "-999999999999999.5", "1" * 40, "5万",
    "0.000000000000000000001%", "%", "--1",
])
def test_a_stored_measure_reads_as_the_full_parse_reads_it(value):
    """The quarter summary reads every measure of every row: the stored form (ASCII digits, at most a '%')
    skips the normalizing, and must give the very same Decimal (exponent included) or None."""
    assert repr(fig.measure_or_none(value)) == repr(_measure_by_full_parse(value))


@given(st.from_regex(r"\A-?[0-9]{0,18}(\.[0-9]{0,22})?%?\Z") | st.text(max_size=12))
def test_any_text_reads_as_the_full_parse_reads_it(text):
    assert repr(fig.measure_or_none(text)) == repr(_measure_by_full_parse(text))
