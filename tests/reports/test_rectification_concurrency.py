"""Two people acting at once on a rectification item (PostgreSQL): exactly one wins."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from departments.models import Department
from reports.models import RectificationItem
from reports.rectification import services
from tests.workflow.test_concurrency import race, slow_log_create
from workflow import services as wf
from workflow.models import TransitionLog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def fresh(pk: int) -> RectificationItem:
    return RectificationItem.objects.select_related("department", "unit").get(pk=pk)


@pytest.fixture
def submitted(demo, finance_reviewer, clerk) -> RectificationItem:
    item = services.item_raise_directly(department=Department.objects.get(code="CG-GAFJ"), year=2021,
                                        unit=Department.objects.get(code="CG-GAFJ-P01"), problem="台账不全",
                                        due_on=date(2022, 6, 30), actor=finance_reviewer)
    services.item_save(item=item, measures="措施", result="结果", due_on=item.due_on, unit=item.unit,
                       base_version=item.version, actor=clerk)
    item = fresh(item.pk)
    wf.submit(item=item, actor=clerk, version=item.version)
    return fresh(item.pk)


def test_two_leaders_approving_a_result_at_once_exactly_one_wins(submitted, leader, group_leader):
    pk, version = submitted.pk, submitted.version
    with slow_log_create():
        results = race(
            lambda: wf.leading_approve(item=fresh(pk), actor=leader, version=version),
            lambda: wf.leading_approve(item=fresh(pk), actor=group_leader, version=version),
        )
    assert sum(isinstance(r, TransitionLog) for r in results) == 1
    assert sum(isinstance(r, wf.AlreadyHandled) for r in results) == 1, results
    assert TransitionLog.objects.filter(object_id=pk, action="leading_approve").count() == 1


def test_a_proposal_confirmed_twice_at_once_is_confirmed_once(demo, coordinator):
    item = RectificationItem.objects.create(
        department=Department.objects.get(code="CG-GAFJ"), unit=Department.objects.get(code="CG-GAFJ-N04"),
        year=2021, source="problems", source_ref="problem:x", problem="进度慢", due_on=date(2022, 12, 31))
    results = race(lambda: services.item_confirm(item=fresh(item.pk), actor=coordinator),
                   lambda: services.item_confirm(item=fresh(item.pk), actor=coordinator))
    assert sum(isinstance(r, RectificationItem) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
