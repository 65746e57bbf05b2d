"""The report's 自评打分 page: the score table for everyone who sees the report, adjustments for finance."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from departments import permissions as perms

from . import scoring, selectors


class ScoreAdjustmentForm(forms.Form):
    """Raw input only: the service validates (one set of rules and messages for every caller)."""

    row_name = forms.CharField(label="三级指标", required=False, max_length=100, widget=forms.Select)
    score = forms.CharField(label="调整后得分", required=False, max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "amount"}))
    reason = forms.CharField(label="理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, rows: list[scoring.RowScore], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["row_name"].widget.choices = [("", "—— 请选择 ——")] + [
            (r.name, f"{r.level1} · {r.name}（分值 {r.weight.normalize():f}）") for r in rows
        ]


@login_required
def report_score(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_view(request.user, pk)  # 404 outside the user's scope
    can_adjust = perms.can_review_finance(request.user, report.department)
    score = scoring.report_score(report)
    form = ScoreAdjustmentForm(request.POST or None, rows=score.rows, initial={"row_name": request.GET.get("row")})
    status = 200
    if request.method == "POST":
        if not can_adjust:
            raise PermissionDenied("只有负责本部门的财政局审核员可以调整得分。")
        if form.is_valid():
            try:
                adjustment = scoring.score_adjust(report=report, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"已将「{adjustment.row_name}」的得分调整为 {scoring.quantize(adjustment.score)} 分。")
                return redirect("reports:report_score", pk=report.pk)
        status = 400
    return render(request, "reports/report_score.html",
                  {"report": report, "score": score, "form": form, "can_adjust": can_adjust}, status=status)
