from django import template
from django.contrib.auth.models import AbstractBaseUser

register = template.Library()


@register.filter
def person(user: AbstractBaseUser | None) -> str:
    """A user's name for a page; a deleted user (a nulled foreign key) still renders."""
    if user is None:
        return "（已删除的用户）"
    return user.get_full_name() or user.get_username()
