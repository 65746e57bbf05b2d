"""Bad parameters are a 4xx with a Chinese message, never a 500; a posted ``next`` never leaves the site."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.models import Section
from tests.factories import section_of
from workflow.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_clerk(client, clerk):
    client.force_login(clerk)
    return client


def test_a_non_numeric_cycle_on_the_progress_page_is_a_400(client, finance_admin, cycle):
    client.force_login(finance_admin)
    response = client.get(reverse("reports:progress"), {"cycle": "abc"})
    assert response.status_code == 400 and "评价周期" in response.content.decode()


def test_a_non_numeric_notification_id_is_a_400(as_clerk):
    response = as_clerk.post(reverse("reports:notification_read"), {"id": "abc"})
    assert response.status_code == 400 and "通知" in response.content.decode()


def test_a_non_numeric_base_version_is_a_400_not_a_500(as_clerk, ready_section):
    response = as_clerk.post(reverse("reports:section_edit", args=[ready_section.pk]),
                             {"base_version": "abc", "f-text": "x"})
    assert response.status_code == 400 and "版本" in response.content.decode()


def test_a_non_numeric_unit_on_assign_is_a_400(client, coordinator, ready_section):
    client.force_login(coordinator)
    response = client.post(reverse("reports:section_assign", args=[ready_section.pk]), {"unit": "abc"})
    assert response.status_code == 400 and "单位" in response.content.decode()


def test_a_non_numeric_preview_is_a_400(client, clerk, demo):
    from reports.quarterly.demo import demo_quarters_load

    demo_quarters_load()
    from reports.models import QuarterlyReport

    report = QuarterlyReport.objects.filter(unit__code="CG-GAFJ-CGPCS").first() or QuarterlyReport.objects.first()
    client.force_login(clerk)
    response = client.post(reverse("reports:quarterly_upload_confirm", args=[report.pk]), {"preview": "abc"})
    assert response.status_code in (400, 404)
    assert response.status_code != 500


@pytest.mark.parametrize("target", ["dashboard", "https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_a_workflow_action_never_redirects_off_site_or_to_a_bare_word(as_clerk, ready_section, target):
    response = as_clerk.post(reverse("reports:section_act", args=[ready_section.pk, "submit"]),
                             {"version": ready_section.version, "next": target})
    assert response.status_code == 302 and response.url == ready_section.get_absolute_url()


def test_a_bulk_approval_never_redirects_off_site(client, finance_reviewer, police_report):
    client.force_login(finance_reviewer)
    response = client.post(reverse("reports:report_finance_approve_ready", args=[police_report.pk]),
                           {"next": "https://evil.example/"})
    assert response.status_code == 302 and not response.url.startswith("https://evil")


def test_a_notification_never_redirects_off_site(as_clerk, clerk):
    note = Notification.objects.create(user=clerk, title="t", body="b", url="/", key="k")
    response = as_clerk.post(reverse("reports:notification_read"), {"id": note.pk, "next": "//evil.example/"})
    assert response.status_code == 302 and response.url == reverse("reports:notification_list")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "reports:export_detail"])
def test_a_refused_export_never_redirects_off_site(client, outsider, target):
    client.force_login(outsider)
    response = client.post(reverse("reports:export_request"),
                           {"kind": "quarter_summary", "year": "2021", "quarter": "9", "next": target})
    assert response.status_code == 302 and response.url == reverse("reports:export_list")


@pytest.mark.parametrize("field", ["year", "quarter", "report"])
def test_non_numeric_export_parameters_are_a_400(client, finance_admin, demo, field):
    client.force_login(finance_admin)
    kind = "report_docx" if field == "report" else "quarter_summary"
    data = {"kind": kind, "year": "2021", "quarter": "2", "report": "1"} | {field: "abc"}
    response = client.post(reverse("reports:export_request"), data)
    assert response.status_code == 400


def test_the_section_list_survives_a_deleted_last_editor(as_clerk, ready_section):
    ghost = get_user_model().objects.create_user("ghost")
    Section.objects.filter(pk=ready_section.pk).update(last_edited_by=ghost)
    other = section_of(ready_section.report, "disclosure")
    assert other.pk == ready_section.pk
    ghost.delete()
    response = as_clerk.get(reverse("reports:section_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("query", [{"year": "abc"}, {"quarter": "x"}, {"year": "9" * 40}])
def test_bad_filters_on_the_quarterly_list_are_a_400(as_clerk, query):
    response = as_clerk.get(reverse("reports:quarterly_list"), query)
    assert response.status_code == 400 and "参数" in response.content.decode()


def test_good_filters_on_the_quarterly_list_still_work(as_clerk):
    assert as_clerk.get(reverse("reports:quarterly_list"), {"year": "2021", "quarter": "3"}).status_code == 200


def test_pages_survive_a_deleted_author_granter_and_submitter(client, clerk, finance_admin, ready_section):
    from datetime import timedelta

    from reports.annual.services import extension_grant
    from reports.models import SectionRevision

    ghost = get_user_model().objects.create_user("ghost2")
    SectionRevision.objects.filter(section=ready_section).update(author=ghost)
    Section.objects.filter(pk=ready_section.pk).update(submitted_by=ghost)
    cycle = ready_section.report.cycle
    extension_grant(cycle=cycle, department=ready_section.report.department, due_on=cycle.due_on + timedelta(days=3),
                    reason="测试", actor=finance_admin)
    cycle.extensions.update(granted_by=ghost)
    ghost.delete()
    client.force_login(finance_admin)
    assert client.get(reverse("reports:section_detail", args=[ready_section.pk])).status_code == 200
    for url in (reverse("reports:section_history", args=[ready_section.pk]),
                reverse("reports:cycle_detail", args=[cycle.pk])):
        response = client.get(url)
        assert response.status_code == 200 and "已删除的用户" in response.content.decode(), url
