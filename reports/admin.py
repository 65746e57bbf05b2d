from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .annual.services import template_copy
from .models import EvaluationCycle, ExportJob, OutlineNode, ReportTemplate, Section, SectionRevision


class OutlineNodeInline(admin.TabularInline):
    model = OutlineNode
    fk_name = "template"
    extra = 0
    fields = ["key", "title", "parent", "order", "kind", "default_unit_kind", "default_unit_name", "weight", "guidance"]
    ordering = ["parent_id", "order"]

    def has_add_permission(self, request: HttpRequest, obj: ReportTemplate | None = None) -> bool:
        return obj is None or not obj.is_frozen

    def has_change_permission(self, request: HttpRequest, obj: ReportTemplate | None = None) -> bool:
        return obj is None or not obj.is_frozen

    def has_delete_permission(self, request: HttpRequest, obj: ReportTemplate | None = None) -> bool:
        return obj is None or not obj.is_frozen

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # noqa: ANN001, ANN201
        if db_field.name == "parent":
            template_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = OutlineNode.objects.filter(template_id=template_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_frozen", "based_on", "created_at"]
    readonly_fields = ["is_frozen", "based_on", "version"]
    inlines = [OutlineNodeInline]
    actions = ["copy_as_new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: ReportTemplate | None = None) -> list[str]:
        if obj and obj.is_frozen:
            return ["code", "name", "title_format", "numbering", "scoring", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ReportTemplate | None = None) -> bool:
        return obj is None or not obj.is_frozen

    @admin.action(description="复制为新版本（可编辑）")
    def copy_as_new_version(self, request: HttpRequest, queryset: QuerySet[ReportTemplate]) -> None:
        for template in queryset:
            copy = template_copy(template=template, actor=request.user)
            self.message_user(request, f"已复制为「{copy}」。", messages.SUCCESS)


@admin.register(EvaluationCycle)
class EvaluationCycleAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "template", "opens_on", "due_on"]
    readonly_fields = ["template", "launched_by", "launched_at"]
    filter_horizontal = ["departments"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # cycles are launched from the site, which creates the reports too


class RevisionInline(admin.TabularInline):
    model = SectionRevision
    extra = 0
    fields = ["number", "author", "on_behalf", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Section | None = None) -> bool:
        return False


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["node", "report", "unit", "kind", "state", "version", "error_count"]
    list_filter = ["kind", "state", "report__cycle"]
    list_select_related = ["node", "report__department", "report__cycle", "unit"]
    readonly_fields = ["report", "node", "kind", "state", "data", "version", "error_count", "warning_count",
                       "last_edited_by", "unit"]
    inlines = [RevisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Section | None = None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are requested, cancelled and rebuilt on the site (services, audited)."""

    list_display = ["id", "kind", "status", "progress", "attempts", "requested_by", "created_at", "started_at",
                    "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["filename", "error", "requested_by__username"]
    list_select_related = ["requested_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ExportJob | None = None) -> bool:
        return False
