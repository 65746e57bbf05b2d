"""报告模板 pages of the finance admin: the library, one version's outline and scoring, assignments."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from departments import permissions as perms
from departments.models import Department, DepartmentKind
from departments.selectors import audit_history
from reports.models import ReportTemplate

from . import selectors, services
from .forms import AssignForm, NodeForm, RenameForm, ScoringForm


def _admin(request: HttpRequest) -> None:
    if not perms.can_administer(request.user):
        raise Http404


def _codes() -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in selectors.latest_templates()]


def _parents(template: ReportTemplate, exclude: str = "") -> list[tuple[str, str]]:
    return [(e.node.key, f"{'　' * (e.depth - 1)}{e.number}{e.node.title}")
            for e in selectors.template_outline(template) if e.node.key != exclude]


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "reports/library/template_list.html", {
        "templates": selectors.latest_templates(), "assignments": selectors.assignments(), "codes": _codes(),
        "missing_builtins": selectors.builtins_missing(),
    })


@login_required
@require_POST
def library_install(request: HttpRequest) -> HttpResponse:
    _admin(request)
    installed = services.library_install(actor=request.user)
    messages.success(request, "已安装内置模板：" + "、".join(t.name for t in installed))
    return redirect("reports:template_list")


@login_required
def template_detail(request: HttpRequest, pk: int, **forms: BaseForm) -> HttpResponse:
    _admin(request)
    template = selectors.template_detail(pk)
    return render(request, "reports/library/template_detail.html", {
        "template": template, "outline": selectors.template_outline(template),
        "versions": selectors.template_versions(template), "draft": selectors.newer_draft(template),
        "node_form": forms.get("node_form") or NodeForm(parents=_parents(template)),
        "scoring_form": forms.get("scoring_form") or ScoringForm(template=template),
        "rename_form": forms.get("rename_form") or RenameForm(initial={"name": template.name}),
        "history": audit_history(template),
    }, status=400 if forms else 200)


def _edited(request: HttpRequest, template: ReportTemplate, version: ReportTemplate, what: str) -> HttpResponse:
    if version.pk != template.pk:
        messages.info(request, f"第 {template.version} 版已被评价周期使用、已冻结；修改保存在第 {version.version} 版。")
    messages.success(request, what)
    return redirect("reports:template_detail", pk=version.pk)


def _apply(request: HttpRequest, pk: int, form: BaseForm, name: str,
           call: Callable[[ReportTemplate], tuple[ReportTemplate, str]]) -> HttpResponse:
    """Validate one form, call one service, go to the version edited or show the errors."""
    template = selectors.template_detail(pk)
    if form.is_valid():
        try:
            version, what = call(template)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return _edited(request, template, version, what)
    return template_detail(request, pk, **{name: form})


@login_required
@require_POST
def node_add(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    form = NodeForm(request.POST, parents=_parents(selectors.template_detail(pk)))

    def call(template: ReportTemplate) -> tuple[ReportTemplate, str]:
        version, node = services.node_add(template=template, actor=request.user, **form.cleaned_data)
        return version, f"已新增「{node.title}」。"
    return _apply(request, pk, form, "node_form", call)


@login_required
def node_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    _admin(request)
    template = selectors.template_detail(pk)
    node = get_object_or_404(template.nodes.select_related("parent"), key=key)
    initial = {f: getattr(node, f) for f in services.NODE_FIELDS} | {"parent_key": node.parent.key if node.parent else ""}
    form = NodeForm(request.POST or None, parents=_parents(template, exclude=key), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version, node = services.node_update(template=template, key=key, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return _edited(request, template, version, f"已保存「{node.title}」。")
    return render(request, "reports/library/node_edit.html", {"template": template, "node": node, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def node_move(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    _admin(request)
    template = selectors.template_detail(pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        version, node = services.node_move(template=template, key=key, step=step, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:template_detail", pk=pk)
    return _edited(request, template, version, f"已移动「{node.title}」。")


@login_required
@require_POST
def node_remove(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    _admin(request)
    template = selectors.template_detail(pk)
    try:
        version = services.node_remove(template=template, key=key, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:template_detail", pk=pk)
    return _edited(request, template, version, "已删除该标题及其下级标题。")


@login_required
@require_POST
def scoring_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    form = ScoringForm(request.POST, template=selectors.template_detail(pk))

    def call(template: ReportTemplate) -> tuple[ReportTemplate, str]:
        version = services.scoring_update(template=template, weights=form.weights(), grades=form.grades(),
                                          actor=request.user)
        return version, "已保存评分权重和等级。"
    return _apply(request, pk, form, "scoring_form", call)


@login_required
@require_POST
def template_rename(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    form = RenameForm(request.POST)

    def call(template: ReportTemplate) -> tuple[ReportTemplate, str]:
        return services.template_rename(template=template, actor=request.user, **form.cleaned_data), "已改名。"
    return _apply(request, pk, form, "rename_form", call)


@login_required
@require_POST
def template_assign(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = AssignForm(request.POST, codes=_codes())
    if not form.is_valid():
        messages.error(request, "请选择有效的部门和模板。")
        return redirect("reports:template_list")
    department = get_object_or_404(Department, pk=form.cleaned_data["department"], kind=DepartmentKind.DEPARTMENT)
    try:
        services.department_template_set(department=department, code=form.cleaned_data["code"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"{department.name}的报告模板已设为「{dict(_codes())[form.cleaned_data['code']]}」。")
    return redirect("reports:template_list")
