"""Every write to people: accounts, their roles, deactivation and password resets (DESIGN §12).

People are deactivated, never deleted: their names stay on revisions, transitions and the audit
trail. A password set by someone else must be changed by its owner at the next login.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from .models import Account, Department, Membership, Role
from .permissions import (
    can_administer,
    can_manage_people_at,
    can_manage_person,
    forget_scope,
    grantable_roles,
)
from .services import audit_record, membership_grant, membership_revoke

USERNAME_MAX = 150


def display_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def username_errors(username: str) -> list[str]:
    """Why an account name cannot be used (empty list: it can)."""
    if not username:
        return ["不能为空"]
    if len(username) > USERNAME_MAX:
        return [f"超过 {USERNAME_MAX} 个字符"]
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        return [f"「{username}」含不允许的字符（只能用字母、数字和 @ . + - _）"]
    return []


def password_errors(password: str, user: AbstractBaseUser | None = None) -> list[str]:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS), their messages in Chinese."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def initial_password() -> str:
    """A random first password that passes the validators; shown once, changed at the first login."""
    # no 0/O, 1/l/I: the password is read off a screen and typed by someone else
    return (get_random_string(4, "ABCDEFGHJKLMNPQRSTUVWXYZ") + get_random_string(4, "23456789") + "@"
            + get_random_string(3, "abcdefghijkmnpqrstuvwxyz"))


def _account(user: AbstractBaseUser) -> Account:
    return Account.objects.get_or_create(user=user)[0]


def _audit(actor: AbstractBaseUser | None, action: str, person: AbstractBaseUser, summary: str,
           reason: str = "", department: Department | None = None, changes: dict | None = None) -> None:
    audit_record(actor=actor, action=action, target=person, summary=summary, reason=reason,
                 department=department, changes={"user": person.get_username(), **(changes or {})})


def _check_person(actor: AbstractBaseUser | None, person: AbstractBaseUser) -> None:
    if actor is not None and not can_manage_person(actor, person):
        raise PermissionDenied("您不能管理该人员：其角色不全在您负责的部门内。")


def _check_grant(actor: AbstractBaseUser | None, unit: Department, role: str) -> None:
    if actor is None:
        return
    if not can_manage_people_at(actor, unit):
        raise PermissionDenied(f"您不能管理「{unit.name}」的人员。")
    if role not in grantable_roles(actor, unit):
        raise PermissionDenied(f"您不能授予“{Role(role).label}”角色（财政局角色由财政局管理员授予）。")
    if unit.is_retired:
        raise ValidationError({"unit": f"「{unit.name}」已撤销，不能再授予角色。"})


@transaction.atomic
def person_create(*, username: str, full_name: str, password: str, actor: AbstractBaseUser | None,
                  unit: Department | None = None, role: str = "", is_group_leader: bool = False,
                  reason: str = "") -> AbstractBaseUser:
    """A new account with its first role; its password must be changed at the first login."""
    if unit is not None and role:
        _check_grant(actor, unit, role)
    elif actor is not None and not can_administer(actor):
        raise PermissionDenied("新建人员时请同时指定单位和角色。")
    errors = {}
    if problems := username_errors(username):
        errors["username"] = [f"账号：{p}" for p in problems]
    elif get_user_model().objects.filter(username=username).exists():
        errors["username"] = [f"账号：「{username}」已存在"]
    if not full_name.strip():
        errors["full_name"] = ["姓名：不能为空"]
    user = get_user_model()(username=username, first_name=full_name.strip()[:150])
    if problems := password_errors(password, user):
        errors["password"] = [f"密码：{p}" for p in problems]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    Account.objects.create(user=user, must_change_password=True)
    _audit(actor, "person.create", user, f"新建人员{display_name(user)}（{username}）", reason,
           department=unit.budget_department if unit else None)
    if unit is not None and role:
        membership_grant(user=user, unit=unit, role=role, is_group_leader=is_group_leader, actor=actor,
                         reason=reason)
    return user


@transaction.atomic
def person_rename(*, person: AbstractBaseUser, full_name: str, actor: AbstractBaseUser) -> AbstractBaseUser:
    _check_person(actor, person)
    full_name = full_name.strip()[:150]
    if not full_name:
        raise ValidationError({"full_name": "姓名：不能为空"})
    if person.first_name != full_name or person.last_name:
        before = display_name(person)
        person.first_name, person.last_name = full_name, ""
        person.save(update_fields=["first_name", "last_name"])
        _audit(actor, "person.rename", person, f"姓名由「{before}」改为「{full_name}」",
               changes={"before": before, "after": full_name})
    return person


@transaction.atomic
def person_deactivate(*, person: AbstractBaseUser, actor: AbstractBaseUser, reason: str = "") -> AbstractBaseUser:
    """Someone left: the login stops working, the roles stay on record; never deleted."""
    _check_person(actor, person)
    if person.pk == actor.pk:
        raise ValidationError("不能停用自己的账号。")
    if not person.is_active:
        return person
    person.is_active = False
    person.save(update_fields=["is_active"])
    Account.objects.update_or_create(user=person, defaults={"deactivated_at": timezone.now()})
    _audit(actor, "person.deactivate", person, f"停用{display_name(person)}的账号", reason)
    forget_scope(person)
    return person


@transaction.atomic
def person_reactivate(*, person: AbstractBaseUser, actor: AbstractBaseUser, reason: str = "") -> AbstractBaseUser:
    _check_person(actor, person)
    if person.is_active:
        return person
    person.is_active = True
    person.save(update_fields=["is_active"])
    Account.objects.update_or_create(user=person, defaults={"deactivated_at": None})
    _audit(actor, "person.reactivate", person, f"重新启用{display_name(person)}的账号", reason)
    return person


@transaction.atomic
def password_reset(*, person: AbstractBaseUser, password: str, actor: AbstractBaseUser) -> AbstractBaseUser:
    """Set a temporary password; its owner must change it at the next login (the password is not logged)."""
    _check_person(actor, person)
    if problems := password_errors(password, person):
        raise ValidationError({"password": [f"密码：{p}" for p in problems]})
    person.set_password(password)
    person.save(update_fields=["password"])
    account = _account(person)
    account.must_change_password = True
    account.save(update_fields=["must_change_password"])
    _audit(actor, "person.password_reset", person, f"重置{display_name(person)}的密码（下次登录须修改）")
    return person


def password_changed(*, user: AbstractBaseUser) -> None:
    """The owner chose their own password: the forced change is done."""
    Account.objects.filter(user=user, must_change_password=True).update(must_change_password=False)


def must_change_password(user: AbstractBaseUser) -> bool:
    return Account.objects.filter(user=user, must_change_password=True).exists()


def role_grant(*, person: AbstractBaseUser, unit: Department, role: str, is_group_leader: bool = False,
               actor: AbstractBaseUser, reason: str = "") -> Membership:
    """Give a role at a unit within the actor's reach (self-grants of reviewing roles are refused)."""
    _check_grant(actor, unit, role)
    if is_group_leader and role != Role.LEADER:
        raise ValidationError({"is_group_leader": "组长：只有领导小组成员可以设为组长"})
    if not person.is_active:
        raise ValidationError({"user": f"{display_name(person)}的账号已停用，不能授予角色。"})
    return membership_grant(user=person, unit=unit, role=role, is_group_leader=is_group_leader, actor=actor,
                            reason=reason)


def role_revoke(*, membership: Membership, actor: AbstractBaseUser, reason: str = "") -> None:
    if not can_manage_people_at(actor, membership.unit) or membership.role not in grantable_roles(actor, membership.unit):
        raise PermissionDenied("您不能撤销该角色。")
    membership_revoke(membership=membership, actor=actor, reason=reason)
