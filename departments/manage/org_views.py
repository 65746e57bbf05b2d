"""组织机构 → 管理: units (create, rename, move, retire) and the org chart upload with its dry run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from departments import permissions as perms
from departments import previews, services
from departments.importing import ImportRejected
from departments.models import Department, ImportKind, ImportPreview
from departments.tabular import TableError, read_table

from . import selectors
from .forms import RetireForm, UnitForm, UploadForm

PAGE_SIZE = 100


def _managing(request: HttpRequest) -> None:
    if not (perms.can_administer(request.user) or perms.manageable_units(request.user).exists()):
        raise Http404


def add_errors(form: BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def manage_home(request: HttpRequest) -> HttpResponse:
    """The units the user manages, each with its actions."""
    _managing(request)
    page = Paginator(selectors.manage_units(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "departments/manage/manage_home.html", {
        "page": page, "query": "", "is_admin": perms.can_administer(request.user),
        "changeable": {u.pk for u in page if perms.can_change_unit(request.user, u)},
    })


def _unit_form(request: HttpRequest, unit: Department) -> UnitForm:
    return UnitForm(request.POST or None, instance=unit, parents=selectors.manage_units(request.user),
                    kinds=selectors.unit_kinds(request.user))


def _save_unit(request: HttpRequest, form: UnitForm, template: str, extra: dict) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_save(unit=form.save(commit=False), actor=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存「{unit.name}」。")
            return redirect("org_manage")
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **extra}, status=status)


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    _managing(request)
    parent = Department.objects.filter(code=request.GET.get("parent") or "").first()
    form = _unit_form(request, Department())
    if parent is not None:
        form.initial["parent"] = parent.pk
    return _save_unit(request, form, "departments/manage/unit_form.html", {"unit": None})


@login_required
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_for_manage(request.user, code)
    if not perms.can_change_unit(request.user, unit):
        raise Http404
    return _save_unit(request, _unit_form(request, unit), "departments/manage/unit_form.html", {"unit": unit})


@login_required
@require_POST
def unit_retire(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_for_manage(request.user, code)
    form = RetireForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    restore = request.POST.get("restore") == "1"
    try:
        call = services.unit_restore if restore else services.unit_retire
        count = call(unit=unit, actor=request.user, reason=reason)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已{'恢复' if restore else '撤销'}「{unit.name}」（共 {count} 个单位）。")
    return redirect("org_manage")


def upload_preview(request: HttpRequest, kind: str, template: str) -> HttpResponse:
    """Read the upload and dry-run the import: the result or every bad cell; nothing is saved."""
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, template, context, status=400 if request.method == "POST" else 200)
    upload = form.cleaned_data["file"]
    context["filename"] = upload.name
    try:
        rows = read_table(upload.name, upload)
        result = previews.dry_run(lambda: previews.APPLY[kind](rows=rows, actor=request.user))
    except TableError as exc:
        form.add_error("file", f"{upload.name}：{exc}")
        return render(request, template, context, status=400)
    except ImportRejected as exc:
        return render(request, template, context | {"errors": exc.errors}, status=400)
    preview = previews.preview_store(user=request.user, kind=kind, filename=upload.name, rows=rows)
    return render(request, template, context | {"result": result, "preview": preview})


def upload_confirm(request: HttpRequest, kind: str, template: str) -> tuple[object | None, HttpResponse | None]:
    """Apply a previewed upload, all of it or nothing; (result, None) or (None, the page with the errors)."""
    preview = get_object_or_404(ImportPreview, pk=request.POST.get("preview"), user=request.user, kind=kind)
    filename = preview.filename
    try:
        return previews.preview_apply(preview=preview, actor=request.user), None
    except ImportRejected as exc:
        messages.error(request, f"「{filename}」在预览后已不再有效，未导入任何数据。")
        return None, render(request, template, {"form": UploadForm(), "filename": filename, "errors": exc.errors},
                            status=400)


@login_required
def org_upload(request: HttpRequest) -> HttpResponse:
    if not perms.can_administer(request.user):
        raise Http404
    return upload_preview(request, ImportKind.ORG_CHART, "departments/manage/org_upload.html")


@login_required
@require_POST
def org_upload_confirm(request: HttpRequest) -> HttpResponse:
    if not perms.can_administer(request.user):
        raise Http404
    result, page = upload_confirm(request, ImportKind.ORG_CHART, "departments/manage/org_upload.html")
    if page is not None:
        return page
    messages.success(request, f"组织机构表已导入：{result.summary()}")
    return redirect("org_manage")
