from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(span: timedelta | None) -> int:
    """A cool-off as whole minutes (rounded up), for the lock message."""
    if span is None:
        return 0
    return -(-int(span.total_seconds()) // 60)
