"""Account security at the edge: the client's address behind the proxy, the login throttle per
client across usernames, and the Content-Security-Policy header.

django-axes locks a *username on one client* after ``AXES_FAILURE_LIMIT`` failures, so nobody can
lock another person out from their own machine; on top of that one client failing with many
usernames (password spraying) is throttled here, counted from the same axes rows. Both need the
real client address: behind the intranet's HTTPS proxy every request comes from the proxy, so the
address is taken from ``EVALSITE_CLIENT_IP_HEADER`` — and only when the request comes from one of
``EVALSITE_TRUSTED_PROXIES`` (anyone else could write that header).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address: the proxy's header if the request comes from a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.EVALSITE_TRUSTED_PROXIES)
    if remote not in trusted or not settings.EVALSITE_CLIENT_IP_HEADER:
        return remote
    # X-Forwarded-For is "client, proxy1, proxy2": the right-most address that is not one of our
    # proxies is the one our own proxy saw (anything left of it the client could have written).
    hops = [h for h in request.META.get(settings.EVALSITE_CLIENT_IP_HEADER, "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _valid_ip(hop)
        if address is None:
            break
        if address not in trusted:
            return address
    return remote


def cooloff() -> timedelta:
    return timedelta(hours=settings.AXES_COOLOFF_TIME)


def client_failures(ip: str) -> int:
    """Failed logins from one client across all usernames within the cool-off."""
    since = timezone.now() - cooloff()
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"]
    return total or 0


def client_throttled(request: HttpRequest | None) -> bool:
    if request is None:
        return False
    return client_failures(client_ip(request)) >= settings.EVALSITE_CLIENT_FAILURE_LIMIT


class ClientThrottleBackend:
    """Authentication backend: no login at all (site or admin) from a throttled client.

    It authenticates nobody and has no ``get_user`` (so no session is ever bound to it)."""

    def authenticate(self, request: HttpRequest | None, **credentials: object) -> None:
        if client_throttled(request):
            raise PermissionDenied("本机登录失败次数过多。")
        return None


class LoginView(auth_views.LoginView):
    """Django's login; a throttled client gets the page that says for how long."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if client_throttled(request):
            return render(request, settings.AXES_LOCKOUT_TEMPLATE,
                          {"cooloff_timedelta": cooloff(), "client_throttled": True}, status=429)
        return super().post(request, *args, **kwargs)


def content_security_policy(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Middleware: every response says where scripts, styles and images may come from (only here)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if settings.EVALSITE_CSP:
            response.headers.setdefault("Content-Security-Policy", settings.EVALSITE_CSP)
        return response

    return middleware
