"""The whole review path of DESIGN §4 in the browser, 1366×768, on the demo report.

A 派出所 clerk fixes a section the leading group returned and submits it; a leader (not the
submitter) sees the diff, returns it again with a comment; the clerk fixes it; the 组长 approves;
the finance reviewer returns it once more, it goes round again, and the finance reviewer approves
the whole report with the bulk button on 我的待办. Every step of the path is a click; only the
other sections of the report are moved past the leading group in setup, through the services.
Screenshots are kept in tests/artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max

from departments.demo import POLICE, POLICE_STATIONS
from reports.models import Report, Section
from tests.browser import VIEWPORT, Session
from tests.replay import demo_report_replayed
from workflow import services as wf
from workflow.models import TransitionLog
from workflow.states import State
from workflow.transitions import Action

TITLE = "持续释放便民利民红利"
DEMO_LEADER_COMMENT = "请补充“一门通办”业务量的上年同期数"
LEADER_COMMENT = "请补充数据来源。"
FINANCE_COMMENT = "请写明盗抢险赔付率79.59%的分子和分母。"
FIX_1 = "赔付率按已赔付金额占应赔付金额计算。"
FIX_2 = "（数据来源：呈贡分局政务服务大厅业务系统年度统计。）"
FIX_3 = "赔付率79.59%为已赔付金额403763元占应赔付金额507304元的比例。"
APPROVALS = ("领导小组审核通过", "领导小组退回", "财政审核通过", "财政退回")


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _inbox_row(s: Session, title: str = TITLE) -> Any:
    rows = s.page.locator("main table.grid tbody tr")
    return rows.filter(has=s.page.get_by_role("link", name=title, exact=True))


def _panel(s: Session) -> Any:
    """The 审核 side panel of the section page."""
    return s.page.locator("aside.card").filter(has=s.page.locator("h3", has_text="审核"))


def _action_form(s: Session, action: str) -> Any:
    """The 审核 panel's one form; each action is a button posting to its own URL."""
    return s.page.locator("form.action-form").filter(has=s.page.locator(f"button[formaction$='/act/{action}/']"))


def _comment_of(row: Any) -> Any:
    """A returned item's comment, shown in the full-width row under it."""
    return row.locator("xpath=following-sibling::tr[1][contains(@class, 'comment-row')]").locator(".comment")


def _flash(s: Session, kind: str) -> Any:
    return s.page.locator(f"main .messages .msg-{kind}")


def _done(s: Session, action_label: str, to_label: str) -> None:
    """The success message of one action on the section under test."""
    from playwright.sync_api import expect

    expect(_flash(s, "success")).to_have_text(re.compile(rf"^已{action_label}：.*「{TITLE}」\s*→\s*{to_label}。?$"))


def _ready_row(s: Session) -> Any:
    """The police bureau's row of the finance reviewer's 待财政审核（按部门） table."""
    card = s.page.locator("main section.card").filter(has=s.page.locator("h2", has_text="待财政审核（按部门）"))
    return card.locator("table.grid tbody tr").filter(has=s.page.get_by_role("link", name=POLICE[1], exact=True))


def _state(section: Section) -> str:
    section.refresh_from_db()
    return section.state


def _no_page_overflow(s: Session) -> None:
    width = s.page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{s.page.url}: page is {width}px wide"


def _open_from_inbox(s: Session, state_label: str) -> None:
    """From 我的待办, open the section under test (listed once, in the expected state)."""
    from playwright.sync_api import expect

    s.inbox()
    row = _inbox_row(s)
    expect(row).to_have_count(1)
    expect(row.locator(".state")).to_have_text(state_label)
    row.get_by_role("link", name=TITLE, exact=True).click()
    expect(s.page.locator("main h1").first).to_contain_text(TITLE)


def _edit_text(s: Session, old: str, new: str, version_before: int) -> None:
    """On the edit page: replace `old` by `new` in the section's text and save."""
    from playwright.sync_api import expect

    page = s.page
    text = page.locator("textarea[name='f-text']")
    original = text.input_value()
    assert old in original, original
    text.fill(original.replace(old, new, 1))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(_flash(s, "success")).to_contain_text(f"已保存为第 {version_before + 1} 版")


def _submit_from_section_page(s: Session, section: Section) -> None:
    from playwright.sync_api import expect

    page = s.page
    page.locator("#section-form .actions").get_by_role("link", name="预览").click()
    expect(page.locator("main h1").first).to_contain_text(TITLE)
    expect(_panel(s).locator(".state")).to_have_text("已退回")
    _action_form(s, "submit").get_by_role("button", name="提交审核").click()
    _done(s, "提交审核", "待领导小组审核")
    expect(_panel(s).locator(".state")).to_have_text("待领导小组审核")
    assert _state(section) == State.SUBMITTED
    assert section.submitted_by.username == "clerk_cg"


