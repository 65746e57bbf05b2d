"""驾驶舱: the finance bureau's district view (a department's own for its coordinator and leaders)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from departments import permissions as perms

from . import panels, selectors
from .forms import period_parse


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    cycles = selectors.cycles_for(request.user, perms.can_administer(request.user))
    try:
        period = period_parse(request.GET, cycles)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    quarter = selectors.quarter_view(request.user, period.year, period.quarter)
    charts = [panels.execution_chart(quarter), panels.warnings_chart(quarter)]
    cycle = selectors.cycle_view(request.user, period.cycle, timezone.localdate()) if period.cycle else None
    if cycle:
        charts += [panels.stage_chart(cycle, period.cycle), panels.grade_chart(cycle, period.cycle)]
    year = period.cycle.year if period.cycle else None
    charts.append(panels.rectification_chart(selectors.rectification_view(request.user, year)))
    return render(
        request,
        "reports/dashboard/dashboard.html",
        {
            "period": period,
            "cycles": cycles,
            "charts": charts,
            "quarter": quarter,
            "cycle_view": cycle,
            "quarters": range(1, 5),
        },
    )
