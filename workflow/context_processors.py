from django.http import HttpRequest

from .models import Notification


def unread_notifications(request: HttpRequest) -> dict:
    """The unread count in the header: one indexed count per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