def _clerk_sees_no_review_buttons(s: Session) -> None:
    from playwright.sync_api import expect

    panel = _panel(s)
    expect(panel).to_have_count(1)
    expect(panel.locator(".state")).to_be_visible()
    for label in APPROVALS:
        expect(panel.get_by_role("button", name=label)).to_have_count(0)


def _leading_approve_rest(report: Report, section: Section) -> int:
    """Setup: every other section not yet past the leading group gets there, through the services."""
    leader = _user("leader_zz")
    moved = 0
    for other in report.sections.exclude(pk=section.pk).exclude(
            state__in=[State.LEADING_APPROVED, State.APPROVED]).select_related("last_edited_by"):
        if other.state in (State.DRAFT, State.RETURNED):
            wf.submit(item=other, actor=other.last_edited_by, version=other.version)
            other.refresh_from_db()
        wf.leading_approve(item=other, actor=leader, version=other.version)
        moved += 1
    return moved


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_review_path_from_return_to_finance_approval(live_server, browser):
    from playwright.sync_api import expect

    demo_report_replayed()  # tests/replay.py
    report = Report.objects.select_related("cycle").get(cycle__year=2021, department__code=POLICE[0])
    report.cycle.require_leading_before_finance = True
    report.cycle.save(update_fields=["require_leading_before_finance"])
    section = Section.objects.select_related("unit").get(report=report, node__title=TITLE)
    assert section.unit.name == POLICE_STATIONS[0]
    assert section.state == State.RETURNED  # the demo's leading group returned it
    # Another section of the clerk's station, already past the leading group.
    station_ready = report.sections.filter(unit=section.unit, state=State.LEADING_APPROVED).first()
    assert station_ready is not None
    moved = _leading_approve_rest(report, section)
    assert moved == 10  # 5 waiting for the leaders, 2 drafts, 3 returned by the finance bureau
    total = report.sections.count()
    assert report.sections.exclude(state__in=[State.LEADING_APPROVED, State.APPROVED]).count() == 1
    logs_before = TransitionLog.objects.aggregate(last=Max("pk"))["last"] or 0

    clerk = Session(browser, live_server.url, "clerk_cg")
    leader = Session(browser, live_server.url, "leader_cy")
    group_leader = Session(browser, live_server.url, "leader_zz")
    reviewer = Session(browser, live_server.url, "fin_reviewer")
    cpage, lpage, gpage, fpage = clerk.page, leader.page, group_leader.page, reviewer.page

    # Nothing waits for the leaders yet.
    expect(_inbox_row(leader)).to_have_count(0)
    leader_unread = leader.badge()

    # 1. The clerk sees the return with the leader's comment on 我的待办 and fixes the text.
    row = _inbox_row(clerk)
    expect(row).to_have_count(1)
    expect(row.locator(".state")).to_have_text("已退回")
    expect(_comment_of(row)).to_contain_text(DEMO_LEADER_COMMENT)
    expect(_comment_of(row)).to_contain_text("赵卫东")
    expect(row.get_by_role("link", name="修改后重新提交")).to_be_visible()
    _no_page_overflow(clerk)
    shot_clerk_inbox = clerk.shot("workflow_1_clerk_inbox_returned.png")

    row.get_by_role("link", name=TITLE, exact=True).click()
    expect(cpage.locator("main h1").first).to_contain_text(TITLE)
    expect(_panel(clerk).locator(".state")).to_have_text("已退回")
    _clerk_sees_no_review_buttons(clerk)
    cpage.get_by_role("link", name="填写 / 修改").click()
    expect(cpage.locator("main > .comment")).to_contain_text("退回意见")
    expect(cpage.locator("main > .comment")).to_contain_text(DEMO_LEADER_COMMENT)
    expect(cpage.locator("main > .comment")).to_contain_text("领导小组退回")
    version = section.version
    _edit_text(clerk, "赔付率79.59%。", f"赔付率79.59%，{FIX_1}", version)
    section.refresh_from_db()
    assert section.version == version + 1 and FIX_1 in section.data["text"]
    assert section.state == State.RETURNED  # saving does not submit
    _submit_from_section_page(clerk, section)
    assert section.submitted_version == version + 1

    # 6. The clerk has no approval buttons, on this section or on one waiting for the finance bureau.
    _clerk_sees_no_review_buttons(clerk)
    expect(_action_form(clerk, "withdraw").get_by_role("button", name="撤回")).to_be_visible()
    expect(cpage.get_by_role("link", name="填写 / 修改")).to_have_count(0)
    cpage.goto(f"{live_server.url}{station_ready.get_absolute_url()}")
    expect(_panel(clerk).locator(".state")).to_have_text("待财政审核")
    _clerk_sees_no_review_buttons(clerk)
    expect(_panel(clerk)).to_contain_text("您在此状态下没有可执行的操作")

    # 2. The leader's 通知 badge went up; the leader opens the section from 我的待办 and sees the diff.
    leader.inbox()
    assert leader.badge() == leader_unread + 1
    _open_from_inbox(leader, "待领导小组审核")
    diff_card = lpage.locator("section.card").filter(has=lpage.locator("h2", has_text="与上次提交的差异"))
    expect(diff_card).to_be_visible()
    expect(diff_card).to_contain_text(f"对比第 {version} 版（上次提交）与第 {version + 1} 版")
    expect(diff_card.locator(".diff ins").filter(has_text=FIX_1[:6])).not_to_have_count(0)
    expect(_panel(leader)).to_contain_text("提交人 张明")
    diff_card.scroll_into_view_if_needed()
    shot_leader_diff = leader.shot("workflow_2_leader_review_diff.png")

    # A return without a comment is refused by the server; nothing changes.
    form = _action_form(leader, "leading_return")
    form.locator("textarea[name='comment']").fill("   ")
    form.get_by_role("button", name="领导小组退回").click()
    expect(_flash(leader, "error")).to_contain_text("领导小组退回须填写意见")
    expect(_flash(leader, "success")).to_have_count(0)
    assert _state(section) == State.SUBMITTED
    assert TransitionLog.objects.filter(action=Action.LEADING_RETURN, object_id=section.pk,
                                        revision=version + 1).count() == 0
    # With the comment.
    form = _action_form(leader, "leading_return")
    form.locator("textarea[name='comment']").fill(LEADER_COMMENT)
    form.get_by_role("button", name="领导小组退回").click()
    _done(leader, "领导小组退回", "已退回")
    expect(_panel(leader).locator(".state")).to_have_text("已退回")
    assert _state(section) == State.RETURNED
    expect(lpage.locator("ul.timeline li").filter(has_text="领导小组退回").filter(has_text=LEADER_COMMENT)
           ).to_have_count(1)
    leader.inbox()
    expect(_inbox_row(leader)).to_have_count(0)

    # 3. The clerk sees the new comment on 我的待办, fixes the text and submits again.
    clerk.inbox()
    row = _inbox_row(clerk)
    expect(row.locator(".state")).to_have_text("已退回")
    expect(_comment_of(row)).to_contain_text(LEADER_COMMENT)
    expect(_comment_of(row)).not_to_contain_text(DEMO_LEADER_COMMENT)
    row.get_by_role("link", name="修改后重新提交").click()
    expect(cpage.locator("main > .comment")).to_contain_text(LEADER_COMMENT)
    version = section.version
    _edit_text(clerk, "共计{办理业务}件。", f"共计{{办理业务}}件{FIX_2}", version)
    _submit_from_section_page(clerk, section)

    # 4. The 组长 approves it.
    group_unread = group_leader.badge()
    group_leader.inbox()
    assert group_leader.badge() > group_unread
    _open_from_inbox(group_leader, "待领导小组审核")
    expect(gpage.locator(".diff ins").filter(has_text="数据来源")).not_to_have_count(0)
    _action_form(group_leader, "leading_approve").get_by_role("button", name="领导小组审核通过").click()
    _done(group_leader, "领导小组审核通过", "待财政审核")
    assert _state(section) == State.LEADING_APPROVED
    clerk.page.reload()
    expect(_panel(clerk).locator(".state")).to_have_text("待财政审核")
    _clerk_sees_no_review_buttons(clerk)

    # 5. The finance reviewer returns it once; the report cannot be approved meanwhile.
    ready = report.sections.filter(state=State.LEADING_APPROVED).count()
    approved_before = report.sections.filter(state=State.APPROVED).count()
    assert ready + approved_before == total
    reviewer.inbox()
    ready_row = _ready_row(reviewer)
    expect(ready_row).to_contain_text(f"{ready} 可审定 · {approved_before} 已审定 / 共 {total}")
    _open_from_inbox(reviewer, "待财政审核")
    expect(_panel(reviewer).get_by_role("button", name="财政审核通过")).to_be_visible()
    form = _action_form(reviewer, "finance_return")
    form.locator("textarea[name='comment']").fill(FINANCE_COMMENT)
    form.get_by_role("button", name="财政退回").click()
    _done(reviewer, "财政退回", "已退回")
    assert _state(section) == State.RETURNED

    # The gate is closed again: no bulk button, and the reason is shown instead.
    reviewer.inbox()
    ready_row = _ready_row(reviewer)
    expect(ready_row).to_contain_text(f"{ready - 1} 可审定")
    expect(ready_row).to_contain_text("1 个未通过领导小组审核")
    expect(ready_row.get_by_role("button")).to_have_count(0)
    expect(ready_row).to_contain_text("待全部章节通过领导小组审核后可审定")
    assert report.sections.filter(state=State.APPROVED).count() == approved_before
    reviewer.shot("workflow_5a_finance_gate_closed.png")

    # Round again: the clerk resubmits (with a fix), leader_cy approves.
    clerk.inbox()
    row = _inbox_row(clerk)
    expect(_comment_of(row)).to_contain_text(FINANCE_COMMENT)
    expect(_comment_of(row)).to_contain_text("陈静")
    row.get_by_role("link", name=TITLE, exact=True).click()
    cpage.get_by_role("link", name="填写 / 修改").click()
    expect(cpage.locator("main > .comment")).to_contain_text("财政退回")
    version = section.version
    _edit_text(clerk, f"赔付率79.59%，{FIX_1}", f"{FIX_3}", version)
    _submit_from_section_page(clerk, section)
    _open_from_inbox(leader, "待领导小组审核")
    _action_form(leader, "leading_approve").get_by_role("button", name="领导小组审核通过").click()
    _done(leader, "领导小组审核通过", "待财政审核")
    assert _state(section) == State.LEADING_APPROVED

    # The bulk approval on 我的待办.
    reviewer.inbox()
    ready_row = _ready_row(reviewer)
    expect(ready_row).to_contain_text(f"{ready} 可审定 · {approved_before} 已审定 / 共 {total}")
    expect(_inbox_row(reviewer)).to_have_count(1)
    _no_page_overflow(reviewer)
    shot_finance_inbox = reviewer.shot("workflow_5_finance_inbox_ready.png")
    dialogs: list[str] = []
    fpage.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    ready_row.get_by_role("button", name=f"审定可审定的 {ready} 个章节").click()
    expect(_flash(reviewer, "success")).to_have_text(f"已审定 {ready} 个章节。")
    assert dialogs and f"将审定{POLICE[1]}的 {ready} 个章节" in dialogs[0]
    expect(_flash(reviewer, "error")).to_have_count(0)
    expect(_ready_row(reviewer)).to_have_count(0)  # fully approved: off the list
    expect(_inbox_row(reviewer)).to_have_count(0)

    assert report.sections.count() == total
    assert set(report.sections.values_list("state", flat=True)) == {State.APPROVED}
    ct = ContentType.objects.get_for_model(Section)
    walked = list(TransitionLog.objects.filter(content_type=ct, object_id=section.pk, pk__gt=logs_before)
                  .order_by("id").values_list("action", "actor__username", "comment"))
    assert walked == [
        (Action.SUBMIT, "clerk_cg", ""),
        (Action.LEADING_RETURN, "leader_cy", LEADER_COMMENT),
        (Action.SUBMIT, "clerk_cg", ""),
        (Action.LEADING_APPROVE, "leader_zz", ""),
        (Action.FINANCE_RETURN, "fin_reviewer", FINANCE_COMMENT),
        (Action.SUBMIT, "clerk_cg", ""),
        (Action.LEADING_APPROVE, "leader_cy", ""),
        (Action.FINANCE_APPROVE, "fin_reviewer", ""),
    ], walked
    bulk = TransitionLog.objects.filter(content_type=ct, object_id__in=report.sections.values("pk"),
                                        action=Action.FINANCE_APPROVE, pk__gt=logs_before)
    assert bulk.count() == ready and set(bulk.values_list("actor__username", flat=True)) == {"fin_reviewer"}

    # The progress page shows the department with every section approved.
    reviewer.nav("审核进度")
    expect(fpage.locator("main h1").first).to_contain_text("审核进度")
    progress_row = fpage.locator("table.progress-table tbody tr").filter(
        has=fpage.get_by_role("link", name=POLICE[1], exact=True))
    expect(progress_row).to_have_count(1)
    expect(progress_row.locator("td.num")).to_have_text(f"{total}/{total}")
    expect(progress_row.locator("span.dot")).to_have_count(total)
    expect(progress_row.locator("span.dot.approved")).to_have_count(total)
    expect(progress_row.locator("td.overdue")).to_have_count(0)
    counts = fpage.locator("main section.card p").first
    expect(counts).to_contain_text(re.compile(rf"已审定\s*{total}"))
    shot_progress = reviewer.shot("workflow_6_progress_all_approved.png")

    for shot in (shot_clerk_inbox, shot_leader_diff, shot_finance_inbox, shot_progress):
        assert shot.stat().st_size > 10_000, shot
    for s in (clerk, leader, group_leader, reviewer):
        s.close()
