"""Writes of the 整改台账: raising items (from a report's sources or directly), confirming proposals,
saving progress (conflict-checked, through the workflow's one save), evidence, reminders.

The result then goes through the workflow's own transitions (submit → leading group → the finance
bureau's approval, which is the 销号, or a return); nothing here changes an item's state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from departments import permissions as perms
from departments.models import Department, Role
from departments.services import audit_record
from reports.annual import checks
from reports.annual import selectors as annual_selectors
from reports.annual.kinds import GENERATED_KINDS
from reports.annual.prior import prior_rows, prior_section_data
from reports.annual.services import default_unit, section_save
from reports.models import (
    RectificationEvidence,
    RectificationItem,
    RectificationRevision,
    RectificationSource,
    Report,
    ReportPublication,
    ResultApplication,
    Section,
)
from workflow.deadlines import OVERDUE_STATES, is_overdue
from workflow.guards import content_editable
from workflow.notifications import notify_users
from workflow.services import ContentLocked, submission_content_save

from . import candidates as cand

MAX_TEXT = 4000


def can_raise(user: AbstractBaseUser, department: Department) -> bool:
    """The department's coordinator and its finance reviewer (or the finance admin) raise items."""
    return (perms.can_coordinate(user, department) or perms.can_review_finance(user, department)
            or perms.can_administer(user))


def can_raise_directly(user: AbstractBaseUser, department: Department) -> bool:
    """The finance bureau raises an item of its own (not from the report)."""
    return perms.can_review_finance(user, department) or perms.can_administer(user)


def _check_unit(unit: Department, department: Department) -> None:
    if unit.pk != department.pk and unit.budget_department_id != department.pk:
        raise ValidationError({"unit": f"责任单位：「{unit.name}」不属于{department.name}。"})


def _check_texts(**texts: str) -> None:
    labels = {"problem": "问题", "measures": "整改措施", "result": "整改结果"}
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            raise ValidationError({name: f"{labels[name]}：不能超过 {MAX_TEXT} 字。"})
    if "problem" in texts and not texts["problem"].strip():
        raise ValidationError({"problem": "问题：请写明需要整改的问题。"})


@dataclass(frozen=True)
class Raise:
    department: Department
    year: int
    source: str
    problem: str
    unit: Department
    due_on: date
    ref: str = ""
    report: Report | None = None
    proposed: bool = False


def _create(spec: Raise, actor: AbstractBaseUser) -> RectificationItem:
    _check_unit(spec.unit, spec.department)
    _check_texts(problem=spec.problem)
    now = timezone.now()
    item = RectificationItem(
        department=spec.department, unit=spec.unit, year=spec.year, report=spec.report, source=spec.source,
        source_ref=spec.ref, problem=spec.problem.strip(), due_on=spec.due_on, raised_by=actor,
        confirmed_at=None if spec.proposed else now, confirmed_by=None if spec.proposed else actor,
    )
    item.full_clean(exclude=["version"])
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError({"source": "该来源已列为整改事项。"}) from None
    RectificationRevision.objects.create(item=item, number=0, author=actor, data={"problem": item.problem})
    what = "提出待确认的整改事项" if spec.proposed else "列为整改事项"
    audit_record(actor=actor, action="rectification.raise", target=item, department=spec.department,
                 summary=f"{what}（{item.get_source_display()}）：{item.problem[:60]}",
                 changes={"source": spec.source, "ref": spec.ref, "unit": spec.unit.name,
                          "due_on": spec.due_on.isoformat()})
    return item


@transaction.atomic
def item_raise_from_report(*, report: Report, source: str, ref: str, actor: AbstractBaseUser) -> RectificationItem:
    """One click on a candidate of the report: 存在的问题 become proposals, other sources items."""
    if not can_raise(actor, report.department):
        raise PermissionDenied("只有本部门的绩效联络员或财政审核员可以提出整改事项。")
    found = cand.candidate_find(report, source, ref)
    if found is None:
        raise ValidationError({"source": "找不到该问题来源，报告可能已经修改；请刷新后重试。"})
    if found.raised:
        raise ValidationError({"source": "该来源已列为整改事项。"})
    return _create(Raise(report.department, report.cycle.year, source, found.problem, found.unit, found.due_on,
                         ref, report, proposed=source == RectificationSource.PROBLEMS), actor)


