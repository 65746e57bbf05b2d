from django.contrib.auth.models import AbstractBaseUser
from django.db import connections
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Notification

# Every page shows the count, and building and compiling its query cost as much as running it; its SQL is
# the same for every user, so it is compiled once per process (and database) with a stand-in for the user.
_STAND_IN_USER = -424242
_USER = object()
_COMPILED: dict[str, tuple[str, list] | None] = {}


def _unread_query(user_id: int) -> QuerySet:
    return (Notification.objects.filter(user=user_id, read_at__isnull=True).order_by()
            .values("user_id").annotate(n=Count("id")).values_list("n", flat=True))


def unread_count(user: AbstractBaseUser) -> int:
    """How many of the user's notifications are unread: one indexed count."""
    alias = Notification.objects.db
    if alias not in _COMPILED:
        sql, params = _unread_query(_STAND_IN_USER).query.sql_with_params()
        marks = [_USER if p == _STAND_IN_USER else p for p in params]
        _COMPILED[alias] = (sql, marks) if marks.count(_USER) == 1 else None
    compiled = _COMPILED[alias]
    if compiled is None:
        return sum(_unread_query(user.pk))
    sql, marks = compiled
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [user.pk if m is _USER else m for m in marks])
        row = cursor.fetchone()
    return row[0] if row else 0


def unread_notifications(request: HttpRequest) -> dict:
    """The unread count in the header: one indexed count per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
