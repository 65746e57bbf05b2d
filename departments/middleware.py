"""A password set by someone else (a new account, a reset) is changed by its owner before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_MUST_CHANGE = "evalsite_must_change_password"


class PasswordChangeRequiredMiddleware:
    """Sends a user who must change their password to the change page; the flag is put in the session
    at login, so other requests cost no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(SESSION_MUST_CHANGE) and request.user.is_authenticated:
            allowed = (reverse("password_change"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)
