"""A public government work plan is opened end to end (issue 11): officials' names, districts,
statistics, and 案件/处罚/违法 in their public sense are no reason to restrict it. The text is
written for this test in the style of a city archives' published five-year plan."""
from datetime import date

import pytest

PLAN = """江州市档案事业发展第十个五年计划（2001—2005年）
（江州市档案局　二〇〇一年三月）

一、“九五”期间工作回顾
　　“九五”期间，在市委、市政府的领导下，全市档案工作取得了明显进展。全市共有综合档案馆十二个，馆藏档案由一九九五年的三十八万卷增加到五十二万卷，增长百分之三十六点八。市档案馆新馆于一九九九年建成，建筑面积八千六百平方米。东湖区、西塘区、临江县档案馆完成了标准化建设。五年间共接待利用者四万一千人次，提供档案十二万卷次。
　　依法治档工作不断加强。五年中全市开展档案执法检查三次，检查单位二百一十个，立案查处违反《档案法》的案件四起，对两个单位给予了通报批评和行政处罚，有关责任人已依法处理。

二、“十五”期间的主要目标
　　（一）到二〇〇五年，全市各级综合档案馆馆藏达到七十万卷，开放档案比例提高到百分之四十。
　　（二）建成全市档案信息网络，完成馆藏档案目录数据库百分之八十的录入任务。
　　（三）开展档案普法宣传，档案违法案件发生率逐年下降，行政处罚决定全部依法公开。

三、保障措施
　　加强领导，落实责任。市政府分管副市长周明远同志负责全市档案工作的协调，市档案局局长郑国华同志主持日常工作，副局长林晓燕同志分管信息化建设。各区县要把档案事业发展纳入本地国民经济和社会发展计划。
　　增加投入。“十五”期间市财政每年安排档案事业专项经费三百万元。
　　联系单位：江州市档案局办公室，电话：0797-8221456。

江州市档案局
二〇〇一年三月十五日
"""


@pytest.fixture(scope="module")
def default_models():
    from models.decision import DecisionProposer
    from models.pipeline import Detector

    return Detector.load(None), DecisionProposer.load(None)


def test_public_five_year_plan_is_opened_end_to_end(default_models):
    detector, proposer = default_models
    spans = detector.detect(PLAN)
    sensitive = [(s.label, PLAN[s.start:s.end]) for s in spans
                 if s.label in ("HEALTH", "LEGAL_RECORD", "ADDRESS", "ID_NUMBER", "BANK_ACCOUNT")]
    assert sensitive == [], sensitive          # 案件, 行政处罚, 通报批评 of units: no personal record
    assert {"周明远", "郑国华", "林晓燕"} <= {PLAN[s.start:s.end] for s in spans if s.label == "PERSON"}
    result = proposer.propose(PLAN, spans, {"year": 2001}, as_of=date(2026, 12, 3))
    assert result.decision == "OPEN", (result.probabilities, result.fired_rules)
    assert result.reasons == [] and result.redact == []
