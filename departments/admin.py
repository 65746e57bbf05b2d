from django.contrib import admin
from django.http import HttpRequest
from guardian.admin import GuardedModelAdmin

from .models import Department, Membership
from .services import department_save


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(GuardedModelAdmin):
    list_display = ["name", "code", "kind", "parent", "order", "budget_department"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent", "budget_department"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "budget_department"]
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Department, form: object, change: bool) -> None:
        # Paths and budget departments of the subtree are kept right by the service.
        department_save(department=obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "is_group_leader"]
    list_filter = ["role", "is_group_leader", "unit__kind"]
    search_fields = ["user__username", "user__first_name", "unit__name", "unit__code"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]
