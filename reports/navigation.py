"""The main menu: which pages can hold anything for this user, decided once per request from the
loaded scope (no query), so a clerk is not sent to pages that are always empty for a clerk. The links
are drawn from a table here: every page shows the menu, and a ``{% url %}`` and a ``resolver_match``
lookup per link were a good part of a small page's rendering."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

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


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    active: bool


# (label, URL name, shown when this Menu flag is set ("" = always), marked active on its own page)
LINKS = (
    ("我的待办", "home", "", True),
    ("我的填报", "reports:section_list", "sections", True),
    ("绩效报告", "reports:report_list", "reports", True),
    ("绩效目标", "reports:target_list", "targets", True),
    ("季度监控", "reports:quarterly_list", "", True),
    ("整改台账", "reports:rectification_ledger", "", True),
    ("审核进度", "reports:progress", "progress", True),
    ("驾驶舱", "reports:dashboard", "progress", True),
    ("评价周期", "reports:cycle_list", "cycles", True),
    ("导出", "reports:export_list", "exports", True),
    ("组织机构", "org_home", "", True),
    ("系统管理", "admin:index", "admin", False),
)


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


def nav_links(menu: Menu, current: str) -> list[NavLink]:
    """The menu's links for this user, the current page's (by URL name) marked active."""
    prefix = get_script_prefix()
    return [NavLink(label, _href(name, prefix), marks and name.rpartition(":")[2] == current)
            for label, name, flag, marks in LINKS if not flag or getattr(menu, flag)]


@lru_cache(maxsize=64)
def _href(name: str, prefix: str) -> str:
    """A menu link's URL: reversed once per process (and script prefix), the URLconf being fixed."""
    return reverse(name)


def main_menu(request: HttpRequest) -> dict:
    """Context processor: ``menu`` and its links ``nav`` for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    menu = menu_for(user)
    match = getattr(request, "resolver_match", None)
    return {"menu": menu, "nav": nav_links(menu, match.url_name if match else "")}
