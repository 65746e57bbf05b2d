"""The section edit page as a clerk meets it (issue 11.1, 11.2): 保存并提交审核 through the workflow's
guard, the next step said after a save, typed text kept when a save is refused or has errors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Section
from tests.factories import section_of
from workflow.models import TransitionLog
from workflow.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def narrative(police_report, clerk):
    """A narrative section of the clerk's unit, in a cycle that is still open."""
    cycle = police_report.cycle
    cycle.due_on = timezone.localdate() + timedelta(days=30)
    cycle.save(update_fields=["due_on"])
    section = section_of(police_report, "disclosure")
    Section.objects.filter(pk=section.pk).update(unit=clerk.memberships.get().unit)
    section.refresh_from_db()
    return section


def edit(client, section, text, *, base_version=None, submit=False):
    data = {"base_version": str(section.version if base_version is None else base_version), "f-text": text}
    if submit:
        data["submit"] = "1"
    return client.post(reverse("reports:section_edit", args=[section.pk]), data, follow=True)


def flashes(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def test_the_edit_page_offers_submit_to_its_writer_only(client, clerk, coordinator, leader, narrative):
    client.force_login(clerk)
    page = client.get(reverse("reports:section_edit", args=[narrative.pk])).content.decode()
    assert "保存并提交审核" in page
    assert "提交前须解决：还有未解决的问题" in page  # the workflow's own refusal for the empty text


def test_save_and_submit_submits_through_the_workflow(client, clerk, narrative):
    client.force_login(clerk)
    response = edit(client, narrative, "预决算已按要求公开。", submit=True)
    narrative.refresh_from_db()
    assert narrative.state == State.SUBMITTED and narrative.version == 1 and narrative.submitted_version == 1
    assert response.redirect_chain[-1][0] == reverse("reports:section_detail", args=[narrative.pk])
    (level, message), = flashes(response)
    assert level == "success" and "已保存并提交审核（第 1 版）" in message and "待领导小组审核" in message
    assert TransitionLog.objects.filter(object_id=narrative.pk, action="submit", actor=clerk).count() == 1


def test_a_blocked_submit_saves_and_names_the_reasons(client, clerk, narrative):
    client.force_login(clerk)
    response = edit(client, narrative, "引用了{不存在的数}。", submit=True)
    narrative.refresh_from_db()
    assert narrative.state == State.DRAFT and narrative.version == 1  # saved, not submitted
    assert response.redirect_chain[-1][0] == reverse("reports:section_edit", args=[narrative.pk])
    (level, message), = flashes(response)
    assert level == "error" and "已保存为第 1 版，但未提交" in message and "不存在的数" in message


def test_a_submit_after_the_deadline_is_refused_by_the_guard(client, clerk, narrative):
    cycle = narrative.report.cycle
    cycle.due_on = timezone.localdate() - timedelta(days=1)
    cycle.save(update_fields=["due_on"])
    client.force_login(clerk)
    response = edit(client, narrative, "预决算已按要求公开。", submit=True)
    (level, message), = flashes(response)
    assert level == "error" and "已过截止日期" in message
    narrative.refresh_from_db()
    assert narrative.state == State.DRAFT


def test_an_unchanged_form_submits_without_a_new_revision(client, clerk, narrative):
    client.force_login(clerk)
    edit(client, narrative, "预决算已按要求公开。")
    narrative.refresh_from_db()
    edit(client, narrative, "预决算已按要求公开。", submit=True)
    narrative.refresh_from_db()
    assert narrative.state == State.SUBMITTED and narrative.version == 1


def test_a_save_says_the_next_step_and_errors_are_not_green(client, clerk, narrative):
    client.force_login(clerk)
    (level, message), = flashes(edit(client, narrative, "预决算已按要求公开。"))
    assert level == "success" and "下一步：点“保存并提交审核”" in message
    narrative.refresh_from_db()
    (level, message), = flashes(edit(client, narrative, ""))
    assert level == "error" and "已保存为第 2 版" in message and "改正后才能提交审核" in message


def test_a_second_click_on_submit_is_not_someone_else(client, clerk, narrative):
    client.force_login(clerk)
    edit(client, narrative, "预决算已按要求公开。")
    narrative.refresh_from_db()
    url = reverse("reports:section_act", args=[narrative.pk, "submit"])
    client.post(url, {"version": narrative.version}, follow=True)
    response = client.post(url, {"version": narrative.version}, follow=True)
    (level, message), = flashes(response)
    assert level == "info" and "您已于" in message and "提交审核" in message and "无需重复操作" in message
    assert "他人" not in message


def test_a_stale_tab_after_submit_keeps_the_typed_text_to_copy(client, clerk, narrative):
    client.force_login(clerk)
    edit(client, narrative, "预决算已按要求公开。", submit=True)
    response = edit(client, narrative, "旧标签页里补充的一段。", base_version=0)
    assert response.status_code == 409
    page = response.content.decode()
    assert "旧标签页里补充的一段。" in page and "复制我输入的内容" in page
    narrative.refresh_from_db()
    assert narrative.data["text"] == "预决算已按要求公开。"


def test_a_failed_save_checks_what_was_typed_not_the_last_saved(client, coordinator, police_report):
    budget = section_of(police_report, "overview")
    client.force_login(coordinator)
    response = client.post(reverse("reports:section_edit", args=[budget.pk]), {
        "base_version": "0", "f-input_unit": "wan", "f-initial": "十二", "f-text": "我写的说明",
        "explain:budget.execution_low": "我写的原因",
    })
    assert response.status_code == 400
    page = response.content.decode()
    live = page[page.index('id="live"'):]
    assert "填写错误" in live and "按您输入的内容" in live and "年初预算数" in live
    assert "我写的说明" in page and "msg-error" in page


def test_the_history_names_a_warning_in_chinese_not_by_its_code():
    from reports.annual.diff import describe
    from reports.findings import topic

    flat = describe("three_public", {"explanations": {"three_public.no_budget": "待财务补录。",
                                                      "statistics.stated.化解率": "原文截断。",
                                                      "some.new_code": "说明"}})
    labels = [label for label in flat if label.startswith("提醒说明")]
    assert labels == ["提醒说明（未填写“三公”经费本年预算数）", "提醒说明（「化解率」原文数据与计算不符）", "提醒说明（提醒）"]
    assert topic("quarterly.implausible.actual.12") == "指标数值超出合理范围"


def test_the_history_page_shows_no_finding_codes(client, coordinator, police_report):
    three_public = section_of(police_report, "three_public")
    client.force_login(coordinator)
    client.post(reverse("reports:section_edit", args=[three_public.pk]), {
        "base_version": "0", "f-input_unit": "yuan", "f-note": "", "explain:three_public.no_budget": "待补录。",
        **{f"f-{item}__actual": "0" for item in ("abroad", "reception", "vehicle_purchase", "vehicle_operation")},
    })
    page = client.get(reverse("reports:section_history", args=[three_public.pk])).content.decode()
    assert "提醒说明（未填写“三公”经费本年预算数）" in page and "three_public." not in page
