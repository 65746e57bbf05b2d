"""Placeholder: the scoring pages are being written (issue 6)."""

from django.http import Http404, HttpRequest, HttpResponse


def report_score(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
