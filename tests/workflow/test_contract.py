"""The workflow is generic: a test-only model (tests/workflow/submittable, no reports import) runs through
the whole transition table via the workflow services, saves through submission_content_save and is
checked by workflow.guards; its history is read by workflow.selectors."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from departments.models import Role
from departments.services import membership_grant
from tests.workflow.submittable.models import Memo
from workflow import selectors
from workflow import services as wf
from workflow.contract import Submittable
from workflow.guards import action_check, actions_for, can_edit
from workflow.models import TransitionLog
from workflow.states import State
from workflow.transitions import TRANSITIONS, Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def memo(demo):
    return Memo.objects.create(department=demo["CG-GAFJ"], unit=demo["CG-GAFJ-P01"])


def save(memo: Memo, actor, text: str) -> Memo:
    wf.submission_content_save(item=memo, changes={"text": text}, base_version=memo.version, actor=actor)
    return memo


def act(memo: Memo, action: str, actor, comment: str = "") -> TransitionLog:
    memo.refresh_from_db()
    kwargs = {"comment": comment} if TRANSITIONS[action].takes_comment else {}
    return wf.ACTION_SERVICES[action](item=memo, actor=actor, version=memo.version, **kwargs)


def offered(user, memo: Memo) -> set[str]:
    memo.refresh_from_db()
    return {c.action for c in actions_for(user, memo) if c.allowed}


def test_the_model_implements_the_contract(memo):
    assert isinstance(memo, Submittable)


def test_the_whole_transition_table(memo, clerk, coordinator, leader, finance_reviewer, finance_admin):
    save(memo, clerk, "第一稿")
    assert offered(clerk, memo) == {Action.SUBMIT} and offered(leader, memo) == set()
    act(memo, Action.SUBMIT, clerk)
    assert offered(clerk, memo) == {Action.WITHDRAW}
    assert offered(leader, memo) == {Action.LEADING_APPROVE, Action.LEADING_RETURN}
    act(memo, Action.WITHDRAW, clerk)
    act(memo, Action.SUBMIT, clerk)
    act(memo, Action.LEADING_RETURN, leader, "请补充。")
    save(memo, clerk, "第二稿")
    act(memo, Action.SUBMIT, clerk)
    act(memo, Action.LEADING_APPROVE, leader)
    assert offered(finance_reviewer, memo) == {Action.FINANCE_APPROVE, Action.FINANCE_RETURN}
    act(memo, Action.FINANCE_RETURN, finance_reviewer, "数据来源？")
    save(memo, coordinator, "第三稿")
    act(memo, Action.SUBMIT, clerk)
    act(memo, Action.LEADING_APPROVE, leader)
    act(memo, Action.FINANCE_APPROVE, finance_reviewer)
    assert offered(finance_admin, memo) == {Action.REOPEN}
    act(memo, Action.REOPEN, finance_admin, "发现错误。")

    memo.refresh_from_db()
    assert (memo.state, memo.version, memo.text) == (State.RETURNED, 3, "第三稿")
    history = selectors.item_history(memo)
    assert {log.action for log in history} == set(TRANSITIONS)  # every action of the table, logged
    assert [log.action for log in history][:3] == [Action.REOPEN, Action.FINANCE_APPROVE, Action.LEADING_APPROVE]
    assert all(log.department_id == memo.department_id for log in history)
    assert selectors.last_returns([memo])[memo.pk].comment == "发现错误。"
    assert [r.number for r in memo.revisions.order_by("number")] == [1, 2, 3]


def test_history_reads_for_any_submittable(memo, clerk, leader):
    save(memo, clerk, "一")
    act(memo, Action.SUBMIT, clerk)
    assert selectors.previous_submitted_revision(memo) is None
    act(memo, Action.LEADING_RETURN, leader, "改")
    save(memo, clerk, "二")
    act(memo, Action.SUBMIT, clerk)
    memo.refresh_from_db()
    assert selectors.previous_submitted_revision(memo) == 1
    assert selectors.last_returns([memo])[memo.pk].comment == "改"
    assert selectors.last_returns([]) == {}


def test_content_save_is_conflict_checked_and_locked_under_review(memo, clerk):
    save(memo, clerk, "一")
    with pytest.raises(wf.ContentConflict) as conflict:
        wf.submission_content_save(item=memo, changes={"text": "旧表单"}, base_version=0, actor=clerk)
    assert conflict.value.latest.number == 1
    act(memo, Action.SUBMIT, clerk)
    memo.refresh_from_db()
    assert not can_edit(clerk, memo)
    with pytest.raises(wf.ContentLocked):
        wf.submission_content_save(item=memo, changes={"text": "审核中"}, base_version=memo.version, actor=clerk)
    assert Memo.objects.get(pk=memo.pk).text == "一"


def test_the_guard_asks_the_items_hooks(memo, clerk, leader, finance_reviewer):
    save(memo, clerk, "一")
    Memo.objects.filter(pk=memo.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    memo.refresh_from_db()
    assert "已过截止日期" in action_check(clerk, memo, Action.SUBMIT).refused
    Memo.objects.filter(pk=memo.pk).update(due_on=None, problem="缺少附件")
    memo.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="缺少附件"):
        wf.submit(item=memo, actor=clerk, version=memo.version)
    Memo.objects.filter(pk=memo.pk).update(problem="", gate="等待其他事项")
    act(memo, Action.SUBMIT, clerk)
    act(memo, Action.LEADING_APPROVE, leader)
    memo.refresh_from_db()
    with pytest.raises(wf.TransitionRefused, match="等待其他事项"):
        wf.finance_approve(item=memo, actor=finance_reviewer, version=memo.version)
    with pytest.raises(PermissionDenied):
        wf.finance_approve(item=memo, actor=leader, version=memo.version)


def test_one_person_takes_one_review_stage_of_an_item(memo, demo, clerk, leader, finance_reviewer):
    """A leader who also holds the finance-reviewer role cannot finance-review what they leading-approved."""
    membership_grant(user=leader, unit=demo["CG-GAFJ"], role=Role.FINANCE_REVIEWER)
    save(memo, clerk, "一")
    act(memo, Action.SUBMIT, clerk)
    act(memo, Action.LEADING_APPROVE, leader)
    memo.refresh_from_db()
    check = action_check(leader, memo, Action.FINANCE_APPROVE)
    assert check.permitted and "两个审核环节须由不同的人完成" in check.refused
    for action in (Action.FINANCE_APPROVE, Action.FINANCE_RETURN):
        with pytest.raises(wf.TransitionRefused, match="不同的人"):
            act(memo, action, leader, "退回")
    assert Memo.objects.get(pk=memo.pk).state == State.LEADING_APPROVED
    act(memo, Action.FINANCE_RETURN, finance_reviewer, "请补充")
    # a new round: whoever leading-approves it now decides who may not finance-review it
    act(memo, Action.SUBMIT, clerk)
    act(memo, Action.LEADING_APPROVE, demo_user("leader_zz"))
    act(memo, Action.FINANCE_APPROVE, leader)
    assert Memo.objects.get(pk=memo.pk).state == State.APPROVED


def demo_user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_every_submittable_model_implements_every_hook():
    """A hook left out is an AttributeError on the first page that asks for it (a 500): every concrete
    ``Submission`` model defines each method the contract names."""
    from django.apps import apps

    from workflow.models import Submission

    hooks = [name for name, value in vars(Submittable).items() if callable(value) and not name.startswith("_")]
    models = [m for m in apps.get_models() if issubclass(m, Submission)]
    assert len(models) >= 4
    missing = {m.__name__: [h for h in hooks if not callable(getattr(m, h, None))] for m in models}
    assert {name: hooks for name, hooks in missing.items() if hooks} == {}
