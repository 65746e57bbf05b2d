"""Database sessions (Django's ``db`` engine) whose load, on every signed-in request, runs SQL compiled once
per process and database: building and compiling ``Session.objects.get(...)`` cost as much as the indexed read.
What is read and when a session counts as expired are Django's own; saving, rotating and deleting are unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

_STAND_IN_KEY, _STAND_IN_TIME = "stand-in-session-key", datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)
_KEY, _NOW = object(), object()
_COMPILED: dict[str, tuple[str, list] | None] = {}


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        using = router.db_for_read(self.model)
        compiled = _compiled(self.model, using)
        if key is None or compiled is None:  # no key: the query would find nothing; else as Django reads it
            return super()._get_session_from_db()
        sql, marks = compiled
        now = connections[using].ops.adapt_datetimefield_value(timezone.now())
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [key if m is _KEY else now if m is _NOW else m for m in marks])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new key on save, as Django does
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])


def _compiled(model: type, using: str) -> tuple[str, list] | None:
    if using not in _COMPILED:
        query = model.objects.using(using).filter(session_key=_STAND_IN_KEY, expire_date__gt=_STAND_IN_TIME)
        sql, params = query.values_list("session_data").query.sql_with_params()
        stand_in_time = connections[using].ops.adapt_datetimefield_value(_STAND_IN_TIME)
        marks = [_KEY if p == _STAND_IN_KEY else _NOW if p == stand_in_time else p for p in params]
        _COMPILED[using] = (sql, marks) if (marks.count(_KEY), marks.count(_NOW)) == (1, 1) else None
    return _COMPILED[using]
