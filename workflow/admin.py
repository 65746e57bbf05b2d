from django.contrib import admin
from django.http import HttpRequest

from .models import Notification, OutboxMessage, TransitionLog


@admin.register(TransitionLog)
class TransitionLogAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be added to, changed or deleted here."""

    list_display = ["created_at", "department", "action", "from_state", "to_state", "actor", "revision"]
    list_filter = ["action", "to_state", "department"]
    search_fields = ["comment", "actor__username", "actor__first_name"]
    list_select_related = ["department", "actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TransitionLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TransitionLog | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at", "emailed"]
    list_select_related = ["user"]
    readonly_fields = ["user", "title", "body", "url", "key", "created_at", "emailed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: what waits for the broker (sent by the relay; see workflow/outbox.py)."""

    list_display = ["id", "task", "args", "created_at", "attempts", "sent_at", "due_at", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "task"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False
