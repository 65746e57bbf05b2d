"""Request parameters: integers and ``next`` targets, checked once for every view.

A bad integer raises ``BadParameter`` (a ``BadRequest``): the root 400 handler answers it with
the Chinese message naming the field, never a 500. A ``next`` is kept only if it is a path on
this site (``url_has_allowed_host_and_scheme``), so no view can redirect off-site.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


class BadParameter(BadRequest):
    """A request parameter that is not what the page sent; the message is for the user."""


def int_param(raw: object, *, label: str, required: bool = True) -> int | None:
    """``raw`` as a non-negative integer; a missing one is None unless ``required``."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise BadParameter(f"缺少参数「{label}」，请刷新页面后重试。")
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise BadParameter(f"参数「{label}」无效（应为数字），请刷新页面后重试。")
    return int(text)


def safe_next_url(request: HttpRequest, target: object) -> str:
    """``target`` if it is a path on this site, else ""."""
    text = str(target or "").strip()
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return ""
    safe = url_has_allowed_host_and_scheme(text, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return text if safe else ""


def safe_next(request: HttpRequest) -> str:
    """The posted ``next`` if it is a path on this site, else ""."""
    return safe_next_url(request, request.POST.get("next"))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The root 400 page: our own refusals say what was wrong, anything else a general message."""
    message = str(exception) if isinstance(exception, BadParameter) else "请求无效，请返回上一页后重试。"
    return render(request, "400.html", {"message": message}, status=400)
