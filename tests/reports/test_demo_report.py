"""The demo 2021 report of the 呈贡分局: complete, rendered from data, checked, idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports import figures as fig
from reports.annual import checks
from reports.annual.demo import DEMO_TARGET, SECTION_DATA
from reports.annual.kinds import GENERATED_KINDS, KINDS
from reports.annual.kinds.base import fill_placeholders, paragraphs
from reports.annual.kinds.statistics import parse_stated_percent
from reports.annual.outline_default import DEFAULT_OUTLINE, Slot
from reports.library import outline_generic
from reports.models import EvaluationCycle, Report, Section, SectionRevision

pytestmark = pytest.mark.django_db


def _slot_keys(slots: tuple[Slot, ...]) -> set[str]:
    keys: set[str] = set()
    for slot in slots:
        # a generated slot (last year's 整改事项) has no section in the seed's report: 2020 had no items
        keys |= ({slot.key} if slot.kind and slot.kind not in GENERATED_KINDS else set()) | _slot_keys(slot.children)
    return keys


SLOT_KEYS = _slot_keys(DEFAULT_OUTLINE)
GENERIC_CODE, GENERIC_OUTLINE = outline_generic.GENERIC_CODE, outline_generic.GENERIC_OUTLINE


@pytest.fixture
def report(demo_report_loaded) -> Report:
    return Report.objects.get(cycle__year=2021, department__code="CG-GAFJ")


def _section(report: Report, key: str) -> Section:
    return report.sections.select_related("node", "unit").get(node__key=key)


def _ctx(report: Report) -> checks.CheckContext:
    return checks.context_for(report, checks.figure_sections(report))


def _rendered(report: Report, key: str) -> str:
    section = _section(report, key)
    spec = KINDS[section.kind]
    values = spec.figures(section.data, spec.compute(section.data)) | _ctx(report).report_figures
    return "\n".join(fill_placeholders(p, values) for p in paragraphs(section.data.get("text", "")))


def _findings(report: Report, key: str) -> list[checks.Finding]:
    section = _section(report, key)
    return checks.section_findings(section.kind, section.data, _ctx(report))


def _stated_findings(report: Report) -> dict[str, str]:
    ctx = _ctx(report)
    return {
        f.issue.code: f.issue.message
        for s in report.sections.all()
        for f in checks.section_findings(s.kind, s.data, ctx)
        if f.issue.code.startswith("statistics.stated.")
    }


def test_the_demo_data_covers_exactly_the_outlines_slots():
    assert set(SECTION_DATA) == SLOT_KEYS


def test_every_slot_is_filled_from_the_seed(report):
    from reports.review.demo import EXPLANATIONS

    sections = list(report.sections.select_related("node"))
    assert {s.node.key for s in sections} == SLOT_KEYS
    for section in sections:
        assert not KINDS[section.kind].is_empty(section.data), section.node.key
        # one revision from the seed, one more where the coordinator explained the seed's warnings
        expected = 2 if section.node.key in EXPLANATIONS else 1
        assert section.version == expected, section.node.key
        assert section.revisions.count() == expected, section.node.key


def test_the_cycle_covers_both_departments_and_the_other_report_stays_empty(report):
    cycle = EvaluationCycle.objects.get(year=2021)
    assert cycle.name == "2021年度部门整体支出绩效自评"
    assert (cycle.opens_on.isoformat(), cycle.due_on.isoformat()) == ("2022-01-10", "2022-03-31")
    assert cycle.launched_by.username == "fin_admin"
    assert set(cycle.departments.values_list("code", flat=True)) == {"CG-GAFJ", "CG-JTJ"}
    other = Report.objects.get(cycle=cycle, department__code="CG-JTJ")
    # the education bureau is no police bureau: it writes on the generic template
    assert other.template.code == GENERIC_CODE
    assert other.sections.count() == len(_slot_keys(GENERIC_OUTLINE))
    assert not other.sections.exclude(version=0).exists()


def test_budget_and_three_public_figures_render_from_exact_amounts(report):
    figures = _ctx(report).report_figures
    assert figures["预算.全年预算数"] == "37364.61"
    assert (figures["预算.执行率"], figures["预算.到位率"]) == ("100.00%", "100.00%")
    assert figures["三公.合计"] == "269.35"  # 0 + 1480 + 2692000 元 = 269.348 万元
    assert _section(report, "three_public").data["rows"]["reception"]["actual"] == "1480.00"
    assert _section(report, "overview").data["adjustment"] is None
    assert "本年下达预算指标收入37364.61万元，支出37364.61万元。" in _rendered(report, "overview")
    assert "到位率100.00%" in _rendered(report, "funds_arrival")
    assert "分局支出预算执行进度为100.00%" in _rendered(report, "progress")


def test_statistics_render_their_money_figures(report):
    assert "非税收入征收共计745.18万元" in _rendered(report, "non_tax")
    assert "冻结涉案资金5653.33万元" in _rendered(report, "losses_recovered")
    assert "赔付金额403763元，赔付率79.59%" in _rendered(report, "public_service")
    assert "缴获毒品99.71千克" in _rendered(report, "drugs")


def test_prior_year_counts_reproduce_the_seeds_change_where_the_seed_is_right(report):
    assert "刑拘刑侦治安类嫌疑人880人，同比上升57.99%" in _rendered(report, "crackdown")
    for section in report.sections.filter(kind="statistics"):
        for row in section.data["figures"]:
            if not row["stated_change"]:
                continue
            value, stated = Decimal(row["value"]), parse_stated_percent(row["stated_change"])
            closest = min(range(1, int(value)), key=lambda p: abs(fig.percent(fig.change(value, Decimal(p))) - stated))
            assert int(row["prior"]) == closest, row["name"]


def test_the_checks_flag_the_seeds_inconsistencies(report):
    assert _stated_findings(report) == {
        "statistics.stated.零发案占比": "「零发案占比」原文为 78.6%，按 零发案小区 ÷ 两区一村 计算应为 78.16%",
        "statistics.stated.打处": "「打处」原文为 93.34%，按 497 与上年 257 计算应为 93.39%",
    }
    # 426 vs 104 is 309.615…%: the seed's 309.61% is truncated, not a slip.
    assert "statistics.stated.涉网违法犯罪嫌疑人" not in _stated_findings(report)
    assert "占比达78.16%" in _rendered(report, "public_order")
    assert "打处497人，同比上升93.39%" in _rendered(report, "crackdown")
    assert "化解率为98.79%" in _rendered(report, "risk_prevention")


def test_no_integer_prior_gives_the_seeds_93_34_percent():
    assert all(fig.percent(fig.change(Decimal(497), Decimal(p))) != Decimal("93.34") for p in range(1, 497))


def test_no_section_has_errors_and_only_the_seeds_gaps_warn(report):
    sections = list(report.sections.select_related("node"))
    # the seed's two slips are errors, explained by the coordinator, so none counts as unresolved
    assert [s.node.key for s in sections if s.error_count] == []
    warned = {s.node.key: len([f for f in _findings(report, s.node.key) if not f.is_error]) for s in sections}
    assert {k: n for k, n in warned.items() if n} == {"three_public": 2}
    slips = {s.node.key: [f.issue.code for f in _findings(report, s.node.key) if f.is_error] for s in sections}
    assert {k: v for k, v in slips.items() if v} == {
        "crackdown": ["statistics.stated.打处"], "public_order": ["statistics.stated.零发案占比"],
    }
    assert all(f.explanation and not f.blocking for k in ("crackdown", "public_order") for f in _findings(report, k))
    # ... each explained by the coordinator, so none blocks submission
    assert [s.node.key for s in sections if s.warning_count] == []
    assert {f.issue.code for f in _findings(report, "three_public")} == {
        "three_public.no_budget", "three_public.no_prior",
    }


def test_the_indicator_table_scores_with_one_missed_target(report):
    assert _findings(report, "indicators") == []
    computed = KINDS["indicators"].compute(_section(report, "indicators").data)
    assert {k: g["weight"] for k, g in computed["groups"].items()} == {"产出": 50, "效益": 30, "满意度": 10}
    missed = [r for r in computed["rows"] if r["met"] is False]
    assert [(r["name"], r["score"]) for r in missed] == [("毒品刑事案件破获数", Decimal("9.33"))]
    assert missed[0]["reason"]
    assert computed["score"] == Decimal("88.33")
    assert all(r["note"] == DEMO_TARGET for r in computed["rows"])


def test_the_problem_is_a_tracked_item(report):
    (problem,) = _section(report, "problems").data["items"]
    assert (problem["track"], problem["owner"], problem["due"]) == (True, "警务保障室", "2022-12-31")
    assert len(_section(report, "suggestions").data["items"]) == 2
    assert len(_section(report, "goal_list").data["items"]) == 12


def test_sections_of_the_police_station_are_written_by_its_clerk(report):
    revisions = SectionRevision.objects.filter(section__report=report).select_related("author", "section__unit")
    by_unit = {(r.section.unit.name, r.author.username, r.on_behalf) for r in revisions}
    assert ("城关派出所", "clerk_cg", False) in by_unit
    for unit, author, on_behalf in by_unit:
        if unit == "城关派出所":
            assert (author, on_behalf) == ("clerk_cg", False)
        else:
            assert author == "coord_jwbz"
            assert on_behalf == (unit != "警务保障室")
