"""Forms of the review pages: a workflow action, marking a notification read."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from reports.params import safe_next_url


class _Redirecting(forms.Form):
    # Where to go afterwards: a path on this site, or nothing (an off-site or odd value is dropped).
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, data: object, *, request: HttpRequest, **kwargs: object) -> None:
        super().__init__(data, **kwargs)
        self.request = request

    def clean_next(self) -> str:
        return safe_next_url(self.request, self.cleaned_data["next"])


class ActionForm(_Redirecting):
    """One workflow action as posted from an item's page: the version the reviewer read, the comment."""

    version = forms.IntegerField(min_value=0, error_messages={
        "required": "缺少版本号，请刷新页面后重试。", "invalid": "版本号无效，请刷新页面后重试。",
        "min_value": "版本号无效，请刷新页面后重试。",
    })
    comment = forms.CharField(required=False, max_length=5000, strip=True,
                              error_messages={"max_length": "意见过长（最多 %(limit_value)d 字）。"})


class NotificationReadForm(_Redirecting):
    id = forms.IntegerField(required=False, min_value=1)

