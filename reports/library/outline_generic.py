"""The generic 部门整体支出绩效评价报告 outline, on the common indicator framework of 财预〔2020〕10号
(部门整体支出绩效评价共性指标框架: 决策 · 过程 · 产出 · 效益), for departments that are not police.

Same shape as ``reports.annual.outline_default``: (key, title, kind, guidance, default unit, children);
numbers are generated. Sections default to the department itself ("" unit), which its coordinator
reassigns to a unit on the report page.
"""

from __future__ import annotations

from reports.annual.outline_default import Slot

GENERIC_CODE = "department-general"
GENERIC_NAME = "部门整体支出绩效评价报告（通用）"
# 财预〔2020〕10号: 预算执行率 and the first-level indicators; bands 优 ≥90, 良 ≥80, 中 ≥60, 差 below.
GENERIC_SCORING = {"budget_execution": 20, "产出": 40, "效益": 30, "满意度": 10,
                   "grades": {"优": 90, "良": 80, "中": 60, "差": 0}}
OFFICE = ("internal_unit", "办公室")
DEPARTMENT = ("department", "")


def _s(key: str, title: str, kind: str = "", guidance: str = "", unit: tuple[str, str] = DEPARTMENT,
       children: tuple[Slot, ...] = ()) -> Slot:
    return Slot(key, title, kind, guidance, unit if kind else ("", ""), children)


GENERIC_OUTLINE: tuple[Slot, ...] = (
    _s("basic", "基本情况", children=(
        _s("functions", "部门职能及机构设置", "narrative",
           "部门主要职能、内设机构和下属单位、编制及实有人数、年度主要工作任务。", OFFICE),
        _s("overview", "部门整体支出概况", "budget",
           "年度部门决算收支完成情况：收入构成、支出构成（基本支出、项目支出）、年初预算、调整预算、执行数和年末结转结余。"),
        _s("three_public", "“三公”经费支出情况", "three_public",
           "因公出国（境）费、公务接待费、公务用车购置及运行维护费的上年决算、本年预算和本年决算。"),
    )),
    _s("goals", "部门整体支出绩效目标", children=(
        _s("goal_list", "年度绩效目标", "list", "列出部门年度总体目标和重点工作任务，每条一项。"),
        _s("goal_setting", "绩效目标设定情况", "narrative",
           "绩效目标是否依据部门职能和中长期规划设定，是否细化量化为可衡量的产出、效益和满意度指标。"),
    )),
    _s("evaluation_work", "绩效评价工作开展情况", children=(
        _s("purpose", "评价目的和依据", "narrative", "自评的目的、对象、范围和依据的文件。"),
        _s("process", "评价工作过程", "narrative", "前期准备、组织实施（评价方案、指标体系、数据采集）和分析评价。"),
    )),
    _s("conclusion", "综合评价结论", "narrative",
       "按评价指标体系逐项打分后的综合得分和等级（优、良、中、差），以及对部门整体支出绩效的总体结论。"),
    _s("analysis", "绩效分析", children=(
        _s("decision", "决策", "narrative", "绩效目标的合理性和明确性，预算编制的科学性、资金分配的合理性。"),
        _s("management", "过程", "narrative",
           "预算执行率、资金使用的合规性、预决算公开、存量资金、资产管理和内部管理制度的健全性及执行情况。"),
        _s("output", "产出", "narrative", "年度工作任务的数量、质量、时效和成本完成情况。"),
        _s("benefit", "效益", "narrative", "经济效益、社会效益、生态效益、可持续影响和服务对象满意度。"),
        _s("indicators", "绩效指标完成情况及自评得分", "indicators",
           "按产出、效益、满意度逐项填写指标值、实际完成值和分值；未完成的须写明偏差原因。"),
    )),
    _s("problems", "存在的问题", "list", "逐条列出存在的问题；需要整改的勾选“列为整改事项”。"),
    _s("suggestions", "有关建议", "list", "逐条列出改进建议。"),
    _s("other", "其他需要说明的问题", "narrative", "没有可填“无”。"),
)
