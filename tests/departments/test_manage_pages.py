"""组织机构 → 管理: units and people from the browser, every change audited, a coordinator kept inside
their own department, people deactivated (never deleted), password resets forcing a change."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.accounts import must_change_password, password_errors
from departments.models import AuditEntry, Department, ImportPreview, Membership, Role

pytestmark = pytest.mark.django_db


def _unit_post(client, url, **fields):
    data = {"code": "", "name": "", "kind": "internal_unit", "sector": "", "parent": "", "order": "0"} | fields
    return client.post(url, data)


def test_the_finance_admin_creates_renames_moves_and_retires_units(client, demo, finance_admin):
    client.force_login(finance_admin)
    jtj = demo["CG-JTJ"]
    response = _unit_post(client, reverse("unit_create"), code="CG-JTJ-N09", name="体育科", parent=jtj.pk)
    assert response.status_code == 302
    unit = Department.objects.get(code="CG-JTJ-N09")
    assert unit.budget_department == jtj and unit.path == "/CG-CZJ/CG-JTJ/CG-JTJ-N09/"
    office = demo["CG-JTJ-N01"]
    _unit_post(client, reverse("unit_edit", args=[unit.code]), code=unit.code, name="体育卫生艺术科", parent=office.pk)
    unit.refresh_from_db()
    assert unit.name == "体育卫生艺术科" and unit.parent == office
    assert client.post(reverse("unit_retire", args=[office.code])).status_code == 302
    unit.refresh_from_db()
    assert unit.is_retired  # the subtree goes with it
    assert Department.objects.filter(code="CG-JTJ-N09").exists()  # kept, not deleted
    actions = list(AuditEntry.objects.filter(actor=finance_admin).values_list("action", flat=True))
    assert {"unit.create", "unit.change", "unit.retire"} <= set(actions)


def test_a_duplicate_code_is_refused_in_chinese(client, demo, finance_admin):
    client.force_login(finance_admin)
    response = _unit_post(client, reverse("unit_create"), code="CG-JTJ-N01", name="重复", parent=demo["CG-JTJ"].pk)
    assert response.status_code == 400 and "已存在" in response.content.decode()


def test_a_coordinator_manages_units_of_their_own_department_only(client, demo, coordinator):
    client.force_login(coordinator)
    ok = _unit_post(client, reverse("unit_create"), code="CG-GAFJ-N99", name="新设科室", parent=demo["CG-GAFJ"].pk)
    assert ok.status_code == 302
    outside = _unit_post(client, reverse("unit_create"), code="CG-JTJ-N99", name="越权", parent=demo["CG-JTJ"].pk)
    assert outside.status_code == 400 and not Department.objects.filter(code="CG-JTJ-N99").exists()
    department = _unit_post(client, reverse("unit_create"), code="CG-X", name="新部门", kind="department",
                            parent=demo["CG-CZJ"].pk)
    assert department.status_code == 400
    assert client.get(reverse("unit_edit", args=["CG-JTJ-N01"])).status_code == 404
    assert client.get(reverse("unit_edit", args=["CG-GAFJ"])).status_code == 404  # not the department itself
    assert client.post(reverse("unit_retire", args=["CG-JTJ-N01"])).status_code == 404
    assert client.get(reverse("org_upload")).status_code == 404  # the org chart is the finance admin's
    assert "CG-JTJ" not in client.get(reverse("org_manage")).content.decode()


def test_a_clerk_has_no_management_pages(client, demo, clerk):
    client.force_login(clerk)
    for name in ("org_manage", "people_list", "person_create", "people_upload"):
        assert client.get(reverse(name)).status_code == 404


def test_org_chart_upload_previews_then_confirms(client, demo, finance_admin):
    client.force_login(finance_admin)
    chart = "编码,名称,类型,上级编码\nCG-GSL2,呈贡区工商联（试）,预算部门,CG-CZJ\nCG-GSL2-N01,办公室,内设机构,CG-GSL2\n"
    page = client.post(reverse("org_upload"), {"file": SimpleUploadedFile("org.csv", chart.encode())})
    assert page.status_code == 200 and "新增 2 个" in page.content.decode()
    assert not Department.objects.filter(code="CG-GSL2").exists()
    preview = ImportPreview.objects.get(user=finance_admin)
    assert client.post(reverse("org_upload_confirm"), {"preview": preview.pk}).status_code == 302
    assert Department.objects.get(code="CG-GSL2-N01").budget_department.code == "CG-GSL2"
    assert AuditEntry.objects.filter(action="unit.create", actor=finance_admin).count() == 2
    bad = "编码,名称,类型,上级编码\nX1,某单位,局,CG-NOPE\n"
    page = client.post(reverse("org_upload"), {"file": SimpleUploadedFile("org.csv", bad.encode())})
    assert page.status_code == 400 and "第 2 行" in page.content.decode()


def _create_person(client, unit, role="clerk", username="new_clerk", password="Xy7#kLm9q", leader=False):
    data = {"username": username, "full_name": "新同事", "password": password, "unit": unit.pk, "role": role}
    if leader:
        data["is_group_leader"] = "on"
    return client.post(reverse("person_create"), data)


def test_password_rules_answer_in_chinese(demo):
    assert any("密码" in m and "太短" in m for m in password_errors("a1"))
    assert password_errors("password") == ["密码太常见，容易被猜到。"]
    assert password_errors("12345678") == ["密码太常见，容易被猜到。", "密码不能全是数字。"]


def test_a_new_person_must_change_the_password_at_first_login(client, demo, finance_admin):
    client.force_login(finance_admin)
    short = _create_person(client, demo["CG-JTJ-N01"], password="123")
    assert short.status_code == 400 and "太短" in short.content.decode()
    assert _create_person(client, demo["CG-JTJ-N01"]).status_code == 302
    person = get_user_model().objects.get(username="new_clerk")
    assert must_change_password(person)
    client.logout()
    login = client.post(reverse("login"), {"username": "new_clerk", "password": "Xy7#kLm9q"})
    assert login.status_code == 302 and login.url == reverse("password_change")
    assert client.get(reverse("home")).url == reverse("password_change")  # nothing else first
    changed = client.post(reverse("password_change"), {
        "old_password": "Xy7#kLm9q", "new_password1": "Zq8$wEr5t", "new_password2": "Zq8$wEr5t"})
    assert changed.status_code == 302 and not must_change_password(person)
    assert client.get(reverse("home")).status_code == 200


def test_reset_deactivate_and_reactivate_are_audited(client, demo, finance_admin, clerk):
    client.force_login(finance_admin)
    client.post(reverse("person_password", args=[clerk.pk]), {"password": "Ab3$temp99"})
    clerk.refresh_from_db()
    assert clerk.check_password("Ab3$temp99") and must_change_password(clerk)
    client.post(reverse("person_active", args=[clerk.pk]), {"reason": "调离"})
    clerk.refresh_from_db()
    assert not clerk.is_active and Membership.objects.filter(user=clerk).exists()  # roles kept on record
    assert get_user_model().objects.filter(pk=clerk.pk).exists()
    client.post(reverse("person_active", args=[clerk.pk]), {"activate": "1"})
    clerk.refresh_from_db()
    assert clerk.is_active
    actions = set(AuditEntry.objects.filter(object_id=clerk.pk, actor=finance_admin).values_list("action", flat=True))
    assert actions == {"person.password_reset", "person.deactivate", "person.reactivate"}
    page = client.get(reverse("person_detail", args=[clerk.pk])).content.decode()
    assert "重置张明的密码" in page and "Ab3$temp99" not in page


def test_roles_are_granted_and_revoked_with_an_audit_row(client, demo, finance_admin, outsider):
    client.force_login(finance_admin)
    response = client.post(reverse("role_grant", args=[outsider.pk]), {
        "unit": demo["CG-JTJ"].pk, "role": Role.LEADER, "is_group_leader": "on", "reason": "任命"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider, role=Role.LEADER)
    assert membership.is_group_leader
    flag = client.post(reverse("role_grant", args=[outsider.pk]), {"unit": demo["CG-JTJ"].pk, "role": Role.CLERK,
                                                                    "is_group_leader": "on"})
    assert flag.status_code == 400 and "只有领导小组成员可以设为组长" in flag.content.decode()
    client.post(reverse("role_revoke", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = list(AuditEntry.objects.filter(actor=finance_admin).values_list("action", flat=True))
    assert actions.count("membership.grant") == 1 and actions.count("membership.revoke") == 1


def test_nobody_grants_themselves_a_reviewing_role(client, demo, finance_admin):
    client.force_login(finance_admin)
    response = client.post(reverse("role_grant", args=[finance_admin.pk]),
                           {"unit": demo["CG-JTJ"].pk, "role": Role.FINANCE_REVIEWER})
    assert response.status_code == 400 and "职责分离" in response.content.decode()


def test_a_coordinator_cannot_touch_another_departments_people(client, demo, coordinator, outsider, clerk):
    client.force_login(coordinator)
    assert client.get(reverse("person_detail", args=[outsider.pk])).status_code == 404
    for name, data in (("person_password", {"password": "Ab3$temp99"}), ("person_active", {}),
                       ("person_rename", {"full_name": "改名"}),
                       ("role_grant", {"unit": demo["CG-GAFJ-P02"].pk, "role": Role.CLERK})):
        assert client.post(reverse(name, args=[outsider.pk]), data).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active and outsider.get_full_name() == "孙丽"
    assert "other_clerk" not in client.get(reverse("people_list")).content.decode()
    their = Membership.objects.get(user=outsider)
    assert client.post(reverse("role_revoke", args=[their.pk])).status_code == 404
    # inside their own department they may
    granted = client.post(reverse("role_grant", args=[clerk.pk]), {"unit": demo["CG-GAFJ-P02"].pk, "role": Role.CLERK})
    assert granted.status_code == 302
    finance = client.post(reverse("role_grant", args=[clerk.pk]),
                          {"unit": demo["CG-GAFJ"].pk, "role": Role.FINANCE_REVIEWER})
    assert finance.status_code == 400  # finance roles only by the finance admin
    outside_unit = _create_person(client, demo["CG-JTJ-N01"], username="sneaky")
    assert outside_unit.status_code == 400 and not get_user_model().objects.filter(username="sneaky").exists()


def test_a_coordinator_cannot_manage_someone_who_also_works_elsewhere(demo, coordinator, outsider):
    from departments import permissions as perms
    from departments.services import membership_grant

    membership_grant(user=outsider, unit=demo["CG-GAFJ-P02"], role=Role.CLERK)
    assert not perms.can_manage_person(coordinator, outsider)  # still holds a role in the education bureau


def test_the_django_admin_never_deletes_a_person(client, demo, clerk):
    root = get_user_model().objects.create_superuser("root", password="Ab3$root99")
    client.force_login(root)
    assert client.get(reverse("admin:auth_user_delete", args=[clerk.pk])).status_code == 403
    assert client.get(reverse("admin:auth_user_change", args=[clerk.pk])).status_code == 200


def test_the_person_page_lists_the_roles_given_and_taken(client, demo, finance_admin, outsider):
    from departments.services import membership_grant, membership_revoke

    membership = membership_grant(user=outsider, unit=demo["CG-JTJ-N02"], role=Role.VIEWER, actor=finance_admin)
    membership_revoke(membership=membership, actor=finance_admin, reason="岗位调整")
    client.force_login(finance_admin)
    page = client.get(reverse("person_detail", args=[outsider.pk])).content.decode()
    assert "授予孙丽“查阅”角色" in page and "撤销孙丽的“查阅”角色" in page and "岗位调整" in page


def test_the_admin_signs_in_through_the_sites_login_page(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"
    chain = client.get("/admin/", follow=True).redirect_chain
    assert chain[-1][0].startswith("/login/")
