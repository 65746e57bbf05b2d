"""Pages of the 整体绩效目标表: list and create, edit, detail with review actions, 调整, history."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from departments import permissions as perms
from departments.models import Department, DepartmentKind
from departments.selectors import audit_history
from reports.models import TargetRevision
from reports.params import int_param
from workflow import selectors as history
from workflow.guards import actions_for, content_editable
from workflow.services import ContentConflict, ContentLocked
from workflow.transitions import TRANSITIONS

from . import checks, selectors, services
from .diff import revision_changes
from .forms import AdjustForm, CreateForm, posted_data, posted_rows, rows_formset, table_forms
from .merge import unit_rows


def _coordinated(user) -> list[Department]:  # noqa: ANN001
    departments = perms.departments_in_scope(user).filter(kind=DepartmentKind.DEPARTMENT).order_by("order", "code")
    return [d for d in departments if perms.can_coordinate(user, d)]


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    tables = list(selectors.tables_visible(request.user)[:200])
    for table in tables:
        table.can_contribute = selectors.may_contribute(request.user, table)
    return render(request, "reports/targets/target_list.html", {
        "tables": tables, "departments": _coordinated(request.user), "form": CreateForm(),
    })


@login_required
@require_POST
def target_create(request: HttpRequest) -> HttpResponse:
    form = CreateForm(request.POST)
    department = next((d for d in _coordinated(request.user) if str(d.pk) == request.POST.get("department")), None)
    if department is None or not form.is_valid():
        messages.error(request, "请选择本部门并填写有效的年度（2000–2100）。")
        return redirect("reports:target_list")
    try:
        table = services.target_table_create(department=department, year=form.cleaned_data["year"],
                                             actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:target_list")
    return redirect("reports:target_edit", pk=table.pk)


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = selectors.table_for_view(request.user, pk)
    rows = selectors.editions(table)
    this = next(t for t in rows if t.pk == table.pk)
    return render(request, "reports/targets/target_detail.html", {
        "table": table, "this": this, "editions": rows, "targets": selectors.table_targets(table),
        "issues": checks.table_issues(table.data), "history": history.item_history(table),
        "actions": actions_for(request.user, table), "can_edit": selectors.may_edit_table(request.user, table),
        "can_contribute": selectors.may_contribute(request.user, table),
        "can_adjust": selectors.may_adjust(request.user, table, this.in_force, selectors.open_edition(rows)),
        "adjust_form": AdjustForm(), "audit": audit_history(table),
        "takes_comment": any(a.takes_comment and not a.refused for a in actions_for(request.user, table)),
        "draft_comment": request.session.pop(f"draft_comment:targettable:{table.pk}", ""),
    })


@login_required
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator writes the whole table: the goal, the key tasks and every unit's indicators."""
    table = selectors.table_for_edit(request.user, pk)
    if not content_editable(table):
        messages.error(request, f"该目标表{table.get_state_display()}，不能修改；需要修改的请发起调整。")
        return redirect(table.get_absolute_url())
    units = selectors.department_units(table.department)
    post = request.POST if request.method == "POST" else None
    form, tasks, indicators = table_forms(table.data, units, post)
    base_version = int_param(request.POST.get("base_version"), label="版本号") if post else table.version
    if post is not None:
        data = posted_data(form, tasks, indicators)
        if data is None:
            messages.error(request, "有填写错误，未保存。请按红色提示修改。")
        else:
            saved, base_version = _save(request, table, units, base_version,
                                        lambda base: services.target_table_save(
                                            table=table, data=data, base_version=base, actor=request.user))
            if saved:
                return redirect(table.get_absolute_url())
    return render(request, "reports/targets/target_edit.html", {
        "table": table, "form": form, "tasks": tasks, "indicators": indicators,
        "base_version": base_version, "issues": checks.table_issues(table.data),
    }, status=400 if post is not None else 200)


