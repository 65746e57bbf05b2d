"""Two people acting at once on PostgreSQL: exactly one wins; no unreviewed text under a reviewed state."""

import threading
import time
from collections.abc import Callable
from unittest import mock

import pytest
from django.db import connection

from reports.annual.services import section_save
from reports.models import Section, SectionRevision
from workflow import services as wf
from workflow.models import TransitionLog
from workflow.services import ContentLocked
from workflow.states import State

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls: Callable[[], object]) -> list[object]:
    """Start every call at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def slow_create(manager):
    """Hold the row lock a moment after the UPDATE, so the other thread has to wait on it."""
    original = manager.create

    def create(**kwargs):
        time.sleep(0.3)
        return original(**kwargs)

    return mock.patch.object(manager, "create", side_effect=create)


def slow_log_create():
    return slow_create(TransitionLog.objects)


def fresh(pk: int) -> Section:
    return Section.objects.select_related("report__cycle", "report__department", "unit", "node").get(pk=pk)


@pytest.fixture
def submitted_section(ready_section, clerk):
    wf.submit(item=ready_section, actor=clerk, version=ready_section.version)
    return fresh(ready_section.pk)


def test_two_leaders_approving_at_once_exactly_one_wins(submitted_section, leader, group_leader):
    pk, version = submitted_section.pk, submitted_section.version
    assert connection.vendor == "postgresql"
    with slow_log_create():
        results = race(
            lambda: wf.leading_approve(item=fresh(pk), actor=leader, version=version),
            lambda: wf.leading_approve(item=fresh(pk), actor=group_leader, version=version),
        )
    wins = [r for r in results if isinstance(r, TransitionLog)]
    losses = [r for r in results if isinstance(r, wf.AlreadyHandled)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "已被他人处理" in str(losses[0])
    assert TransitionLog.objects.filter(object_id=pk, action="leading_approve").count() == 1
    assert fresh(pk).state == State.LEADING_APPROVED


def test_approve_and_return_at_once_exactly_one_wins(submitted_section, leader, group_leader):
    pk, version = submitted_section.pk, submitted_section.version
    with slow_log_create():
        results = race(
            lambda: wf.leading_approve(item=fresh(pk), actor=leader, version=version),
            lambda: wf.leading_return(item=fresh(pk), actor=group_leader, version=version, comment="请修改"),
        )
    assert sum(isinstance(r, TransitionLog) for r in results) == 1, results
    assert sum(isinstance(r, wf.AlreadyHandled) for r in results) == 1, results
    assert TransitionLog.objects.filter(object_id=pk).exclude(action="submit").count() == 1


@pytest.mark.parametrize("slow", ["submit", "save"])
def test_a_save_racing_a_submit_never_leaves_unreviewed_text_submitted(ready_section, clerk, slow):
    pk, version = ready_section.pk, ready_section.version
    submitted_text = fresh(pk).data["text"]

    def do_submit():
        return wf.submit(item=fresh(pk), actor=clerk, version=version)

    def do_save():
        return section_save(section=fresh(pk), data={"text": "提交时又改的一句话。"}, base_version=version,
                            actor=clerk)

    with slow_create(TransitionLog.objects if slow == "submit" else SectionRevision.objects):
        results = race(do_submit, do_save)
    outcomes = {type(r).__name__ for r in results}
    section = fresh(pk)
    if section.state == State.SUBMITTED:
        # the submit won: the save was refused and the submitted text is the one reviewed
        assert any(isinstance(r, ContentLocked) for r in results), results
        assert section.data["text"] == submitted_text
        assert section.version == section.submitted_version == version
    else:
        # the save won: the submit was refused because the text changed under it
        assert any(isinstance(r, wf.AlreadyHandled) for r in results), results
        assert section.state == State.DRAFT and section.version == version + 1
    assert len(outcomes) == 2