@transaction.atomic
def item_raise_from_section(*, section: Section, problem: str, actor: AbstractBaseUser) -> RectificationItem:
    """The finance reviewer's own finding on a section (without returning it): the section's unit rectifies."""
    report = section.report
    if not can_raise_directly(actor, report.department):
        raise PermissionDenied("只有该部门的财政审核员或财政局管理员可以提出审核意见。")
    text = problem.strip()
    return _create(Raise(report.department, report.cycle.year, RectificationSource.FINDING, text, section.unit,
                         cand.default_due(report), cand.text_ref(f"finding:{section.pk}", text), report), actor)


@transaction.atomic
def problems_propose(*, report: Report, actor: AbstractBaseUser) -> list[RectificationItem]:
    """Every item of the report's 存在的问题 not yet raised becomes a proposal for the coordinator."""
    if not can_raise(actor, report.department):
        raise PermissionDenied("只有本部门的绩效联络员或财政审核员可以提出整改事项。")
    pending = [c for c in cand.report_candidates(report)
               if c.source == RectificationSource.PROBLEMS and not c.raised]
    return [_create(Raise(report.department, report.cycle.year, c.source, c.problem, c.unit, c.due_on, c.ref,
                          report, proposed=True), actor) for c in pending]


@transaction.atomic
def item_raise_directly(*, department: Department, year: int, unit: Department, problem: str, due_on: date,
                        actor: AbstractBaseUser) -> RectificationItem:
    """The finance bureau's own finding, outside the report."""
    if not can_raise_directly(actor, department):
        raise PermissionDenied("只有该部门的财政审核员或财政局管理员可以直接提出整改事项。")
    report = Report.objects.filter(department=department, cycle__year=year).order_by("-cycle_id").first()
    return _create(Raise(department, year, RectificationSource.FINANCE, problem, unit, due_on, report=report), actor)


@transaction.atomic
def item_confirm(*, item: RectificationItem, actor: AbstractBaseUser) -> RectificationItem:
    """The coordinator accepts a proposed item into the ledger (compare-and-swap on the proposal)."""
    if not perms.can_coordinate(actor, item.department):
        raise PermissionDenied("只有本部门的绩效联络员可以确认整改事项。")
    now = timezone.now()
    if not RectificationItem.objects.filter(pk=item.pk, confirmed_at__isnull=True).update(
            confirmed_at=now, confirmed_by=actor):
        raise ValidationError({"item": "该整改事项已被确认。"})
    item.refresh_from_db()
    audit_record(actor=actor, action="rectification.confirm", target=item, department=item.department,
                 summary=f"确认整改事项：{item.problem[:60]}")
    return item


@transaction.atomic
def item_discard(*, item: RectificationItem, reason: str, actor: AbstractBaseUser) -> None:
    """The coordinator drops a proposal that needs no rectification (with the reason, audited)."""
    if not perms.can_coordinate(actor, item.department):
        raise PermissionDenied("只有本部门的绩效联络员可以处理待确认的整改事项。")
    if not reason.strip():
        raise ValidationError({"reason": "理由：请写明不列为整改事项的理由。"})
    report = item.report or item.department
    if not RectificationItem.objects.filter(pk=item.pk, confirmed_at__isnull=True).delete()[0]:
        raise ValidationError({"item": "该整改事项已被确认，不能删除。"})
    audit_record(actor=actor, action="rectification.discard", target=report, department=item.department,
                 reason=reason.strip(), summary=f"不列为整改事项：{item.problem[:60]}")


@transaction.atomic
def item_save(*, item: RectificationItem, measures: str, result: str, due_on: date, unit: Department,
              base_version: int, actor: AbstractBaseUser) -> RectificationRevision:
    """The unit's progress (措施, 结果), only over the revision the form was loaded from; the
    整改时限 and the responsible unit change only by the coordinator or the finance bureau."""
    if not perms.can_edit_unit(actor, item.unit):
        raise PermissionDenied("您不能编辑该单位的整改事项。")
    _check_texts(measures=measures, result=result)
    if (due_on != item.due_on or unit.pk != item.unit_id) and not can_raise(actor, item.department):
        raise PermissionDenied("整改时限和责任单位只能由部门绩效联络员或财政局调整。")
    _check_unit(unit, item.department)
    return submission_content_save(item=item, changes={
        "measures": measures.strip(), "result": result.strip(), "due_on": due_on, "unit": unit,
    }, base_version=base_version, actor=actor)