@login_required
def target_rows(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's writer adds, changes and deletes the indicators its units are responsible for."""
    table, units = selectors.table_for_rows(request.user, pk)
    if not content_editable(table):
        messages.error(request, f"该目标表{table.get_state_display()}，不能修改。")
        return redirect(table.get_absolute_url())
    codes = {u.code for u in units}
    post = request.POST if request.method == "POST" else None
    formset = rows_formset(unit_rows(table.data, codes), units, post)
    base_version = int_param(request.POST.get("base_version"), label="版本号") if post else table.version
    if post is not None:
        rows = posted_rows(formset)
        if rows is None:
            messages.error(request, "有填写错误，未保存。请按红色提示修改。")
        else:
            saved, base_version = _save(request, table, units, base_version,
                                        lambda base: services.target_rows_save(
                                            table=table, rows=rows, base_version=base, actor=request.user))
            if saved:
                return redirect(table.get_absolute_url())
    return render(request, "reports/targets/target_rows.html", {
        "table": table, "units": units, "indicators": formset, "base_version": base_version,
        "others": [t for t in selectors.table_targets(table) if t.unit.code not in codes],
    }, status=400 if post is not None else 200)


def _conflict_message(conflict: ContentConflict, units: list[Department]) -> str:
    """Who saved in between and which parts both changed; the typed content stays on the page."""
    latest = conflict.latest
    who = (latest.author.get_full_name() or latest.author.username) if latest and latest.author else "他人"
    names = {u.code: f"{u.name}的指标" for u in units} | {"": "年度总体目标或重点工作任务"}
    parts = [names.get(p, f"三级指标「{p[5:]}」（重复）" if p.startswith("name:") else p)
             for p in getattr(conflict, "parts", [])]
    what = f"（{'、'.join(parts)}）" if parts else ""
    return (f"保存冲突：{who}在您打开页面后修改了同一内容{what}，您的修改未保存。您输入的内容仍在下面，"
            "核对后再次保存即以其为准。")


def _save(request: HttpRequest, table, units: list[Department], base: int,  # noqa: ANN001
          save: Callable[[int], TargetRevision]) -> tuple[bool, int]:
    """Run ``save`` over ``base``; (saved, the version a re-shown form then carries)."""
    try:
        revision = save(base)
    except ContentConflict as conflict:
        messages.error(request, _conflict_message(conflict, units))
        return False, conflict.latest.number if conflict.latest else base
    except ContentLocked as locked:
        messages.error(request, f"该目标表{locked.state_label}，不能修改。")
        return False, base
    except (PermissionDenied, ValidationError) as refusal:
        messages.error(request, "；".join(getattr(refusal, "messages", None) or [str(refusal)]))
        return False, base
    messages.success(request, f"已保存为第 {revision.number} 次修订。")
    return True, revision.number


@login_required
@require_POST
def target_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    table = selectors.table_for_view(request.user, pk)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, "调整须写明理由。")
        return redirect(table.get_absolute_url())
    try:
        adjusted = services.target_table_adjust(table=table, reason=form.cleaned_data["reason"], actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(table.get_absolute_url())
    messages.success(request, f"已发起调整：{adjusted.edition_label}，修改后提交审核。")
    return redirect("reports:target_edit", pk=adjusted.pk)


@login_required
@require_POST
def target_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from reports.review.views import take_action

    if action not in TRANSITIONS:
        raise Http404
    return take_action(request, selectors.table_for_view(request.user, pk), action)


@login_required
def target_history(request: HttpRequest, pk: int) -> HttpResponse:
    table = selectors.table_for_view(request.user, pk)
    revisions = selectors.table_revisions(table)
    names = {u.code: u.name for u in selectors.department_units(table.department)}
    changes = [(rev, revision_changes(older.data if older else {}, rev.data, names))
               for rev, older in zip(revisions, [*revisions[1:], None], strict=True)]
    return render(request, "reports/targets/target_history.html", {"table": table, "changes": changes})


