"""Sessions load through SQL compiled once per process (evalsite/sessions.py): the same session data as
Django's database engine, and an expired, deleted or unknown session is no session, at once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from evalsite import sessions


def test_the_site_uses_it(db):
    assert settings.SESSION_ENGINE == "evalsite.sessions"


def test_it_loads_what_djangos_engine_loads(client, db, clerk):
    client.force_login(clerk)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert sessions.SessionStore(key).load() == DjangoStore(key).load() != {}
    assert sessions._COMPILED[Session.objects.db] is not None  # this backend takes the compiled path
    unknown = sessions.SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_an_expired_or_deleted_session_signs_out_at_once(client, db, clerk):
    home = reverse("home")
    client.force_login(clerk)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(home).status_code == 200
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(home).status_code == 302
    client.force_login(clerk)
    assert client.get(home).status_code == 200
    Session.objects.all().delete()
    assert client.get(home).status_code == 302
