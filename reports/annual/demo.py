"""The 2021 cycle with the 呈贡分局's complete report, from the seed (``demo_report_fill``; the review
workflow is walked by ``reports.review.demo``).

The texts are the seed's (2021年度昆明市公安局呈贡分局整体支出绩效评价报告), one paragraph a
line; headings and their numbers come from the outline, and every figure the report
holds as data is cited by placeholder, so the checks can compare what the seed states
with what its own counts give. What the seed does not say (targets, 上年决算, the split
of 公务用车 costs) is marked as a demo assumption where it is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from departments.demo import OTHER, POLICE, POLICE_STATIONS
from departments.models import Department
from reports.library.selectors import templates_for
from reports.library.services import template_install_generic
from reports.models import EvaluationCycle, Report
from reports.targets.demo import demo_targets_load

from . import carry, checks
from .demo_prior import demo_prior_year_load
from .services import cycle_launch, section_save, template_install_default

YEAR = 2021
CYCLE_NAME = "2021年度部门整体支出绩效自评"
OPENS_ON = date(2022, 1, 10)
DUE_ON = date(2022, 3, 31)
CLERK = "clerk_cg"  # 城关派出所 填报员: writes the sections assigned to 城关派出所
COORDINATOR = "coord_jwbz"  # 警务保障室 联络员: everything else, on behalf of the unit (代录)
ADMIN = "fin_admin"
DEMO_TARGET = "演示目标值，种子报告未给出"


def _text(*lines: str) -> str:
    return "\n".join(lines)


def _narrative(*lines: str) -> dict[str, Any]:
    return {"text": _text(*lines)}


def _items(*texts: str) -> dict[str, Any]:
    return {"items": [{"text": t, "track": False, "owner": "", "due": ""} for t in texts]}


def _fig(name: str, unit: str, value: str, prior: str = "", stated: str = "", parent: str = "") -> dict[str, str]:
    return {"name": name, "unit": unit, "value": value, "prior": prior, "stated_change": stated, "parent": parent}


def _ratio(name: str, numerator: str, denominator: str, stated: str = "") -> dict[str, str]:
    return {"name": name, "numerator": numerator, "denominator": denominator, "stated": stated}


def _stats(lines: tuple[str, ...], figures: list[dict[str, str]], ratios: tuple[dict[str, str], ...] = ()
           ) -> dict[str, Any]:
    return {"text": _text(*lines), "figures": figures, "ratios": list(ratios)}


def _indicator(level1: str, level2: str, name: str, nature: str, target: str, unit: str, actual: str,
               weight: str, manual_score: str = "", reason: str = "") -> dict[str, str]:
    return {"level1": level1, "level2": level2, "name": name, "nature": nature, "target": target, "unit": unit,
            "actual": actual, "weight": weight, "manual_score": manual_score, "reason": reason,
            "note": DEMO_TARGET}


WAN_37364_61 = "373646100.00"  # 37364.61 万元 in 元

BUDGET = {
    "income_fiscal": WAN_37364_61, "income_other": None,
    # The seed gives only the adjusted total: it stands as 年初预算数, the adjustment stays blank.
    "initial": WAN_37364_61, "adjustment": None, "annual": WAN_37364_61, "income_total": WAN_37364_61,
    "received": WAN_37364_61, "executed": WAN_37364_61, "carried_over": "0.00", "year_end_balance": "0.00",
    "personnel": None, "public_use": None, "project": None,
    "text": _text(
        "根据昆明市呈贡区财政局《关于下达2021年部门预算批复的通知》（呈财行【2021】78）号、《关于下达2021年部门预算调整批复的通知》"
        "（呈财行【2021】152）号文件,我局2021年资金具体为:本年下达预算指标收入{全年预算数}万元，支出{执行数}万元。",
        "说明（演示数据）：原报告只给出调整后的全年预算数，未单列年初预算数和预算调整数，此处年初预算数按{全年预算数}万元填列，"
        "预算调整数空缺；原报告未列示其他收入及人员经费、公用经费、项目支出的构成，相应栏目暂空。",
    ),
}

THREE_PUBLIC = {
    "rows": {
        "abroad": {"prior": None, "budget": None, "actual": "0.00"},
        "reception": {"prior": None, "budget": None, "actual": "1480.00"},
        "vehicle_purchase": {"prior": None, "budget": None, "actual": "0.00"},
        "vehicle_operation": {"prior": None, "budget": None, "actual": "2692000.00"},
    },
    # The seed states the total as 269.35 万元: its exact parts give 269.348, so it matches (rounded).
    "stated_total": {"actual": "2693500.00"},
    "note": _text(
        "2021年区公安分局“三公”经费支出269.35万元，其中：因公出国（境）费用0元；公务接待费1480元；公务用车购置及运行维护费269.2万元。",
        "说明（演示假设）：原报告未分列公务用车购置费和运行维护费，此处将269.2万元全部计入公务用车运行维护费，购置费记为0；"
        "原报告未提供上年决算数和本年预算数，暂空。",
    ),
}

GOALS = _items(
    "依法预防、制止和侦查违法犯罪活动。",
    "维护社会稳定，维护社会治安秩序，制止危害社会治安秩序的行为。",
    "维护国家安全，确保社会稳定，保护人民，服务经济社会发展。",
    "管理枪支弹药、管制刀具和易燃易爆、剧毒、放射性等危险物品。",
    "管理集会、游行、示威活动，处置突发性案（事）件。",
    "管理计算机信息系统的安全保护工作。",
    "管理户政、国籍、出入境事务和外国人在境内旅行、居留的相关事务。",
    "警卫规定的特定人员，守卫重要场所和设施。",
    "对被判处管制、拘役、剥夺政治权利的罪犯和监外执行的罪犯执行刑罚，对被宣告缓刑、假释的罪犯实行监督、考察。",
    "领导区公安消防、警卫现役部队建设及消防工作。",
    "履行法律、法规规定的其他职责。",
    "承办呈贡区委、区政府和上级公安机关交办的其他事项。",
)

NARRATIVES = {
    "disclosure": _narrative("2021年分局的预算已经按要求在网上进行了公开，决算已经上报财政局待批复。"),
    "idle_funds": _narrative(
        "2021年呈贡公安分局积极盘活财政存量资金，加强资金管理，严格按照区财政局要求，于每月按时报送呈贡区财政存量资金相关报表及分析报告，"
        "争取盘活存量资金，加强资金管理。提高财政资金的使用效率,2021年度部门财政存量资金0元。"),
    "assets": _narrative(
        "为规范固定资产管理，实现固定资产的优化配置，在资产处置上，根据昆明市呈贡区财政局呈财资批复进行处置，使固定资产规范管理，"
        "提高资产实际使用率。"),
    "internal_control": _narrative(
        "昆明市公安局呈贡分局2021年部门预算绩效管理工作上严格按照下达的预算执行，严格按照《昆明市公安局呈贡分局财务管理规定》"
        "（昆公呈发〔2021〕36号）、《昆明市公安局呈贡分局专项资金管理规定》（昆公呈发〔2014〕17号 ）、《昆明市公安局呈贡分局专案经费"
        "管理设施细则（试行）》（昆公呈发〔2021〕100号 ）《昆明市公安局呈贡分局警用装备使用管理规定》、《呈贡公安分局固定资产管理办法"
        "（暂行）》等规定实现内部报告审批制度，实时监控支出情况；对于经费使用严格按照呈贡公安分局财务管理规定执行，涉及到采购的项目"
        "严格申报审批并按批复组织采购，所有支出符合国家财经法规和财务管理规定以及有关专项资金管理办法的规定,资金的拔付有完整的审批过程，"
        "支出符合部门预算批复用途，资金支付合规，无挤占、挪用、虚列情况。",
        "呈贡公安分局在区委、区政府和上级公安机关的坚强领导下，以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的十九大和十九届"
        "二中、三中、四中、五中全会精神，认真学习人民警察警旗授旗仪式上习近平总书记的训词精神、“七一”重要讲话精神，进一步增强“四个意识”，"
        "坚定“四个自信”，坚决做到“两个维护”，全力做好建党100周年和COP15大会安保维稳工作，进一步夯实基础工作、提升打防效能，净化社会环境，"
        "优化服务举措，确保辖区持续安全稳定。"),
    # The seed ends this one with "，"; a paragraph cannot.
    "funds_arrival": _narrative(
        "区财政2021年预算拨付资金{预算.资金到位数}万元,年结转{预算.上年结转}万元，到位率{预算.到位率}。"),
    "funds_use": _narrative(
        "2021年分局部门决算总支出{预算.执行数}万元，主要使用于基本工资、津贴补贴等人员经费、办公经费、印刷费、水电费、"
        "劳务费(辅警人员工资及保险)、伙食费、培训费、交通费，住房公积金及退休费、治安管理、国内安全保卫、刑事侦查、经济犯罪侦查、禁毒管理、"
        "网络运行及维护、羁押场所管理、疫情防控、COP15大会安保和其他公安支出。"),
    "funds_management": _narrative(
        "区公安分局对经费支出等严格进行规范；制定了《分局财务管理制度》，规定了资金收入管理办法、固定资产管理的相关办法及资金支付的审批流程。"
        "对会议费、差旅费、接待费等支出进行了严格规定。对专项经费管理以作出了相应规定，专项资金实行专项报告制度，严格按指定用途专款专用，"
        "保证专项任务和计划的完成。",
        "根据年初预算，区公安分局遵守《党政机关厉行节约反对浪费条例》及相关资金管理制度，在政府采购（特别是电子卖场）、公务卡管理、"
        "等方面取得了较为理想的效果。"),
    "funds_balance": _narrative("2021年结余为{预算.年末结转结余}万元。"),
    "organisation_structure": _narrative(
        "昆明市公安局呈贡分局下设指挥中心、政工室、纪检室、警务保障室、法制大队、国保大队、刑侦大队、治安大队、禁毒大队、经侦大队、"
        "网安大队、特警大队12个内设机构，城关派出所、龙街派出所、吴家营派出所、雨花派出所、石龙湖派出所、乌龙派出所、白龙潭派出所7个派出所,"
        "看守所、拘留所2个监管场所。对于各项目的管理，均由各归口队所进行相应的执行、监督、落实和考核，分局负责全程管理监督。"),
    "management": _narrative(
        "为了加强整体支出的绩效管理，绩效目标的制定方面，做到指标基本明确合理，并加以量化细化，为绩效的监督、跟踪考核打下了基础。"
        "预算执行过程中，建立健全各项管理制度，并严格按照相关制度执行。每季度，由区财政局组织对区公安分局绩效目标的落实和进展情况进行跟踪。"
        "项目完成，及时进行考核及总结，作为改进管理的借鉴。"),
    "purpose": _narrative(
        "对2021年年初预算绩效目标完成情况进行自检自查，根据自评指标体系，对资金的投入、管理、使用和产出情况是否达到预期目标进行自评。"),
    "preparation": _narrative(
        "制定了《昆明市公安局呈贡分局预算支出绩效自评工作方案》,成立由副区长、分局党委书记、局长任组长，分局党委委员、分管财务的副局长任"
        "副组长，各相关部门领导为成员的工作小组。搜集了与评价项目有关的法律、法规和制度，项目立项申报有关资料以及资金报告、项目预算申报书，"
        "专项资金管理办法等，确定了评价内容。"),
    "execution": _narrative(
        "一是根据评价计划结合工作实际制定组织实施方案、评价指标体系等具体评价方案。",
        "二是在支出绩效评价共性指标体系框架的基础上，认真结合年初预算批复的项目支出绩效指标，部门职责及项目特点，补充确定项目的绩效自评"
        "指标体系。"),
    "analysis": _narrative(
        "对相关资料进行数据汇总核实、分析，根据绩效评价对象的特点采用现场评价和非现场评价相结合的方法对绩效目标完成情况进行评价，"
        "核实了相关资金的使用流向和真实性。最后运用相关绩效评价方法对绩效完成情况进行综合分析、打分、形成评价结论。"),
    "budget_control": _narrative("本年支出(含预算调整)为{预算.执行数}万元，结余{预算.年末结转结余}万元。"),
    "cost_saving": _narrative(
        "部分年度项目预算资金，区公安分局本着厉行节约的原则。如预算“三公”经费实际支出比预算资金节约，切实保证了经费高效使用，厉行节约的原则。"),
    "progress": _narrative(
        "2021年昆明市公安局呈贡分局各项日常性工作正常有效开展，据统计，分局支出预算执行进度为{预算.执行率}。"),
    "quality": _narrative(
        "昆明市公安局呈贡分局完成了2021年度预期目标任务。在费用性支出中，昆明市公安局呈贡分局依据“中央八项规定”及《党政机关厉行节约反对"
        "浪费条例》等制度，在保障日常工作的正常有序开展的情况下，联合财务公司对分局资金支出进行两次审核把关，严把资金使用合法合规，"
        "做到了资金有结余。项目支出方面，昆明市公安局呈贡分局严格审查编制方案和执行政府采购程序，对不符合规定的支出做到宁可不付，"
        "保证了项目资金使用的合规、有效。"),
    "effectiveness": _narrative(
        "2021年昆明市公安局呈贡分局在区委、区政府及上级公安机关的坚强领导下，完成各项目标任务。"),
    "other": _narrative("无。"),
}

# 社会效益 a–h and 经济效益. Priors are the integers that come closest to the seed's 同比;
# the seed's own percentage is kept as stated_change so the checks compare the two.
STATISTICS = {
    "political_security": _stats((
        "一是加强情报研判预警。分局始终把防范政治安全风险置于首位，按照情报高于勤务等级要求，不断完善双九两研判等机制今年来共收集上报情报"
        "信息{上报情报信息}期，市局采用{市局采用}期。",
        "二是加强反体制言论管控。今年来，在云南大学等地集中开展2021年全民国家安全教育日普法宣传活动，共发放《国家安全法》等宣传书籍和资料"
        "{宣传资料}余份。",
        "三是加强反恐防恐工作。牵头组织反恐防恐重点目标单位大排查工作，共下发当场处罚决定书、隐患整改通知书{处罚决定书和整改通知书}份，"
        "提出整改意见{整改意见}条；",
        "四是加强邪教组织的打击防范工作。抓好“敲门行动”成果应用和大数据推广应用，严防造成恶劣影响；",
        "五是加强境外宗教渗透和“三化”治理工作。",
        "六是加强境外非政府组织渗透活动防范。",
        "七是加强各类社会风险向政治安全领域传导的防范。深入开展影响社会稳定矛盾纠纷问题排查专项工作，对排查发现的矛盾纠纷及时预警，"
        "通报相关部门逐一落实稳控责任，做到发现在早、防范在先、处置在小。",
    ), [
        _fig("上报情报信息", "期", "553"), _fig("市局采用", "期", "405"), _fig("宣传资料", "份", "3300"),
        _fig("处罚决定书和整改通知书", "份", "18"), _fig("整改意见", "条", "25"),
    ]),
    "risk_prevention": _stats((
        "一是强化风险隐患排查和矛盾纠纷化解。坚持情报先行、强化情报联动，做实做细重点人员及群体风险评估筛查，排查矛盾纠纷{排查矛盾纠纷}起，"
        "化解{化解矛盾纠纷}起，化解率为{化解率}，确保因矛盾纠纷引发个人极端暴力情况零发生。",
        "二是强化重点人员和群体管控。深入开展肇事肇祸精神病患者摸排管控，共摸排管控{摸排管控精神病患者}人，未发生病患人员漏管失控情况；",
        "三是防范化解金融领域风险隐患。结合涉风险企业及“区块链技术”等风险机构集中摸排工作，积极联合区金融办、市场监督管理局等单位深入"
        "辖区内开展金融风险隐患大排查，共梳理、上报历年来集资诈骗、非法集资、非法吸收公众案件利益受损群体共计{利益受损群体}余人，"
        "有效阻断了金融领域风险隐患向社会风险和政治风险传导。",
    ), [
        _fig("排查矛盾纠纷", "起", "1815"), _fig("化解矛盾纠纷", "起", "1793"),
        _fig("摸排管控精神病患者", "人", "424"), _fig("利益受损群体", "人", "4000"),
    ], (_ratio("化解率", "化解矛盾纠纷", "排查矛盾纠纷", "98.79%"),)),
    "crackdown": _stats((
        "围绕“发案少、秩序好、社会稳定、群众满意”总要求，以打击破案为主线，以重点地区严打整治，打击盗抢骗、电信网络诈骗、跨境违法犯罪、"
        "夏季风暴等专项行动为重点，全面提升打击犯罪整体效能。",
        "一是打处总体情况。今年来，共立刑事案件{立刑事案件}起、刑拘刑侦治安类嫌疑人{刑拘刑侦治安类嫌疑人}人，"
        "同比{刑拘刑侦治安类嫌疑人.同比}；打处{打处}人，同比{打处.同比}。",
        "二是坚决打好扫黑除恶常态化斗争。持续开展线索清仓；",
        "三是严厉打击盗抢骗等影响群众安全感的突出犯罪。按照“更快地破大案、更多地破小案、更准地办好案”的要求，通过采取强化专业打击、"
        "完善联动机制、组织专案等多项工作措施全力打击传统盗抢骗违法犯罪，不断提升人民群众的安全感和满意度。",
        "四是不断深化打击治理电信网络新型违法犯罪。今年来共抓获涉网违法犯罪嫌疑人{涉网违法犯罪嫌疑人}人，同比{涉网违法犯罪嫌疑人.同比}，"
        "刑拘{涉网刑拘}人，同比{涉网刑拘.同比}，逮捕{涉网逮捕}人，同比{涉网逮捕.同比}。构建全民反诈新格局，制定进家入户包保宣传机制，"
        "采取“1包N户”的办法，深入开展“反诈”宣传进社区、进学校、进企业、进单位“四进”宣传活动，有效提升全区人民群众防范电信网络诈骗知晓率，"
        "推动全区打击治理电信网络诈骗犯罪工作持续走向深入，切实打响“全民反诈、全社会反诈”人民战争。今年来推广注册“金钟罩”反诈小程序"
        "{金钟罩注册}人次，推广国家反诈APP注册{国家反诈APP注册}人。共预警劝阻{预警劝阻}人次，为群众避免直接经济损失上"
        "{避免直接经济损失}余万元。加强止付冻结，构建财产安全新网络，今年来共止付冻结涉案账户{止付冻结涉案账户}个，冻结涉案资金"
        "{冻结涉案资金}万元。",
        "五是开展打击跨境违法犯罪专项行动。分局共查获并行政处罚“三非”人员{三非人员}人，共查处跨境赌博治安案件{跨境赌博治安案件}起；",
    ), [
        _fig("立刑事案件", "起", "3071"),
        _fig("刑拘刑侦治安类嫌疑人", "人", "880", "557", "上升57.99%"),
        # No integer gives 93.34%: 257 (closest) gives 93.39%, 258 gives 92.64%.
        _fig("打处", "人", "497", "257", "上升93.34%"),
        # 104 gives 309.615…%: the seed's 309.61% is that truncated, a match (figures.stated_matches).
        _fig("涉网违法犯罪嫌疑人", "人", "426", "104", "上升309.61%"),
        _fig("涉网刑拘", "人", "265", "63", "上升320.63%"),
        _fig("涉网逮捕", "人", "147", "41", "上升258.54%"),
        _fig("金钟罩注册", "人次", "533768"), _fig("国家反诈APP注册", "人", "60328"),
        _fig("预警劝阻", "人次", "97388"), _fig("避免直接经济损失", "万元", "2000"),
        _fig("止付冻结涉案账户", "个", "1120"), _fig("冻结涉案资金", "万元", "5653.33"),
        _fig("三非人员", "人", "57"), _fig("跨境赌博治安案件", "起", "443"),
    ]),
    "drugs": _stats((
        "今年来共破获毒品刑事案件{毒品刑事案件}件、抓获涉毒犯罪嫌疑人{涉毒犯罪嫌疑人}人、起诉{起诉}人，缴获毒品{缴获毒品}千克。",
    ), [
        _fig("毒品刑事案件", "件", "56"), _fig("涉毒犯罪嫌疑人", "人", "59"), _fig("起诉", "人", "47"),
        _fig("缴获毒品", "千克", "99.71"),
    ]),
    "public_order": _stats((
        "一是全力开展“夏季风暴”专项行动。为全面做好建党100周年暨COP15安保维稳工作，全警持续奋战、精准发力，专项行动取得优异成绩，"
        "多项工作取得较大突破。",
        "二是持续打击“黄赌毒食药环”等危害社会治安违法犯罪。共受理治安案件{受理治安案件}起，查处违法行为人{查处违法行为人}人。",
        "三是持续开展清查整治统一行动。共整治重点区域、点位{整治重点区域点位}个，城中村{整治城中村}个，整治行业场所{整治行业场所}家次、"
        "发放告知书{发放告知书}份；",
        # The seed numbers this point and the next "三是/四是" again.
        "四是全力推动平安小区建设。实现{两区一村}个“两区一村”智慧安防建设全覆盖，实现社会面技防能力不断提档升级。一年来共创建“零发案”"
        "小区、城中村{零发案小区}个，占比达{零发案占比}。",
        "五是全面提升巡逻防控效能。全面深化巡逻防控勤务改革，组建特勤中队和“呈鹰突击队”，高标准打造一支公安牵头，社区、单位广泛参与的"
        "专业化巡逻防控队伍，最大限度屯警街面，构建区、街道、社区三级巡逻队伍体系。",
    ), [
        _fig("受理治安案件", "起", "5403"), _fig("查处违法行为人", "人", "2243"),
        _fig("整治重点区域点位", "个", "107"), _fig("整治城中村", "个", "63"), _fig("整治行业场所", "家次", "927"),
        _fig("发放告知书", "份", "9708"), _fig("两区一村", "个", "174"), _fig("零发案小区", "个", "136"),
    ], (_ratio("零发案占比", "零发案小区", "两区一村", "78.6%"),)),
    "epidemic": _stats((
        "一是加强研判及人员信息核查。密切关注疫情形势，认真分析研判疫情输入我区的风险隐患，适时启动高等级情报会商研判机制，提前采取应对措施。"
        "共协助区疫情防控指挥部核查中高风险地区、边境地区等地涉疫重点人{核查批次}余批次{核查涉疫重点人}余人。",
        "二是做好重点区域、场所疫情管控。",
        "三是做好集中观察指定酒店和疫苗接种点治安管理。按照“5个1”标准，全力做好集中观察指定酒店等涉疫重点区域的安全值守、秩序维护、"
        "矛盾纠纷排查化解和政策法规宣讲等工作，留观酒店共留观{留观人数}人，未发生留观人员逃脱隔离及其他安全事件。同时，分局制定方案、"
        "细化措施，组织警力全力维护呈贡区疫苗接种点治安秩序，接种点秩序良好。",
        "四是扎实做好内部疫情防控工作。做好营区安全防范，严格落实营区扫码亮码、佩戴口罩、体温检测、消杀等疫情防控措施。",
    ), [
        _fig("核查批次", "批次", "600"), _fig("核查涉疫重点人", "人", "13000"), _fig("留观人数", "人", "4733"),
    ]),
    # The seed's stray "人。" after 四是 is its own (a number seems to be missing); kept as written.
    "foundation": _stats((
        "一是加强实有人口管理。", "二是加强行业场所管理。", "三是加强无人机排查管控。", "四是加强涉危涉枪涉爆管理。人。",
        "五是加强文明养犬管理。",
    ), []),
    "public_service": _stats((
        "一是持续推进“一门通办”改革。科学整合公安{整合业务类别}类{整合业务事项}项业务，全年累计办理网上、现场业务共计{办理业务}件。",
        "二是优化营商环境，降低企业成本。推进“3550”系统建设，优化全区营商环境，实现新办企业“一网通办、群众只跑一次”。共办理公章备案"
        "{公章备案}件{公章备案枚数}枚、涉及“3550”企业印章备案{3550企业印章备案}件{3550企业印章备案枚数}枚。",
        "三是推行便民服务举措。设立“公安24小时自助便民服务超市”、推行“五免三合一降一缩短”、开通网上快速审批通道一站办结、创新“刷脸填表”"
        "系统，推动实体政务大厅与网上政务平台深度融合。",
        # 赔付率 has no denominator in the seed: it stays text, not a ratio.
        "四是持续推动“盗抢”险。积极推动政府出资为居民购买盗抢险工作，赔付金额{盗抢险赔付金额}元，赔付率79.59%。",
    ), [
        _fig("整合业务类别", "类", "8"), _fig("整合业务事项", "项", "83"), _fig("办理业务", "件", "65394"),
        _fig("公章备案", "件", "14370"), _fig("公章备案枚数", "枚", "59123"),
        _fig("3550企业印章备案", "件", "1887"), _fig("3550企业印章备案枚数", "枚", "5661"),
        _fig("盗抢险赔付金额", "元", "403763"),
    ]),
    "cop15": _stats((
        "一是在区委区政府的大力支持下，拨付约{安保经费}余万元经费投入全区COP15安保控制性工程建设和治安要素“大起底”等工作，形成党政领导，"
        "公安主导，全社会参与的良好工作格局。全区{两区一村}个“两区一村”全部完成人脸识别及车辆卡口视频监控建设。",
        "二是在全区范围开展全要素、全覆盖、全纵深的治安基础要素“大起底”专项工作。",
        "三是坚决完成好会场及活动现场安保任务，按照市局安排，分局抽调{抽调警力}名精干警力（场地安保{场地安保}人，防爆安检{防爆安检}人，"
        "蓝区安保{蓝区安保}人，前置管控{前置管控}人），参与市局部署的蓝区执勤、现场安保、防爆安检任务。圆满完成了工作任务。",
    ), [
        _fig("安保经费", "万元", "4000"), _fig("两区一村", "个", "174"), _fig("抽调警力", "人", "270"),
        # 其中: 241 + 17 + 6 + 6 = 270, checked against the stated 抽调警力.
        _fig("场地安保", "人", "241", parent="抽调警力"), _fig("防爆安检", "人", "17", parent="抽调警力"),
        _fig("蓝区安保", "人", "6", parent="抽调警力"), _fig("前置管控", "人", "6", parent="抽调警力"),
    ]),
    "non_tax": _stats((
        "据统计，2021年昆明市公安局呈贡分局完成各项非税收入征收共计{非税收入}万元，已全部上缴国库。",
    ), [_fig("非税收入", "万元", "745.18")]),
    # "方方面" and "，，" are the seed's typos, kept as written.
    "losses_recovered": _stats((
        "2021打击治理电信网络新型违法犯罪方方面，共止付冻结涉案账户{止付冻结涉案账户}个，冻结涉案资金{冻结涉案资金}万元，，"
        "有效的挽回了受害群众的财产损失。",
    ), [_fig("止付冻结涉案账户", "个", "1120"), _fig("冻结涉案资金", "万元", "5653.33")]),
}

# The seed has no indicator table; this one is built from its figures with demo targets.
INDICATORS = {"rows": [
    _indicator("产出", "数量", "矛盾纠纷排查化解率", "≥", "95", "%", "98.79", "10"),
    _indicator("产出", "数量", "刑事案件打处人数", "≥", "450", "人", "497", "10"),
    _indicator("产出", "数量", "毒品刑事案件破获数", "≥", "60", "件", "56", "10",
               reason="演示：全年破获毒品刑事案件56件，未达到演示目标值60件，系毒品案件线索减少所致；改进措施：加强毒品线索经营"
                      "和跨区域协作，提高破案数。"),
    _indicator("产出", "质量", "肇事肇祸精神病患者漏管失控人数", "≤", "0", "人", "0", "10"),
    _indicator("产出", "时效", "预算执行进度", "≥", "100", "%", "100", "10"),
    _indicator("效益", "社会效益", "“零发案”小区、城中村占比", "≥", "75", "%", "78.16", "10"),
    _indicator("效益", "社会效益", "“两区一村”智慧安防建设覆盖率", "=", "100", "%", "100", "10"),
    _indicator("效益", "经济效益", "非税收入上缴国库比例", "=", "100", "%", "100", "10"),
    _indicator("满意度", "服务对象满意度", "服务对象满意度", "定性", "满意", "", "较满意", "10", manual_score="9",
               reason="演示打分：原报告未提供满意度调查结果，依据“一门通办”、便民服务举措开展情况酌情评定。"),
]}

PROBLEMS = {"items": [
    {"text": "项目资金支出进度慢、绩效目标细化还不够细。", "track": True, "owner": "警务保障室", "due": "2022-12-31"},
]}

SUGGESTIONS = _items(
    "下步分局将强化预算管理，逐步建立以绩效为导向的预算编制模式，从项目编报入手定制绩效评价目标，制定机关统一的绩效考评制度，"
    "加强部门协调，确保预算编制进一步细化。",
    "提高预算资金使用率，对已完工的项目，根据相关规定，进行竣工结算审计，并根据审计报告及合同约定及时支付项目款，提高资金使用效率。",
)

SECTION_DATA: dict[str, dict[str, Any]] = {
    "overview": BUDGET, "three_public": THREE_PUBLIC, "goal_list": GOALS, "indicators": INDICATORS,
    "problems": PROBLEMS, "suggestions": SUGGESTIONS, **NARRATIVES, **STATISTICS,
}


def _user(username: str) -> AbstractBaseUser:
    return get_user_model().objects.get(username=username)


def demo_cycle() -> EvaluationCycle:
    existing = EvaluationCycle.objects.filter(year=YEAR).order_by("id").first()
    if existing:
        return existing
    departments = [Department.objects.get(code=POLICE[0]), Department.objects.get(code=OTHER[0])]
    template_install_default()
    template_install_generic()
    # each department on its own template: the 分局 on the seed's police outline, the others on the generic one
    templates = {pk: t for pk, t in templates_for(departments).items() if t is not None}
    return cycle_launch(year=YEAR, name=CYCLE_NAME, template=template_install_default(), templates=templates,
                        departments=departments, opens_on=OPENS_ON, due_on=DUE_ON, actor=_user(ADMIN))


def _fill(report: Report) -> int:
    clerk, coordinator = _user(CLERK), _user(COORDINATOR)
    blank = report.sections.filter(version=0).select_related("node", "unit", "report__template")
    # Budget and 三公 first, so the placeholders of the others are checked against real figures.
    todo = sorted(blank, key=lambda s: s.kind not in checks.FIGURE_PREFIX)
    for section in todo:
        actor = clerk if section.unit.name == POLICE_STATIONS[0] else coordinator
        # the seed's figures, with the 上年 values the launch carried over from 2020 still marked
        data = SECTION_DATA[section.node.key] | {k: section.data[k] for k in carry.KEPT if k in section.data}
        section_save(section=section, data=data, base_version=section.version, actor=actor)
    return len(todo)


@transaction.atomic
def demo_report_fill() -> tuple[Report | None, int]:
    """Create the 2021 cycle and fill every section of the 分局's report from the seed (idempotent):
    the report (None when an existing 2021 cycle does not cover the 分局) and the revisions written."""
    demo_targets_load(YEAR, INDICATORS["rows"])  # the indicators section scores against the approved target table
    demo_prior_year_load()  # 2020's approved figures: the 2021 report launches with them as 上年
    report = Report.objects.filter(cycle=demo_cycle(), department__code=POLICE[0]).first()
    if report is None:
        return None, 0
    return report, _fill(report)
