"""The 2021 report of the demo's second department, 呈贡区工商业联合会 (区工商联), on the generic template.

Demo data, written for the platform (no seed exists for it): figures are consistent with each other
(支出构成 = 执行数, indicator weights = the template's groups) so the checks have something real to say.
"""

from __future__ import annotations

from typing import Any


def _text(*lines: str) -> dict[str, Any]:
    return {"text": "\n".join(lines)}


def _items(*texts: str, track: bool = False, owner: str = "", due: str = "") -> dict[str, Any]:
    return {"items": [{"text": t, "track": track, "owner": owner, "due": due} for t in texts]}


def _indicator(level1: str, level2: str, name: str, nature: str, target: str, unit: str, actual: str,
               weight: str, reason: str = "") -> dict[str, str]:
    return {"level1": level1, "level2": level2, "name": name, "nature": nature, "target": target, "unit": unit,
            "actual": actual, "weight": weight, "manual_score": "", "reason": reason, "note": "演示数据"}


BUDGET = {
    "income_fiscal": "3856400.00", "income_other": None,
    "initial": "3620000.00", "adjustment": "236400.00",
    "received": "3856400.00", "executed": "3781250.36", "carried_over": "0.00", "year_end_balance": "75149.64",
    "personnel": "2614300.00", "public_use": "412950.36", "project": "754000.00",
    "text": "2021年区工商联年初预算{年初预算数}万元，年中追加{预算调整数}万元，全年预算{全年预算数}万元；全年支出{执行数}万元，"
            "预算执行率{执行率}。年末结转结余{年末结转结余}万元，为民营企业服务项目尾款。",
}

THREE_PUBLIC = {
    "rows": {
        "abroad": {"prior": "0.00", "budget": "0.00", "actual": "0.00"},
        "reception": {"prior": "6820.00", "budget": "10000.00", "actual": "5460.00"},
        "vehicle_purchase": {"prior": "0.00", "budget": "0.00", "actual": "0.00"},
        "vehicle_operation": {"prior": "48300.00", "budget": "50000.00", "actual": "45120.00"},
    },
    "note": "2021年“三公”经费严格控制在预算以内，无因公出国（境）和公务用车购置支出；公务接待按标准执行。",
}

INDICATORS = {"rows": [
    _indicator("产出", "数量", "走访服务民营企业数", "≥", "200", "家", "236", "10"),
    _indicator("产出", "数量", "民营经济政策宣讲场次", "≥", "12", "场", "15", "10"),
    _indicator("产出", "质量", "会员企业诉求办结率", "≥", "95", "%", "97.3", "10"),
    _indicator("产出", "时效", "预算执行进度", "≥", "95", "%", "98.05", "10"),
    _indicator("效益", "经济效益", "协助会员企业获得融资", "≥", "5000", "万元", "6120", "10"),
    _indicator("效益", "社会效益", "新发展会员数", "≥", "60", "家", "52", "10",
               reason="受疫情影响上半年集中发展会员活动暂停，新发展会员52家；改进措施：下半年起按乡镇（街道）商会分片发展。"),
    _indicator("效益", "可持续影响", "商会组织规范化建设达标率", "≥", "80", "%", "85", "10"),
    _indicator("满意度", "服务对象满意度", "会员企业满意度", "≥", "90", "%", "93.5", "10"),
]}

SECTION_DATA: dict[str, dict[str, Any]] = {
    "functions": _text(
        "区工商联是党领导的以非公有制企业和非公有制经济人士为主体的人民团体和商会组织，主要职责是促进非公有制经济健康发展和"
        "非公有制经济人士健康成长。",
        "机关内设办公室、会员联络部、经济服务部，行政编制12名，实有11人；所属乡镇（街道）商会10个，行业商会6个。"),
    "overview": BUDGET,
    "three_public": THREE_PUBLIC,
    "goal_list": _items("开展“万企兴万村”等助企活动，走访服务民营企业不少于200家。",
                        "组织民营经济政策宣讲不少于12场，推动惠企政策落地。",
                        "新发展会员企业不少于60家，推进商会规范化建设。"),
    "goal_setting": _text("年度绩效目标依据区委、区政府工作要点和本会职能设定，细化为产出、效益、满意度三类8项指标。"),
    "purpose": _text("通过自评总结2021年部门整体支出的成效和不足，依据《项目支出绩效评价管理办法》（财预〔2020〕10号）开展。"),
    "process": _text("成立以主席为组长的自评工作小组，制定评价方案，收集预决算、台账和满意度调查资料，逐项打分形成结论。"),
    "conclusion": _text("经自评，区工商联2021年部门整体支出绩效综合得分见自评得分表，绩效目标总体完成。"),
    "decision": _text("绩效目标与部门职能和年度工作要点相符，指标细化量化；预算编制按人员、公用和项目分列，依据充分。"),
    "management": _text("全年预算执行率{预算.执行率}，资金使用符合财经纪律；预决算按规定公开，无存量资金；资产账实相符。"),
    "output": _text("全年走访服务民营企业236家，组织政策宣讲15场，会员企业诉求办结率97.3%。"),
    "benefit": _text("协助会员企业获得融资6120万元；新发展会员52家；会员企业满意度93.5%。"),
    "indicators": INDICATORS,
    "problems": _items("新发展会员数未达到年度目标。", "部分行业商会规范化建设滞后。", track=True, owner="会员联络部",
                       due="2022-12-31"),
    "suggestions": _items("按乡镇（街道）商会分片发展会员，建立会员发展台账。", "分批开展行业商会规范化建设评估。"),
    "other": _text("无。"),
}