@transaction.atomic
def evidence_add(*, item: RectificationItem, upload: UploadedFile, actor: AbstractBaseUser) -> RectificationEvidence:
    """Attach a file to the 整改结果 while the item is with its unit; audited on the item."""
    if not perms.can_edit_unit(actor, item.unit):
        raise PermissionDenied("您不能编辑该单位的整改事项。")
    if upload.size > settings.EVALSITE_UPLOAD_MAX_BYTES:
        raise ValidationError({"file": f"佐证材料：文件不能超过 {settings.EVALSITE_UPLOAD_MAX_BYTES // 1024 // 1024} MB。"})
    current = RectificationItem.objects.select_for_update().get(pk=item.pk)
    if not content_editable(current):
        raise ContentLocked(current.state_label)
    evidence = RectificationEvidence.objects.create(item=item, file=upload, name=upload.name[:200], size=upload.size,
                                                    uploaded_by=actor)
    audit_record(actor=actor, action="rectification.evidence", target=item, department=item.department,
                 summary=f"上传佐证材料「{evidence.name}」", changes={"evidence": evidence.pk, "size": evidence.size})
    return evidence


def _pending() -> QuerySet[RectificationItem]:
    return (RectificationItem.objects.filter(confirmed_at__isnull=False, state__in=list(OVERDUE_STATES))
            .select_related("unit", "department").order_by("unit_id", "due_on", "id"))


def _remind_unit(items: list[RectificationItem], left: int) -> int:
    unit = items[0].unit
    users = list(perms.users_holding(unit, frozenset({Role.CLERK, Role.COORDINATOR})))
    titles = "；".join(i.problem[:30] for i in items)
    return len(notify_users(
        users, f"整改事项还有 {left} 天到期", f"{unit.name}有 {len(items)} 项整改事项将于 {items[0].due_on:%Y-%m-%d} "
        f"到期，请按时报送整改结果：{titles}", items[0].get_absolute_url(),
        key=f"rect-remind:{unit.pk}:{items[0].due_on}:{left}",
    ))


def _escalate_department(items: list[RectificationItem], today: date) -> int:
    department = items[0].department
    users = list((perms.users_holding(department, frozenset({Role.LEADER}), group_leader_only=True)
                  | perms.finance_reviewers(department)
                  | perms.users_holding(department, frozenset({Role.COORDINATOR}))).distinct())
    late = "；".join(f"{i.unit.name}：{i.problem[:24]}（时限 {i.due_on:%Y-%m-%d}）" for i in items[:10])
    return len(notify_users(
        users, f"逾期整改：{department.name} {len(items)} 项整改事项已过整改时限",
        f"{late}{'……' if len(items) > 10 else ''}。请督促办理。",
        f"{reverse('reports:rectification_department', args=[department.pk])}?overdue=1",
        key=f"rect-overdue:{department.pk}:{today}",
    ))


def rectification_reminders_send(today: date, days_ahead: set[int]) -> tuple[int, int]:
    """(reminded, escalated): units N days before the 整改时限; the department's 组长, coordinator and
    finance reviewer once a day while items are overdue (the rule of workflow.deadlines)."""
    pending = list(_pending())
    by_unit_due: dict[tuple[int, date], list[RectificationItem]] = defaultdict(list)
    overdue: dict[int, list[RectificationItem]] = defaultdict(list)
    for item in pending:
        if (item.due_on - today).days in days_ahead:
            by_unit_due[(item.unit_id, item.due_on)].append(item)
        elif is_overdue(item.state, item.due_on, today):
            overdue[item.department_id].append(item)
    reminded = sum(_remind_unit(items, (due - today).days) for (_, due), items in by_unit_due.items())
    escalated = sum(_escalate_department(items, today) for items in overdue.values())
    return reminded, escalated


APPLICATION_FIELDS = ("grade", "budget_link", "amount", "percent", "circulated", "interview", "key_next_year", "note")


