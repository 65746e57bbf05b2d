from decimal import Decimal

from django import template

from reports import figures

register = template.Library()


@register.filter
def wan(yuan: Decimal | None) -> str:
    """元 → 万元 with two decimals."""
    return figures.format_wan(yuan)


@register.filter
def pct(fraction: Decimal | None) -> str:
    """A fraction → percentage with two decimals."""
    return figures.format_percent(fraction)


@register.filter
def num(value: Decimal | None) -> str:
    return figures.format_number(value)


@register.filter
def dec(value: object) -> Decimal | None:
    """A stored JSON amount (string 元) → Decimal."""
    return figures.to_decimal(value)
