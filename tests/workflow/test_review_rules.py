"""One definition each (issue 9 §3–5): a department's due date, "overdue", a report's status; writes done
by services with an audit row; the action form; notifications read without a write in a GET."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from departments.selectors import audit_history
from reports.annual import selectors as annual_selectors
from reports.annual.services import attachment_add, extension_grant, template_copy
from reports.models import DeadlineExtension, Report, Section
from reports.review import selectors as review_selectors
from reports.review.services import notifications_mark_read, report_finance_approve_ready
from tests.factories import section_of
from workflow import services as wf
from workflow.deadlines import is_overdue
from workflow.models import Notification, TransitionLog
from workflow.services import ContentLocked
from workflow.states import State

pytestmark = pytest.mark.django_db


def test_every_extension_is_kept_and_the_latest_is_in_force(police_report, finance_admin, client):
    cycle, department = police_report.cycle, police_report.department
    first = extension_grant(cycle=cycle, department=department, due_on=cycle.due_on + timedelta(days=30),
                            reason="系统故障", actor=finance_admin)
    extension_grant(cycle=cycle, department=department, due_on=cycle.due_on + timedelta(days=10),
                    reason="改为十天", actor=finance_admin)
    assert DeadlineExtension.objects.filter(cycle=cycle, department=department).count() == 2
    assert DeadlineExtension.objects.get(pk=first.pk).reason == "系统故障"  # not overwritten
    due = cycle.due_on + timedelta(days=10)
    # the same date from the model, the report list annotation and the inbox annotation
    assert Report.objects.get(pk=police_report.pk).due_on() == due
    [annotated] = annual_selectors.with_status(Report.objects.filter(pk=police_report.pk))
    assert annual_selectors.report_status(annotated).due == due
    assert annual_selectors.with_due(Section.objects.filter(report=police_report)).first().due == due
    assert [e.action for e in audit_history(cycle)] == ["extension.grant", "extension.grant", "cycle.launch"]
    client.force_login(finance_admin)
    page = client.get(reverse("reports:cycle_detail", args=[cycle.pk])).content.decode()
    assert "系统故障" in page and "改为十天" in page and "已被此后的延期取代" in page


def test_an_extension_is_refused_before_the_cycle_deadline_and_for_others(police_report, finance_admin,
                                                                         finance_reviewer):
    from django.core.exceptions import ValidationError

    cycle = police_report.cycle
    with pytest.raises(ValidationError, match="须晚于周期截止日期"):
        extension_grant(cycle=cycle, department=police_report.department, due_on=cycle.due_on, reason="x",
                        actor=finance_admin)
    with pytest.raises(PermissionDenied):
        extension_grant(cycle=cycle, department=police_report.department, due_on=cycle.due_on + timedelta(days=1),
                        reason="x", actor=finance_reviewer)


@pytest.mark.parametrize(("state", "overdue"), [
    (State.DRAFT, True), (State.RETURNED, True), (State.SUBMITTED, True),
    (State.LEADING_APPROVED, False), (State.APPROVED, False),
])
def test_overdue_is_one_rule_for_items_lists_and_reports(police_report, state, overdue):
    today = timezone.localdate()
    cycle = police_report.cycle
    cycle.due_on = today - timedelta(days=1)
    cycle.save(update_fields=["due_on"])
    Section.objects.filter(report=police_report).update(state=State.APPROVED)
    section = section_of(police_report, "disclosure")
    Section.objects.filter(pk=section.pk).update(state=state)
    assert is_overdue(state, cycle.due_on, today) is overdue
    flagged = annual_selectors.with_due(Section.objects.filter(pk=section.pk)).get()
    assert flagged.is_overdue is overdue
    [report] = annual_selectors.with_status(Report.objects.filter(pk=police_report.pk))
    assert annual_selectors.report_status(report).is_overdue(today) is overdue


def test_a_reports_status_is_derived_from_its_sections(police_report):
    sections = Section.objects.filter(report=police_report)
    total = sections.count()
    sections.update(state=State.APPROVED)
    Section.objects.filter(pk=section_of(police_report, "disclosure").pk).update(state=State.LEADING_APPROVED)
    [report] = annual_selectors.with_status(Report.objects.filter(pk=police_report.pk))
    status = annual_selectors.report_status(report)
    assert (status.total, status.approved, status.ready, status.unapproved, status.is_final) == (
        total, total - 1, 1, 1, False)
    assert annual_selectors.status_of(police_report, list(sections)) == status
    sections.update(state=State.APPROVED)
    assert annual_selectors.status_of(police_report, list(sections)).is_final


def test_progress_marks_a_report_overdue_while_the_leading_group_still_owes_a_review(police_report,
                                                                                    finance_reviewer, client):
    cycle = police_report.cycle
    cycle.due_on = timezone.localdate() - timedelta(days=1)
    cycle.save(update_fields=["due_on"])
    sections = Section.objects.filter(report=police_report)
    sections.update(state=State.APPROVED)
    Section.objects.filter(pk=section_of(police_report, "disclosure").pk).update(state=State.SUBMITTED)
    client.force_login(finance_reviewer)
    response = client.get(reverse("reports:progress"), {"cycle": cycle.pk})
    [row] = [r for r in response.context["rows"] if r.report.pk == police_report.pk]
    assert row.is_overdue and row.status.approved == sections.count() - 1
    assert client.get(reverse("reports:progress"), {"cycle": "abc"}).status_code == 400


def test_an_attachment_is_a_service_with_an_audit_row_and_refused_under_review(ready_section, clerk):
    upload = SimpleUploadedFile("公开截图.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    attachment = attachment_add(section=ready_section, upload=upload, actor=clerk)
    [entry] = audit_history(ready_section)
    assert (entry.action, entry.actor, entry.changes["attachment"]) == ("attachment.add", clerk, attachment.pk)
    wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    with pytest.raises(ContentLocked):
        attachment_add(section=ready_section, actor=clerk,
                       upload=SimpleUploadedFile("b.pdf", b"%PDF", content_type="application/pdf"))
    assert ready_section.attachments.count() == 1


def test_copying_a_template_is_audited(police_report, finance_admin):
    template = police_report.template
    copy = template_copy(template=template, actor=finance_admin)
    [entry] = audit_history(copy)
    assert (entry.action, entry.actor, entry.changes) == ("template.copy", finance_admin, {"based_on": template.pk})


def test_bulk_finance_approval_is_a_service(ready_section, clerk, leader, finance_reviewer, finance_admin):
    cycle = ready_section.report.cycle
    cycle.require_leading_before_finance = False
    cycle.save(update_fields=["require_leading_before_finance"])
    wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    wf.leading_approve(item=ready_section, actor=leader, version=ready_section.version)
    report = ready_section.report
    with pytest.raises(PermissionDenied):
        report_finance_approve_ready(report=report, actor=finance_admin)
    result = report_finance_approve_ready(report=report, actor=finance_reviewer)
    assert (result.approved, result.failures, result.refused) == ([ready_section.node.title], [], "")
    assert Section.objects.get(pk=ready_section.pk).state == State.APPROVED


def test_the_action_form_validates_version_and_next(ready_section, clerk, client):
    client.force_login(clerk)
    url = reverse("reports:section_act", args=[ready_section.pk, "submit"])
    assert client.post(url, {"version": "abc"}).status_code == 400
    response = client.post(url, {"version": ready_section.version, "comment": "随手写的", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == ready_section.get_absolute_url()
    log = TransitionLog.objects.get(action="submit")
    assert log.comment == ""  # submitting takes no comment (the transition table says so)


def test_opening_a_section_does_not_mark_notifications_read_following_the_notification_does(
        ready_section, clerk, leader, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    note = Notification.objects.get(user=leader)
    client.force_login(leader)
    assert client.get(ready_section.get_absolute_url()).status_code == 200
    assert Notification.objects.get(pk=note.pk).read_at is None  # a GET writes nothing
    page = client.get(reverse("reports:notification_list")).content.decode()
    assert f'name="next" value="{note.url}"' in page
    response = client.post(reverse("reports:notification_read"), {"id": note.pk, "next": note.url})
    assert response.status_code == 302 and response["Location"] == note.url
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert client.post(reverse("reports:notification_read"), {"id": "abc"}).status_code == 400
    response = client.post(reverse("reports:notification_read"), {"next": "//evil.example/x"})
    assert response["Location"] == reverse("reports:notification_list")


def test_marking_read_touches_only_the_users_own_notifications(ready_section, clerk, leader, group_leader,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    other = Notification.objects.get(user=group_leader)
    assert notifications_mark_read(user=leader, pk=other.pk) == 0
    assert notifications_mark_read(user=leader) == 1
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_inbox_rows_carry_the_next_step_and_the_return_comment(ready_section, clerk, leader):
    wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    wf.leading_return(item=ready_section, actor=leader, version=ready_section.version, comment="补充网址")
    [row] = [r for r in review_selectors.inbox_rows(list(review_selectors.inbox_sections(clerk)))
             if r.section.pk == ready_section.pk]
    assert (row.next_label, row.next_url) == ("修改后重新提交", reverse("reports:section_edit", args=[ready_section.pk]))
    assert row.return_comment.comment == "补充网址"
