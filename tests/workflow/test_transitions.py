"""Each action: happy path, wrong source state, no permission, separation of duties, log row."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reports.models import DeadlineExtension, Section
from tests.factories import section_of
from tests.workflow.conftest import write_narrative
from workflow import services as wf
from workflow.models import Notification, TransitionLog
from workflow.states import State

pytestmark = pytest.mark.django_db


def submitted(section, clerk):
    wf.submit(item=section, actor=clerk, version=section.version)
    return section


def leading_approved(section, clerk, leader):
    submitted(section, clerk)
    wf.leading_approve(item=section, actor=leader, version=section.version)
    return section


def test_submit_moves_to_the_leading_group_and_logs(ready_section, clerk, leader, group_leader,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log = wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    ready_section.refresh_from_db()
    assert ready_section.state == State.SUBMITTED
    assert ready_section.submitted_by == clerk and ready_section.submitted_version == ready_section.version
    assert (log.action, log.from_state, log.to_state, log.actor, log.revision) == (
        "submit", "draft", "submitted", clerk, ready_section.version)
    assert log.department.code == "CG-GAFJ"
    notified = set(Notification.objects.filter(key=f"log:{log.pk}").values_list("user__username", flat=True))
    assert notified == {"leader_zz", "leader_cy"}


def test_submit_is_refused_with_blocking_errors(open_report, coordinator):
    budget = section_of(open_report, "overview")
    with pytest.raises(wf.TransitionRefused, match="还有未解决的问题"):
        wf.submit(item=budget, actor=coordinator, version=budget.version)
    assert not TransitionLog.objects.exists()


def test_submit_after_the_deadline_is_refused_with_the_date(ready_section, clerk):
    cycle = ready_section.report.cycle
    cycle.due_on = timezone.localdate() - timedelta(days=1)
    cycle.save()
    section = Section.objects.get(pk=ready_section.pk)
    with pytest.raises(wf.TransitionRefused, match=f"已过截止日期 {cycle.due_on:%Y-%m-%d}"):
        wf.submit(item=section, actor=clerk, version=section.version)


def test_an_extension_reopens_submission(ready_section, clerk, finance_admin):
    cycle = ready_section.report.cycle
    cycle.due_on = timezone.localdate() - timedelta(days=1)
    cycle.save()
    DeadlineExtension.objects.create(cycle=cycle, department=ready_section.report.department,
                                     due_on=timezone.localdate() + timedelta(days=3), reason="系统故障",
                                     granted_by=finance_admin)
    section = Section.objects.get(pk=ready_section.pk)
    wf.submit(item=section, actor=clerk, version=section.version)
    assert Section.objects.get(pk=section.pk).state == State.SUBMITTED


def test_submit_of_a_stale_version_is_refused(ready_section, clerk):
    seen = ready_section.version
    write_narrative(ready_section, clerk, "后来又改了一句。")
    stale = Section.objects.get(pk=ready_section.pk)
    with pytest.raises(wf.AlreadyHandled):
        wf.submit(item=stale, actor=clerk, version=seen)


def test_wrong_source_state_is_refused(ready_section, leader):
    with pytest.raises(wf.TransitionRefused, match="当前状态为「草稿」，不能领导小组审核通过"):
        wf.leading_approve(item=ready_section, actor=leader, version=ready_section.version)


def test_clerk_of_another_unit_cannot_submit(ready_section, outsider):
    with pytest.raises(PermissionDenied):
        wf.submit(item=ready_section, actor=outsider, version=ready_section.version)


def test_withdraw_by_the_submitter(ready_section, clerk):
    submitted(ready_section, clerk)
    wf.withdraw(item=ready_section, actor=clerk, version=ready_section.version)
    assert Section.objects.get(pk=ready_section.pk).state == State.DRAFT


def test_withdraw_by_someone_else_is_refused(ready_section, clerk, leader):
    submitted(ready_section, clerk)
    with pytest.raises(PermissionDenied):
        wf.withdraw(item=ready_section, actor=leader, version=ready_section.version)


def test_leading_return_needs_a_comment_and_notifies_the_clerk(ready_section, clerk, leader,
                                                               django_capture_on_commit_callbacks):
    submitted(ready_section, clerk)
    with pytest.raises(wf.TransitionRefused, match="须填写意见"):
        wf.leading_return(item=ready_section, actor=leader, version=ready_section.version, comment="  ")
    with django_capture_on_commit_callbacks(execute=True):
        log = wf.leading_return(item=ready_section, actor=leader, version=ready_section.version,
                                comment="补充公开网址。")
    assert Section.objects.get(pk=ready_section.pk).state == State.RETURNED
    note = Notification.objects.get(key=f"log:{log.pk}", user=clerk)
    assert "补充公开网址" in note.body


def test_nobody_approves_what_they_submitted(ready_section, coordinator, demo):
    from departments.models import Role
    from departments.services import membership_grant

    membership_grant(user=coordinator, unit=demo["CG-GAFJ"], role=Role.LEADER)
    wf.submit(item=ready_section, actor=coordinator, version=ready_section.version)
    with pytest.raises(wf.TransitionRefused, match="不能审核自己提交或最后编辑的内容"):
        wf.leading_approve(item=ready_section, actor=coordinator, version=ready_section.version)


def test_nobody_approves_what_they_last_edited(ready_section, clerk, coordinator, demo):
    from departments.models import Role
    from departments.services import membership_grant

    write_narrative(ready_section, coordinator, "联络员代录修改。")
    membership_grant(user=coordinator, unit=demo["CG-GAFJ"], role=Role.LEADER)
    wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    with pytest.raises(wf.TransitionRefused, match="最后编辑"):
        wf.leading_approve(item=ready_section, actor=coordinator, version=ready_section.version)


def test_group_leader_only_department(ready_section, clerk, leader, group_leader):
    department = ready_section.report.department
    department.leader_approval_by_group_leader_only = True
    department.save()
    submitted(ready_section, clerk)
    section = Section.objects.select_related("report__department").get(pk=ready_section.pk)
    with pytest.raises(PermissionDenied):
        wf.leading_approve(item=section, actor=leader, version=section.version)
    wf.leading_approve(item=section, actor=group_leader, version=section.version)


def test_acting_approver_may_approve(ready_section, clerk, outsider):
    from departments.services import acting_leader_grant

    acting_leader_grant(user=outsider, department=ready_section.report.department)
    submitted(ready_section, clerk)
    wf.leading_approve(item=ready_section, actor=outsider, version=ready_section.version)
    assert Section.objects.get(pk=ready_section.pk).state == State.LEADING_APPROVED


def test_finance_approval_waits_for_every_section(ready_section, clerk, leader, finance_reviewer):
    leading_approved(ready_section, clerk, leader)
    with pytest.raises(wf.TransitionRefused, match="还有 .* 个章节未通过领导小组审核"):
        wf.finance_approve(item=ready_section, actor=finance_reviewer, version=ready_section.version)


def test_finance_approval_without_the_gate(ready_section, clerk, leader, finance_reviewer,
                                          django_capture_on_commit_callbacks):
    cycle = ready_section.report.cycle
    cycle.require_leading_before_finance = False
    cycle.save()
    leading_approved(ready_section, clerk, leader)
    section = Section.objects.get(pk=ready_section.pk)
    with django_capture_on_commit_callbacks(execute=True):
        log = wf.finance_approve(item=section, actor=finance_reviewer, version=section.version)
    assert (log.from_state, log.to_state) == ("leading_approved", "approved")
    assert Notification.objects.filter(key=f"log:{log.pk}", user=clerk).exists()


def test_finance_return_and_resubmission_start_again_at_the_leading_group(ready_section, clerk, leader,
                                                                             finance_reviewer):
    leading_approved(ready_section, clerk, leader)
    wf.finance_return(item=ready_section, actor=finance_reviewer, version=ready_section.version, comment="数据来源?")
    write_narrative(ready_section, clerk, "补充了数据来源。")
    wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    assert Section.objects.get(pk=ready_section.pk).state == State.SUBMITTED


def test_only_the_assigned_finance_reviewer(ready_section, clerk, leader, finance_admin):
    leading_approved(ready_section, clerk, leader)
    with pytest.raises(PermissionDenied):
        wf.finance_return(item=ready_section, actor=finance_admin, version=ready_section.version, comment="x")


def test_reopen_by_the_finance_admin(ready_section, clerk, leader, finance_reviewer, finance_admin):
    cycle = ready_section.report.cycle
    cycle.require_leading_before_finance = False
    cycle.save()
    leading_approved(ready_section, clerk, leader)
    section = Section.objects.get(pk=ready_section.pk)
    wf.finance_approve(item=section, actor=finance_reviewer, version=section.version)
    with pytest.raises(PermissionDenied):
        wf.reopen(item=section, actor=finance_reviewer, version=section.version, comment="重开")
    wf.reopen(item=section, actor=finance_admin, version=section.version, comment="发现数据错误，重新打开。")
    assert Section.objects.get(pk=section.pk).state == State.RETURNED


def test_editing_is_refused_outside_draft_and_returned(ready_section, clerk):
    from workflow.services import ContentLocked

    submitted(ready_section, clerk)
    with pytest.raises(ContentLocked):
        write_narrative(Section.objects.get(pk=ready_section.pk), clerk, "审核中偷偷修改")
    assert Section.objects.get(pk=ready_section.pk).data["text"] == "预决算已按要求公开。"


def test_the_log_cannot_be_changed(ready_section, clerk):
    log = wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    log.comment = "改写历史"
    with pytest.raises(ValueError):
        log.save()
    with pytest.raises(ValueError):
        log.delete()


def test_email_goes_out_to_reviewers_with_an_address(ready_section, clerk, leader,
                                                      django_capture_on_commit_callbacks):
    leader.email = "leader@example.internal"
    leader.save()
    with django_capture_on_commit_callbacks(execute=True):
        wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    assert [m.to for m in mail.outbox] == [["leader@example.internal"]]
    assert "提交审核" in mail.outbox[0].subject


def test_the_actors_own_second_click_is_already_done_not_someone_else(ready_section, clerk):
    seen = Section.objects.get(pk=ready_section.pk)  # the second click's copy, read before the first landed
    wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    with pytest.raises(wf.AlreadyDone, match="无需重复操作"):
        wf.submit(item=seen, actor=clerk, version=seen.version)
    again = Section.objects.get(pk=ready_section.pk)
    with pytest.raises(wf.AlreadyDone):
        wf.submit(item=again, actor=clerk, version=again.version)
