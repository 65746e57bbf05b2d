"""The Django admin of the organisation: every grant goes through departments.services with the
signed-in admin as the actor, so it is refused for oneself (separation of duties) and audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from guardian.admin import GuardedModelAdmin
from guardian.forms import UserObjectPermissionsForm

from . import services
from .models import ActingGrant, Department, Membership
from .permissions import VIEW_SCOPE


class MembershipForm(forms.ModelForm):
    actor: Any = None  # the signed-in admin, set per request by the admin classes below

    class Meta:
        model = Membership
        fields = ["user", "unit", "role", "is_group_leader"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        refusal = services.membership_refusal(actor=self.actor, user=cleaned.get("user"), role=cleaned.get("role"),
                                              is_group_leader=bool(cleaned.get("is_group_leader")))
        if refusal:
            raise ValidationError(refusal)
        return cleaned


def _for_actor(form: type[forms.ModelForm], request: HttpRequest) -> type[forms.ModelForm]:
    return type(form.__name__, (form,), {"actor": request.user})


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]

    def get_formset(self, request: HttpRequest, obj: Department | None = None, **kwargs: Any) -> type[BaseInlineFormSet]:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _for_actor(formset.form, request)
        return formset


class ShareForm(UserObjectPermissionsForm):
    """The admin's 对象权限 page offers one permission, 查阅 (the department shared with one outside
    reader), and grants or ends it through the audited services with the signed-in admin as actor."""

    actor: Any = None

    def get_obj_perms_field_choices(self) -> list[tuple[str, str]]:
        return [(VIEW_SCOPE.split(".")[1], "查阅本部门（含下属单位）")]

    def save_obj_perms(self) -> None:
        wanted = VIEW_SCOPE.split(".")[1] in set(self.cleaned_data[self.get_obj_perms_field_name()])
        had = VIEW_SCOPE.split(".")[1] in set(self.get_obj_perms_field_initial())
        if wanted and not had:
            services.department_share(user=self.user, department=self.obj, actor=self.actor, reason="系统管理：对象权限")
        elif had and not wanted:
            services.department_unshare(user=self.user, department=self.obj, actor=self.actor,
                                        reason="系统管理：对象权限")


@admin.register(Department)
class DepartmentAdmin(GuardedModelAdmin):
    list_display = ["name", "code", "kind", "parent", "order", "budget_department"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent", "budget_department"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "budget_department"]
    inlines = [MembershipInline]

    def get_obj_perms_manage_user_form(self, request: HttpRequest) -> type[forms.Form]:
        return type("ShareForm", (ShareForm,), {"actor": request.user})

    def get_obj_perms_manage_group_form(self, request: HttpRequest) -> type[forms.Form]:
        raise PermissionDenied("部门只共享给个人（每次共享都记入审计），不共享给用户组。")

    def save_model(self, request: HttpRequest, obj: Department, form: object, change: bool) -> None:
        # Paths and budget departments of the subtree are kept right by the service.
        services.department_save(department=obj)

    def save_formset(self, request: HttpRequest, form: object, formset: BaseInlineFormSet, change: bool) -> None:
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.membership_revoke(membership=membership, actor=request.user)
        for membership in memberships:
            services.membership_save(membership=membership, actor=request.user)
        return None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "unit", "role", "is_group_leader"]
    list_filter = ["role", "is_group_leader", "unit__kind"]
    search_fields = ["user__username", "user__first_name", "unit__name", "unit__code"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]

    def get_form(self, request: HttpRequest, obj: Membership | None = None, change: bool = False,
                 **kwargs: Any) -> type[forms.ModelForm]:
        return _for_actor(super().get_form(request, obj, change=change, **kwargs), request)

    def save_model(self, request: HttpRequest, obj: Membership, form: object, change: bool) -> None:
        services.membership_save(membership=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_revoke(membership=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user", "unit"):
            services.membership_revoke(membership=membership, actor=request.user)


class ActingGrantForm(forms.ModelForm):
    actor: Any = None

    class Meta:
        model = ActingGrant
        fields = ["user", "department", "starts_on", "ends_on", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        refusal = services.grant_refusal(actor=self.actor, user=cleaned.get("user"), what="代理领导小组审核")
        if refusal:
            raise ValidationError(refusal)
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", "结束日期不能早于开始日期。")
        return cleaned


@admin.register(ActingGrant)
class ActingGrantAdmin(admin.ModelAdmin):
    """代理 grants are added (for oneself: refused) and revoked, never edited or deleted: each is a record."""

    form = ActingGrantForm
    list_display = ["user", "department", "starts_on", "ends_on", "reason", "granted_by", "granted_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "user__first_name", "department__name"]
    list_select_related = ["user", "department", "granted_by"]
    autocomplete_fields = ["user", "department"]
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj: ActingGrant | None = None, change: bool = False,
                 **kwargs: Any) -> type[forms.ModelForm]:
        return _for_actor(super().get_form(request, obj, change=change, **kwargs), request)

    def has_change_permission(self, request: HttpRequest, obj: ActingGrant | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ActingGrant | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ActingGrant, form: forms.ModelForm, change: bool) -> None:
        grant = services.acting_leader_grant(actor=request.user, **{f: form.cleaned_data[f] for f in ActingGrantForm.Meta.fields})
        obj.pk = grant.pk  # so the admin's own log entry and redirect name the saved row

    @admin.action(description="撤销所选代理授权", permissions=["add"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ActingGrant]) -> None:
        for grant in queryset.select_related("user", "department"):
            services.acting_grant_revoke(grant=grant, actor=request.user)
        self.message_user(request, f"已撤销 {queryset.count()} 项代理授权。", messages.SUCCESS)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """People are deactivated (组织机构 → 人员与角色), never deleted: their names stay on revisions,
    transitions and the audit trail."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
