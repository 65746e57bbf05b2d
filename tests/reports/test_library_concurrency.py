"""Two finance admins' first edits of a frozen template version at once (PostgreSQL): one new version."""

import pytest

from departments.demo import demo_org_load
from reports.library import services
from reports.models import ReportTemplate
from tests.workflow.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_first_edits_of_a_frozen_version_share_one_new_version():
    from django.contrib.auth import get_user_model

    demo_org_load()
    admin = get_user_model().objects.get(username="fin_admin")
    template = services.template_install_generic()
    ReportTemplate.objects.filter(pk=template.pk).update(is_frozen=True)

    def add(title: str):
        return lambda: services.node_add(template=ReportTemplate.objects.get(pk=template.pk), title=title,
                                         actor=get_user_model().objects.get(pk=admin.pk))

    results = race(add("甲"), add("乙"))
    assert not [r for r in results if isinstance(r, Exception)], results
    versions = ReportTemplate.objects.filter(code=template.code).order_by("version")
    assert [v.version for v in versions] == [1, 2]
    assert set(versions[1].nodes.filter(title__in=["甲", "乙"]).values_list("title", flat=True)) == {"甲", "乙"}
