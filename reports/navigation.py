"""The main menu: which pages can hold anything for this user, decided once per request from the
loaded scope (no query), so a clerk is not sent to pages that are always empty for a clerk."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from departments import permissions as perms


@dataclass(frozen=True)
class Menu:
    sections: bool  # 我的填报: writers of a unit
    reports: bool  # 绩效报告: reports are per department; a unit's clerk has none to open
    targets: bool  # 绩效目标: the department's overseers, and the units' writers who contribute rows
    progress: bool  # 审核进度: those who oversee a department's progress
    cycles: bool  # 评价周期
    exports: bool  # 导出: documents of a report, district summaries
    admin: bool  # 系统管理 (Django admin)


def menu_for(user: AbstractBaseUser) -> Menu:
    whole = perms.reaches_whole_department(user)
    return Menu(
        sections=perms.user_scope(user).is_superuser or bool(perms.user_scope(user).paths(perms.EDIT_ROLES)),
        reports=whole,
        targets=whole or bool(perms.contributed_departments(user)),
        progress=perms.reaches_whole_department(user, perms.OVERSEE_ROLES),
        cycles=whole,
        exports=whole,
        admin=bool(user.is_staff),
    )


def main_menu(request: HttpRequest) -> dict:
    """Context processor: ``menu`` for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu": menu_for(user)}
