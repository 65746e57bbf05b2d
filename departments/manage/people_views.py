"""组织机构 → 人员: accounts, roles per unit, deactivation, password resets, the people file upload."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from departments import accounts
from departments import permissions as perms
from departments.middleware import SESSION_MUST_CHANGE
from departments.models import ImportKind, Membership
from departments.selectors import person_history

from . import selectors
from .forms import PasswordResetForm, PersonCreateForm, ReasonForm, RenameForm, RoleGrantForm
from .org_views import _managing, add_errors, upload_confirm, upload_preview

PAGE_SIZE = 50


def _roles(request: HttpRequest) -> frozenset[str]:
    return perms.ALL_ROLES if perms.can_administer(request.user) else perms.COORDINATOR_GRANTS


def _grant_form(request: HttpRequest, data: object = None) -> RoleGrantForm:
    return RoleGrantForm(data, units=selectors.manage_units(request.user), roles=_roles(request))


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    _managing(request)
    query = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.people(request.user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "departments/manage/people_list.html", {
        "page": page, "q": query, "query": f"q={query}" if query else "",
        "is_admin": perms.can_administer(request.user),
    })


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    _managing(request)
    form = PersonCreateForm(request.POST or None, units=selectors.manage_units(request.user), roles=_roles(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = accounts.person_create(**form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已新建{accounts.display_name(person)}（{person.username}），首次登录须修改密码。")
            return redirect("person_detail", pk=person.pk)
    return render(request, "departments/manage/person_create.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for_manage(request.user, pk)
    return _person_page(request, person)


def _person_page(request: HttpRequest, person: object, status: int = 200, **forms: BaseForm) -> HttpResponse:
    revocable = {m.pk for m in person.memberships.all()
                 if perms.can_manage_people_at(request.user, m.unit)
                 and m.role in perms.grantable_roles(request.user, m.unit)}
    return render(request, "departments/manage/person_detail.html", {
        "person": person, "revocable": revocable, "history": person_history(person),
        "can_manage": perms.can_manage_person(request.user, person) and person.pk != request.user.pk,
        "grant_form": forms.get("grant_form") or _grant_form(request),
        "rename_form": forms.get("rename_form") or RenameForm(initial={"full_name": person.get_full_name()}),
        "password_form": forms.get("password_form") or PasswordResetForm(),
        "reason_form": ReasonForm(),
    }, status=status)


def _person_action(request: HttpRequest, pk: int, form_name: str, form_class: type[BaseForm],
                   call: Callable[[object, dict], str]) -> HttpResponse:
    """Validate one form of the person page, call one service, answer with a message or the errors."""
    person = selectors.person_for_manage(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            messages.success(request, call(person, form.cleaned_data))
            return redirect("person_detail", pk=person.pk)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_errors(form, exc)
    return _person_page(request, person, status=400, **{form_name: form})


@login_required
@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for_manage(request.user, pk)
    form = _grant_form(request, request.POST)
    if form.is_valid():
        try:
            accounts.role_grant(person=person, actor=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已授予{accounts.display_name(person)}角色。")
            return redirect("person_detail", pk=person.pk)
    return _person_page(request, person, status=400, grant_form=form)


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("user", "unit"), pk=pk)
    person = selectors.person_for_manage(request.user, membership.user_id)
    form = ReasonForm(request.POST)
    try:
        accounts.role_revoke(membership=membership, actor=request.user,
                             reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, f"已撤销{accounts.display_name(person)}在{membership.unit.name}的“{membership.get_role_display()}”角色。")
    return redirect("person_detail", pk=person.pk)


@login_required
@require_POST
def person_rename(request: HttpRequest, pk: int) -> HttpResponse:
    def call(person: object, data: dict) -> str:
        accounts.person_rename(person=person, full_name=data["full_name"], actor=request.user)
        return "已修改姓名。"
    return _person_action(request, pk, "rename_form", RenameForm, call)


@login_required
@require_POST
def person_password(request: HttpRequest, pk: int) -> HttpResponse:
    def call(person: object, data: dict) -> str:
        accounts.password_reset(person=person, password=data["password"], actor=request.user)
        return f"已重置{accounts.display_name(person)}的密码，其下次登录时须修改。"
    return _person_action(request, pk, "password_form", PasswordResetForm, call)


@login_required
@require_POST
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    activate = request.POST.get("activate") == "1"

    def call(person: object, data: dict) -> str:
        service = accounts.person_reactivate if activate else accounts.person_deactivate
        service(person=person, actor=request.user, reason=data["reason"])
        return f"已{'重新启用' if activate else '停用'}{accounts.display_name(person)}的账号。"
    return _person_action(request, pk, "reason_form", ReasonForm, call)


@login_required
def people_upload(request: HttpRequest) -> HttpResponse:
    _managing(request)
    return upload_preview(request, ImportKind.PEOPLE, "departments/manage/people_upload.html")


@login_required
@require_POST
def people_upload_confirm(request: HttpRequest) -> HttpResponse:
    _managing(request)
    result, page = upload_confirm(request, ImportKind.PEOPLE, "departments/manage/people_upload.html")
    if page is not None:
        return page
    messages.success(request, f"人员表已导入：{result.summary()}")
    return render(request, "departments/manage/people_imported.html", {"result": result})


class ForcedPasswordChangeView(PasswordChangeView):
    """Change one's own password; ends the forced change after a reset or a first login."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: BaseForm) -> HttpResponse:
        response = super().form_valid(form)
        accounts.password_changed(user=self.request.user)
        self.request.session.pop(SESSION_MUST_CHANGE, None)
        messages.success(self.request, "密码已修改。")
        return response
