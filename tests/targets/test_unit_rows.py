"""Units contribute their rows to the department's 整体绩效目标表: a unit's clerk adds, changes and
deletes the indicators its unit is responsible for, and nothing else; each save is a revision merged
into the table as it is now, so two units saving at once keep each other's rows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from departments.models import Department
from reports.models import AnnualTarget, TargetTable
from reports.targets import selectors, services
from reports.targets.merge import table_merge, unit_rows
from workflow import services as wf
from workflow.services import ContentConflict, ContentLocked
from workflow.states import State

pytestmark = pytest.mark.django_db
CG = "CG-GAFJ-P01"  # 城关派出所, clerk_cg's unit


def row(name: str, unit: str = CG, **extra: str) -> dict[str, str]:
    return {"level1": "产出", "level2": "数量", "name": name, "nature": "≥", "target": "12", "measure_unit": "次",
            "weight": "5", "standard": "", "unit": unit} | extra


def own_rows(table: TargetTable, unit: str = CG) -> list[dict]:
    return unit_rows(table.data, {unit})


def test_a_units_clerk_adds_edits_and_deletes_only_its_own_rows(declared, clerk):
    before = declared.data
    mine = own_rows(declared)
    assert [r["name"] for r in mine] == ["矛盾纠纷排查化解率", "服务对象满意度"]
    rows = [dict(mine[0], target="96"), row("社区走访次数")]  # 服务对象满意度 deleted
    revision = services.target_rows_save(table=declared, rows=rows, base_version=declared.version, actor=clerk)
    declared.refresh_from_db()
    assert (revision.number, revision.author, declared.version) == (2, clerk, 2)
    assert declared.last_edited_by == clerk
    assert own_rows(declared) == rows
    others = [r for r in before["indicators"] if r["unit"] != CG]
    assert [r for r in declared.data["indicators"] if r["unit"] != CG] == others
    order = [r["name"] for r in declared.data["indicators"]]
    assert order[0] == "矛盾纠纷排查化解率"  # edited in its place
    level1 = [r["level1"] for r in declared.data["indicators"]]
    assert level1 == sorted(level1, key=["产出", "效益", "满意度"].index)  # the new 产出 row among 产出
    assert level1[order.index("社区走访次数") + 1] != "产出"
    assert (declared.data["goal"], declared.data["tasks"]) == (before["goal"], before["tasks"])
    names = set(AnnualTarget.objects.filter(table=declared).values_list("name", flat=True))
    assert "社区走访次数" in names and "服务对象满意度" not in names


def test_a_row_of_another_unit_is_refused_and_nothing_is_saved(declared, clerk, demo):
    xingzhen = Department.objects.get(name="刑侦大队").code
    with pytest.raises(PermissionDenied, match="责任单位不是您的单位"):
        services.target_rows_save(table=declared, rows=[row("社区走访次数"), row("打处人数", unit=xingzhen)],
                                  base_version=declared.version, actor=clerk)
    declared.refresh_from_db()
    assert declared.version == 1 and declared.revisions.count() == 1


@pytest.mark.parametrize("username", ["other_clerk", "leader_zz", "fin_reviewer", "fin_admin"])
def test_who_writes_for_no_unit_of_the_department_is_refused(declared, username):
    user = get_user_model().objects.get(username=username)
    with pytest.raises(PermissionDenied):
        services.target_rows_save(table=declared, rows=[], base_version=declared.version, actor=user)
    declared.refresh_from_db()
    assert declared.version == 1


def test_a_name_another_unit_already_declared_is_refused(declared, clerk):
    with pytest.raises(ValidationError, match="刑事案件打处人数"):
        services.target_rows_save(table=declared, rows=[row("刑事案件打处人数")], base_version=1, actor=clerk)
    assert TargetTable.objects.get(pk=declared.pk).version == 1


def test_a_table_under_review_or_approved_is_not_editable(declared, clerk, coordinator, group_leader,
                                                          finance_reviewer):
    wf.submit(item=declared, actor=coordinator, version=declared.version)
    declared.refresh_from_db()
    assert not selectors.may_contribute(clerk, declared)
    with pytest.raises(ContentLocked):
        services.target_rows_save(table=declared, rows=[row("社区走访次数")], base_version=1, actor=clerk)
    wf.leading_approve(item=declared, actor=group_leader, version=1)
    wf.finance_approve(item=declared, actor=finance_reviewer, version=1)
    declared.refresh_from_db()
    assert declared.state == State.APPROVED
    with pytest.raises(ContentLocked):
        services.target_rows_save(table=declared, rows=[row("社区走访次数")], base_version=1, actor=clerk)
    assert declared.revisions.count() == 1


def test_a_clerk_may_not_submit_and_the_coordinator_may_after_the_units_rows(declared, clerk, coordinator):
    from workflow.guards import action_check

    services.target_rows_save(table=declared, rows=[row("社区走访次数")], base_version=1, actor=clerk)
    declared.refresh_from_db()
    assert not action_check(clerk, declared, "submit").permitted
    wf.submit(item=declared, actor=coordinator, version=declared.version)
    declared.refresh_from_db()
    assert declared.state == State.SUBMITTED and declared.submitted_version == 2


def test_two_units_saving_at_once_keep_each_others_rows(declared, clerk, xingzhen_clerk):
    xingzhen = Department.objects.get(name="刑侦大队").code
    loaded = declared.version  # both forms loaded at version 1
    services.target_rows_save(table=declared, rows=[*own_rows(declared), row("社区走访次数")],
                              base_version=loaded, actor=clerk)
    services.target_rows_save(table=declared, rows=[*own_rows(declared, xingzhen), row("命案侦破率", xingzhen)],
                              base_version=loaded, actor=xingzhen_clerk)
    declared.refresh_from_db()
    names = [r["name"] for r in declared.data["indicators"]]
    assert "社区走访次数" in names and "命案侦破率" in names and declared.version == 3
    assert [r.author for r in selectors.table_revisions(declared)][:2] == [xingzhen_clerk, clerk]


def test_a_change_to_the_units_own_rows_meanwhile_is_a_conflict(declared, clerk, coordinator):
    loaded = declared.version
    data = declared.data | {"indicators": [dict(r, target="99") if r["name"] == "矛盾纠纷排查化解率" else r
                                           for r in declared.data["indicators"]]}
    services.target_table_save(table=declared, data=data, base_version=loaded, actor=coordinator)
    with pytest.raises(ContentConflict) as caught:
        services.target_rows_save(table=declared, rows=[row("社区走访次数")], base_version=loaded, actor=clerk)
    assert caught.value.latest.number == 2 and caught.value.latest.author == coordinator
    declared.refresh_from_db()
    assert declared.version == 2 and "社区走访次数" not in str(declared.data)
    # saving again over the version the conflict named applies
    services.target_rows_save(table=declared, rows=[row("社区走访次数")], base_version=2, actor=clerk)
    assert [r["name"] for r in own_rows(TargetTable.objects.get(pk=declared.pk))] == ["社区走访次数"]


def test_the_coordinators_save_over_a_stale_form_keeps_the_units_rows(declared, clerk, coordinator):
    stale = declared.data  # the coordinator's form, loaded at version 1
    services.target_rows_save(table=declared, rows=[*own_rows(declared), row("社区走访次数")], base_version=1,
                              actor=clerk)
    services.target_table_save(table=declared, data=stale | {"goal": "新的年度总体目标"}, base_version=1,
                               actor=coordinator)
    declared.refresh_from_db()
    assert declared.version == 3 and declared.data["goal"] == "新的年度总体目标"
    assert "社区走访次数" in [r["name"] for r in own_rows(declared)]  # the unit's save is not dropped
    # the coordinator changing the same unit's rows over the stale form: a conflict naming the unit
    changed = stale | {"indicators": [dict(r, target="1") if r["unit"] == CG else r for r in stale["indicators"]]}
    with pytest.raises(services.TableConflict) as caught:
        services.target_table_save(table=declared, data=changed, base_version=1, actor=coordinator)
    assert caught.value.parts == [CG] and caught.value.latest.number == 3
    assert TargetTable.objects.get(pk=declared.pk).version == 3


def test_the_merge_takes_each_part_from_whoever_changed_it():
    a, b = row("甲", "A"), row("乙", "B", level1="效益")
    base = {"goal": "g", "tasks": [], "indicators": [a, b]}
    mine = base | {"goal": "g2"}
    theirs = base | {"indicators": [a, dict(b, target="9"), row("丙", "B", level1="效益")]}
    merged, clashes = table_merge(base, mine, theirs)
    assert clashes == [] and merged["goal"] == "g2"
    assert merged["indicators"] == theirs["indicators"]
    _, clashes = table_merge(base, base | {"goal": "x"}, base | {"goal": "y"})
    assert clashes == [""]
    _, clashes = table_merge(base, base | {"indicators": [a, b, row("丙", "A")]},
                             base | {"indicators": [a, b, row("丙", "B")]})
    assert clashes == ["name:丙"]  # each unit added its own 丙 meanwhile
    merged, clashes = table_merge(base, base | {"indicators": [dict(a, unit="B"), b]}, theirs)
    assert clashes == ["B"]  # a row moved into a unit whose rows changed meanwhile


def test_a_units_rows_in_an_adjustment_merge_over_the_coordinators_edits(declared, clerk, coordinator,
                                                                         group_leader, finance_reviewer):
    wf.submit(item=declared, actor=coordinator, version=1)
    wf.leading_approve(item=declared, actor=group_leader, version=1)
    wf.finance_approve(item=declared, actor=finance_reviewer, version=1)
    declared.refresh_from_db()
    adjusted = services.target_table_adjust(table=declared, reason="年中调整", actor=coordinator)
    assert adjusted.version == 0
    services.target_table_save(table=adjusted, data=adjusted.data | {"goal": "新目标"}, base_version=0,
                               actor=coordinator)
    services.target_rows_save(table=adjusted, rows=[row("社区走访次数")], base_version=0, actor=clerk)
    adjusted.refresh_from_db()
    assert adjusted.data["goal"] == "新目标" and [r["name"] for r in own_rows(adjusted)] == ["社区走访次数"]
    assert [r["name"] for r in own_rows(TargetTable.objects.get(pk=declared.pk))][0] == "矛盾纠纷排查化解率"


def test_a_unit_saving_over_the_empty_first_draft_keeps_the_coordinators_first_save(police, clerk, coordinator):
    table = services.target_table_create(department=police, year=2023, actor=coordinator)  # version 0
    services.target_table_save(table=table, data={"goal": "目标", "tasks": [], "indicators": [row("甲", police.code)]},
                               base_version=0, actor=coordinator)
    services.target_rows_save(table=table, rows=[row("社区走访次数")], base_version=0, actor=clerk)
    table.refresh_from_db()
    assert table.data["goal"] == "目标" and [r["name"] for r in table.data["indicators"]] == ["甲", "社区走访次数"]


# pages -------------------------------------------------------------------------

def _post(client, table: TargetTable, rows: list[dict], base_version: int):  # noqa: ANN202
    data = {"base_version": str(base_version), "ind-TOTAL_FORMS": str(len(rows)), "ind-INITIAL_FORMS": "0"}
    for i, r in enumerate(rows):
        data |= {f"ind-{i}-{k}": v for k, v in r.items()}
    return client.post(reverse("reports:target_rows", args=[table.pk]), data)


def test_the_clerk_finds_the_table_and_saves_its_rows_as_a_revision(client, declared, clerk):
    client.force_login(clerk)
    home = client.get(reverse("reports:section_list")).content.decode()
    assert reverse("reports:target_list") in home and reverse("reports:target_rows", args=[declared.pk]) in home
    detail = client.get(declared.get_absolute_url()).content.decode()
    assert "填写本单位指标" in detail and reverse("reports:target_edit", args=[declared.pk]) not in detail
    page = client.get(reverse("reports:target_rows", args=[declared.pk])).content.decode()
    assert "矛盾纠纷排查化解率" in page and "刑事案件打处人数" in page  # its rows editable, the others listed
    assert 'name="t-goal"' not in page
    response = _post(client, declared, [row("社区走访次数")], declared.version)
    assert response.status_code == 302
    history = client.get(reverse("reports:target_history", args=[declared.pk])).content.decode()
    latest = history.split("第 1 次修订")[0]
    assert "第 2 次修订" in latest and "张明" in latest
    assert "指标「社区走访次数」· 责任单位" in latest and "城关派出所" in latest  # the unit by its name
    assert "刑事案件打处人数" not in latest  # only the rows that changed, not every row after them


def test_a_forged_row_of_another_unit_is_refused_in_chinese(client, declared, clerk):
    client.force_login(clerk)
    xingzhen = Department.objects.get(name="刑侦大队").code
    response = _post(client, declared, [row("打处人数", unit=xingzhen)], declared.version)
    assert response.status_code == 400 and "责任单位只能选择您所在的单位" in response.content.decode()
    assert TargetTable.objects.get(pk=declared.pk).version == 1


def test_a_conflict_on_the_page_keeps_what_was_typed(client, declared, clerk, coordinator):
    data = declared.data | {"indicators": [r for r in declared.data["indicators"] if r["unit"] != CG]}
    services.target_table_save(table=declared, data=data, base_version=1, actor=coordinator)
    client.force_login(clerk)
    response = _post(client, declared, [row("社区走访次数")], 1)
    text = response.content.decode()
    assert response.status_code == 400 and "保存冲突" in text and "李芳" in text and "社区走访次数" in text
    assert 'name="base_version" value="2"' in text
    assert TargetTable.objects.get(pk=declared.pk).version == 2


@pytest.mark.parametrize(("username", "page"), [("clerk_cg", "target_rows"), ("coord_jwbz", "target_edit")])
def test_a_non_numeric_base_version_is_a_400_not_a_500(client, declared, username, page):
    client.force_login(get_user_model().objects.get(username=username))
    response = client.post(reverse(f"reports:{page}", args=[declared.pk]),
                           {"base_version": "abc", "t-goal": "x", "ind-TOTAL_FORMS": "0", "ind-INITIAL_FORMS": "0",
                            "tasks-TOTAL_FORMS": "0", "tasks-INITIAL_FORMS": "0"})
    assert response.status_code == 400 and "版本号" in response.content.decode()
    assert TargetTable.objects.get(pk=declared.pk).version == 1


def _full_post(data: dict, base_version: int) -> dict[str, str]:
    """The coordinator's edit form as the browser posts it, for ``data``."""
    post = {"base_version": str(base_version), "t-goal": data["goal"], "tasks-TOTAL_FORMS": "0",
            "tasks-INITIAL_FORMS": "0", "ind-TOTAL_FORMS": str(len(data["indicators"])),
            "ind-INITIAL_FORMS": str(len(data["indicators"]))}
    for i, r in enumerate(data["indicators"]):
        post |= {f"ind-{i}-{k}": v for k, v in r.items()}
    return post


def test_the_coordinators_page_merges_or_names_the_conflict(client, declared, clerk, coordinator):
    stale = declared.data | {"tasks": []}
    services.target_rows_save(table=declared, rows=[*own_rows(declared), row("社区走访次数")], base_version=1,
                              actor=clerk)
    client.force_login(coordinator)
    url = reverse("reports:target_edit", args=[declared.pk])
    changed = stale | {"indicators": [dict(r, target="1") if r["unit"] == CG and r["nature"] != "定性" else r
                                      for r in stale["indicators"]]}
    response = client.post(url, _full_post(changed | {"goal": "联络员改写的目标"}, 1))
    text = response.content.decode()
    assert response.status_code == 400 and "保存冲突：张明" in text and "城关派出所的指标" in text
    assert "联络员改写的目标" in text and 'name="base_version" value="2"' in text  # what was typed stays
    assert TargetTable.objects.get(pk=declared.pk).version == 2
    response = client.post(url, _full_post(stale | {"goal": "联络员改写的目标"}, 1))
    assert response.status_code == 302
    table = TargetTable.objects.get(pk=declared.pk)
    assert table.data["goal"] == "联络员改写的目标" and "社区走访次数" in str(table.data["indicators"])
