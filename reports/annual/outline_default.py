"""The default outline: the seed report's (2021 昆明市公安局呈贡分局), with its guidance prompts.

Each entry: (key, title, kind or "", guidance, (default unit kind, default unit name), children).
Numbers are not part of the titles: they are generated from the tree.
"""

from __future__ import annotations

from typing import NamedTuple


class Slot(NamedTuple):
    key: str
    title: str
    kind: str = ""
    guidance: str = ""
    unit: tuple[str, str] = ("", "")
    children: tuple[Slot, ...] = ()


FINANCE = ("internal_unit", "警务保障室")
POLITICAL = ("internal_unit", "政工室")


def _s(key: str, title: str, kind: str = "", guidance: str = "", unit: tuple[str, str] = FINANCE,
       children: tuple[Slot, ...] = ()) -> Slot:
    return Slot(key, title, kind, guidance, unit if kind else ("", ""), children)


DEFAULT_OUTLINE: tuple[Slot, ...] = (
    _s("basic", "基本情况", children=(
        _s("overview", "部门整体支出概况", "budget",
           "年度部门决算收支完成情况，包括收入构成、支出构成、年初预算完成率、当年收支平衡和年终结转结余情况等。"),
        _s("goals", "部门整体支出绩效目标", "",
           "主要包括区委、区政府或上级主管部门绩效考核的个性指标、预决算公开、存量资金管理、资产管理、三公经费控制、"
           "内部管理制度建设等的设定及完成情况，项目绩效总目标和阶段性目标完成情况及预期经济、社会效益等。", children=(
               _s("goal_list", "绩效目标", "list", "列出部门年度绩效目标，每条一项。"),
               _s("disclosure", "预决算公开", "narrative", "预算、决算是否按要求公开及公开时间、渠道。"),
               _s("idle_funds", "存量资金", "narrative", "财政存量资金的盘活、报送和年末存量情况。"),
               _s("assets", "资产管理情况", "narrative", "资产配置、使用、处置的制度与执行情况。"),
               _s("three_public", "“三公”经费支出情况", "three_public",
                  "因公出国（境）费、公务接待费、公务用车购置及运行维护费的上年决算、本年预算和本年决算。"),
               _s("internal_control", "内部管理制度建设", "narrative",
                  "内部管理制度建设等的设定及完成情况，项目绩效总目标和阶段性目标完成情况及预期经济、社会效益等。"),
           )),
        _s("implementation", "部门整体支出或项目实施情况分析", "",
           "主要包括资金到位、资金使用、资金管理、项目组织和项目管理情况分析等。", children=(
               _s("funds_arrival", "资金到位情况", "narrative", "预算资金到位数、上年结转和到位率。"),
               _s("funds_use", "资金使用情况", "narrative", "决算总支出及主要用途。"),
               _s("funds_management", "资金管理情况", "narrative", "财务管理制度、审批流程、专项资金管理。"),
               _s("funds_balance", "资金结余情况", "narrative", "年末结转结余及原因。"),
               _s("organisation", "组织和管理情况", "", children=(
                   _s("organisation_structure", "组织情况", "narrative", "内设机构、派出所、监管场所及归口管理。",
                      POLITICAL),
                   _s("management", "管理情况", "narrative", "绩效目标制定、预算执行中的管理和跟踪。"),
               )),
           )),
    )),
    _s("evaluation_work", "绩效评价工作情况", children=(
        _s("purpose", "绩效评价目的", "narrative", "自评的目的和依据。"),
        _s("process", "绩效评价工作过程", "", "主要包括前期准备、组织实施和分析评价等内容。", children=(
            _s("preparation", "前期准备", "narrative", "工作方案、工作小组、资料收集。"),
            _s("execution", "组织实施", "narrative", "评价方案、指标体系的确定。"),
            _s("analysis", "分析评价", "narrative", "数据核实、评价方法、打分和结论的形成。"),
        )),
    )),
    _s("results", "主要绩效及评价结论", children=(
        _s("economy", "经济性分析", children=(
            _s("budget_control", "预算控制情况", "narrative", "本年支出（含预算调整）与结余。"),
            _s("cost_saving", "成本节约情况", "narrative", "厉行节约、“三公”经费节约情况。"),
        )),
        _s("efficiency", "效率性分析", children=(
            _s("progress", "实施进度", "narrative", "预算执行进度。"),
            _s("quality", "完成质量", "narrative", "年度目标任务完成质量、资金使用合规性。"),
        )),
        _s("effectiveness", "效益性分析", "narrative", "年度目标任务完成的总体情况。", children=(
            _s("social", "社会效益", children=(
                _s("political_security", "全力维护政治安全稳定", "statistics", "情报信息、宣传、反恐防恐等。",
                   ("internal_unit", "国保大队")),
                _s("risk_prevention", "全力做好重大风险防范化解", "statistics",
                   "矛盾纠纷排查化解（化解率由排查数和化解数计算）、重点人员管控、金融风险。",
                   ("police_station", "城关派出所")),
                _s("crackdown", "始终保持严打高压态势", "statistics",
                   "立案、刑拘、打处等数据及同比（填写上年数，同比自动计算）。",
                   ("internal_unit", "刑侦大队"), children=(
                       _s("drugs", "严打涉毒违法犯罪", "statistics", "毒品案件、涉毒嫌疑人、缴获毒品。",
                          ("internal_unit", "禁毒大队")),
                   )),
                _s("public_order", "全力实现社会治安净化提质", "statistics", "治安案件、清查整治、平安小区建设。",
                   ("internal_unit", "治安大队")),
                _s("epidemic", "全力做好疫情防控工作", "statistics", "涉疫人员核查、重点场所管控。",
                   ("internal_unit", "指挥中心")),
                _s("foundation", "全力夯实基础管理工作", "statistics", "实有人口、行业场所、涉危涉枪涉爆管理。",
                   ("internal_unit", "治安大队")),
                _s("public_service", "持续释放便民利民红利", "statistics", "“一门通办”、印章备案、便民举措、盗抢险。",
                   ("police_station", "城关派出所")),
                _s("cop15", "坚决打好COP15安保维稳攻坚战", "statistics", "安保工程、警力投入。",
                   ("internal_unit", "指挥中心")),
            )),
            _s("economic", "经济效益", children=(
                _s("non_tax", "非税收入", "statistics", "非税收入征收及上缴国库情况。"),
                _s("losses_recovered", "挽回群众损失", "statistics", "止付冻结涉案账户和资金。",
                   ("internal_unit", "刑侦大队")),
            )),
        )),
        _s("indicators", "绩效指标完成情况及自评得分", "indicators",
           "按产出、效益、满意度逐项填写指标值、实际完成值和分值；未完成的须写明偏差原因。"),
    )),
    _s("prior_rectification", "上年评价发现问题整改情况", "rectification",
       "由上年问题整改台账生成：逐项说明整改情况，尚未销号的写明原因和下一步措施。"),
    _s("problems", "存在的问题", "list", "逐条列出存在的问题；需要整改的勾选“列为整改事项”。"),
    _s("suggestions", "有关建议", "list", "逐条列出改进建议。"),
    _s("other", "其他需要说明的问题", "narrative", "没有可填“无”。"),
)
