from django.http import HttpRequest

from .selectors import membership_summary


def user_scope(request: HttpRequest) -> dict:
    """The roles shown in the page header, loaded once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"header_roles": membership_summary(user)}