def _application_changes(before: ResultApplication | None, after: ResultApplication) -> dict[str, list[str]]:
    def shown(application: ResultApplication | None, name: str) -> str:
        value = getattr(application, name) if application else None
        return "" if value is None else str(value)

    return {name: [shown(before, name), shown(after, name)] for name in APPLICATION_FIELDS
            if shown(before, name) != shown(after, name)}


@transaction.atomic
def result_application_save(*, department: Department, year: int, values: dict[str, Any],
                            actor: AbstractBaseUser) -> ResultApplication:
    """The finance bureau records how the year's result is applied (one row per department and year,
    every change audited with its before and after)."""
    if not can_raise_directly(actor, department):
        raise PermissionDenied("只有该部门的财政审核员或财政局管理员可以记录评价结果应用。")
    current = ResultApplication.objects.select_for_update().filter(department=department, year=year).first()
    before = None if current is None else ResultApplication(**{n: getattr(current, n) for n in APPLICATION_FIELDS})
    application = current or ResultApplication(department=department, year=year)
    for name in APPLICATION_FIELDS:
        setattr(application, name, values.get(name, getattr(application, name)))
    application.recorded_by = actor
    application.full_clean()
    application.save()
    changes = _application_changes(before, application)
    audit_record(actor=actor, action="result_application.save", target=application, department=department,
                 summary=f"{'记录' if before is None else '修改'}{year}年度评价结果应用", changes=changes)
    return application


@transaction.atomic
def report_publish(*, report: Report, published_on: date, actor: AbstractBaseUser) -> ReportPublication:
    """Record the 公开版's publication date; only an approved report is published."""
    if not (perms.can_coordinate(actor, report.department) or can_raise_directly(actor, report.department)):
        raise PermissionDenied("只有本部门的绩效联络员或财政局可以记录报告公开。")
    refusal = publication_refusal(report)
    if refusal:
        raise ValidationError({"report": refusal})
    publication = ReportPublication.objects.create(report=report, published_on=published_on, recorded_by=actor)
    audit_record(actor=actor, action="report.publish", target=report, department=report.department,
                 summary=f"公开版于 {published_on:%Y-%m-%d} 公开", changes={"published_on": published_on.isoformat()})
    return publication


def publication_refusal(report: Report) -> str:
    """Why the report cannot be published yet ('' when every section is approved)."""
    status = annual_selectors.status_of(report, list(report.sections.all()))
    if status.is_final:
        return ""
    return f"报告尚未全部审定（已审定 {status.approved}/{status.total} 个章节），不能生成公开版。"


@transaction.atomic
def prior_section_generate(*, report: Report, actor: AbstractBaseUser) -> Section:
    """The report's section 上年评价发现问题整改情况: created from last year's items, or brought up to
    date (new items listed, the coordinator's notes kept) as a new revision."""
    if not perms.can_coordinate(actor, report.department):
        raise PermissionDenied("只有本部门的绩效联络员可以生成该章节。")
    rows = prior_rows(report)
    if not rows:
        raise ValidationError({"report": f"{report.cycle.year - 1}年度没有已确认的整改事项，无需生成该章节。"})
    node = report.template.nodes.filter(kind__in=list(GENERATED_KINDS)).first()
    if node is None:
        raise ValidationError({"report": "本报告所用模板没有“上年评价发现问题整改情况”栏目。"})
    section = report.sections.filter(node=node).first()
    if section is not None:
        if not content_editable(section):
            raise ValidationError({"report": f"该章节{section.get_state_display()}，不能更新；请先退回。"})
        return section_save(section=section, data=prior_section_data(rows, section.data),
                            base_version=section.version, actor=actor).section
    section = Section.objects.create(report=report, node=node, kind=node.kind, data=prior_section_data(rows),
                                     unit=default_unit(node, report.department))
    errors, warnings = checks.counts(checks.section_findings(section.kind, section.data,
                                                             checks.context_for(report, [])))
    Section.objects.filter(pk=section.pk).update(error_count=errors, warning_count=warnings)
    audit_record(actor=actor, action="section.generate", target=section, department=report.department,
                 summary=f"生成“上年评价发现问题整改情况”（{len(rows)} 项）")
    return section
