"""Issue 10, HEALTH and LEGAL_RECORD from the rules: the phrasings real records use, as GUIDELINES
draws them, and the same words in published text (statutes, news, statistics) left alone.

Every sentence here is written for this test (no dev-set or corpus text): the classes are what
matters - a verb and a disease, an injury of a body part, a diagnosis field, an operation; a
sentence, a sanction, a coercive measure on a named person - and, against them, the sentence that
speaks of anyone, of counted or unnamed people, of a company, or of an anonymised party."""
from __future__ import annotations

import pytest

from models.recognizers.health_legal import HealthRecognizer, LegalRecordRecognizer
from models.recognizers.record_context import normative_document, sentence

HEALTH = HealthRecognizer()
LEGAL = LegalRecordRecognizer()


def _found(rec, text):
    spans = rec.find(text)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
    return [text[s.start:s.end] for s in spans]


# ------------------------------------------------------------------------------------- HEALTH --
@pytest.mark.parametrize("text, expected", [
    ("其父1962年患急性黄疸型肝炎，已治愈。", ["患急性黄疸型肝炎"]),
    ("该同志1959年曾患浸润型肺结核。", ["患浸润型肺结核"]),  # 曾: an adverb, not the verb
    ("申请人母亲患有严重的类风湿性关节炎，常年卧床。", ["患有严重的类风湿性关节炎"]),
    ("其妻患脑血栓后遗症，生活不能自理。", ["患脑血栓后遗症"]),
    ("男方患肺结核病休一年。", ["患肺结核"]),  # 病休: sick leave, not part of the disease
    ("女方在县医院诊断为双侧输卵管阻塞性不孕（附诊断证明）。", ["诊断为双侧输卵管阻塞性不孕"]),
    ("其母于三月五日突发脑溢血，送医抢救。", ["突发脑溢血"]),
    ("男方前年得过肺痨，现已痊愈。", ["得过肺痨"]),
    ("该职工因急性肠胃炎临时住院三天。", ["急性肠胃炎"]),  # after 因: the disease alone
    ("1983年因胃溃疡出血在县医院住院。", ["胃溃疡出血"]),
])
def test_diagnosis_verbs_and_because(text, expected):
    assert _found(HEALTH, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("出院诊断：1．慢性胆囊炎\n　　　　　2．胆总管结石\n出院情况：好转。",
     ["慢性胆囊炎", "胆总管结石"]),
    ("诊断：精神分裂症（偏执型）\n", ["精神分裂症（偏执型）"]),
    ("术后诊断：产后出血、子宫收缩乏力、会阴裂伤。", ["产后出血、子宫收缩乏力、会阴裂伤"]),
    ("身体状况｜轻度近视，其余合格\n", ["轻度近视"]),
    ("健康状况：1958年患肺结核，经治疗已钙化。", ["患肺结核"]),  # a sentence: the verb rule
])
def test_diagnosis_fields(text, expected):
    assert _found(HEALTH, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("推搡中右腕骨折，送县医院。", ["右腕骨折"]),
    ("致其左眉弓裂伤，缝合五针。", ["左眉弓裂伤", "缝合五针"]),
    ("被卷入机器，右手示指、中指完全离断伤。", ["右手示指、中指完全离断伤"]),
    ("当班司炉工严重颅脑损伤，当即送医。", ["严重颅脑损伤"]),
    ("该工人被铁钩划伤左前臂。", []),  # 手被铁钩划伤: no body part owns 被铁钩
    ("1983年胃溃疡穿孔，住院行胃大部切除术。", ["胃溃疡穿孔", "行胃大部切除术"]),
    ("急诊在臂丛麻醉下行右手示指断指再植术。", ["行右手示指断指再植术"]),
    ("经输血600毫升、行脾切除术后好转。", ["输血600毫升", "行脾切除术"]),
    ("术后予抗凝、抗感染治疗。", ["抗凝、抗感染治疗"]),
    ("同住人系二级肢体残疾。", ["二级肢体残疾"]),
    ("脱险后右侧肢体活动不便。", ["右侧肢体活动不便"]),
])
def test_injuries_operations_and_treatments(text, expected):
    assert _found(HEALTH, text) == expected


@pytest.mark.parametrize("text", [
    "全组半年无一人患肠道传染病。",
    "全年查出各类妇科病一万零四百七十六例。",
    "粪检十八万人次，查出阳性二万零四百一十人。",
    "一名七岁患儿确诊为流行性乙型脑炎。",  # unnamed: an anonymous case
    "游客突发疾病，被送往医院。",  # 疾病 names no condition
    "第十条 患有传染病的，不得从事直接接触入口食品的工作。",  # statute
    "全县出现积水，部分农田受灾。",
    "该厂推广白内障手术新技术。",  # 技术, not an operation
])
def test_published_and_statistical_health_words_stay_unlabelled(text):
    assert _found(HEALTH, text) == []


# ------------------------------------------------------------------------------- LEGAL_RECORD --
@pytest.mark.parametrize("text, expected", [
    ("被告人王德明犯盗窃罪，判处有期徒刑五年，剥夺政治权利一年。",
     ["犯盗窃罪", "判处有期徒刑五年", "剥夺政治权利一年"]),
    ("其行为已构成故意伤害罪。", ["构成故意伤害罪"]),
    ("一九六八年以现行反革命罪判处有期徒刑十五年。", ["以现行反革命罪判处有期徒刑十五年"]),
    ("对罪犯张志国减去有期徒刑一年。", ["减去有期徒刑一年"]),
    ("后来一九七〇年判了十年，关在农场。", ["判了十年"]),
    ("一九五八年划为右派分子，劳动教养三年。", ["划为右派分子", "劳动教养三年"]),
    ("决定给李维新摘掉右派分子帽子。", ["摘掉右派分子帽子"]),
    ("撤销主任工程师职务，工资由十一级降为十四级。", ["撤销主任工程师职务", "工资由十一级降为十四级"]),
    ("村民王大海夫妇计划外生育第三胎，征收计划外生育费二千四百元。", ["征收计划外生育费二千四百元"]),
    ("给予郝建国留党察看一年处分，撤销其副经理职务。", ["留党察看一年处分", "撤销其副经理职务"]),
    ("支部意见是撤职、留党察看二年。", ["撤职", "留党察看二年"]),
    ("这次又是屡犯，应当从严，我意见开除党籍。", ["开除党籍"]),
    ("关于给予韦丽同志记大过处分的决定", ["记大过处分"]),
    ("撤销一九六八年对其开除党籍的决定。", ["开除党籍"]),
    ("一九三四年十二月在平远县被捕。", ["被捕"]),
    ("经查实后已予逮捕。", ["逮捕"]),
    ("拟同意收容审查。", ["收容审查"]),
    ("该犯解除劳动教养后不思悔改。", ["解除劳动教养"]),
])
def test_record_phrasings(text, expected):
    assert _found(LEGAL, text) == expected


@pytest.mark.parametrize("text", [
    # statutes and judicial interpretations: anyone who…, may, shall, ranges
    "第二百六十四条 盗窃公私财物，数额较大的，处三年以下有期徒刑、拘役或者管制，并处或者单处罚金。",
    "对被判处有期徒刑的犯罪分子，可以假释。",
    "人民检察院应当自接到公安机关提请批准逮捕书后的七日以内，作出批准逮捕或者不批准逮捕的决定。",
    "正在被劳动教养的人员不得担任陪审员。",
    # news: counted or unnamed people
    "当地警方称已逮捕了5名嫌疑人。",
    "警方在布鲁塞尔逮捕了100多人。",
    "枪手已被逮捕，事件仍在调查中。",
    "7人因涉嫌纵火被捕。",
    # companies, totals, titles, forms, institutions
    "被告单位某县种子经营部犯销售伪劣种子罪，判处罚金人民币四十万元。",
    "截至六月底，全乡应征计划外生育费三万一千五百元。",
    "对县交通局予以通报批评。",
    "关于对防汛值班脱岗人员予以通报批评的通报",
    "依照《劳动教养试行办法》第十条处理。",
    "中牟县公安局收容审查呈批表",
    "从摘掉贫困村的帽子到乡村振兴。",
])
def test_public_and_statutory_legal_words_stay_unlabelled(text):
    assert _found(LEGAL, text) == []


def test_a_law_needs_a_date_for_any_phrase():
    law = ("第一条 为了规范治安管理，制定本法。\n第二条 本法所称治安管理处罚，包括警告、罚款、行政拘留。\n"
           "第三条 违反本法的行为人被行政拘留十日。\n")
    assert normative_document(law)
    assert _found(LEGAL, law) == []
    record = "第三条 林某某于1990年5月被行政拘留十日。"  # an anonymised case: still nobody's record
    assert _found(LEGAL, record) == []


def test_a_line_break_inside_running_text_does_not_end_the_sentence():
    text = "一九五八年二月经市委批准划为右派分子，\n撤销主任工程师职务，下放车间监督劳动。"
    lo, hi = sentence(text, text.index("监督"), text.index("监督") + 4)
    assert text[lo:hi].startswith("一九五八年")
    assert _found(LEGAL, text) == ["划为右派分子", "撤销主任工程师职务", "监督劳动"]


# ------------------------------------------------------------------------------------ ADDRESS --
from models.recognizers.address import AddressRecognizer  # noqa: E402

ADDRESS = AddressRecognizer()


@pytest.mark.parametrize("text, expected", [
    ("王建新，男，五十岁，捕前住乌鲁木齐市民主路西巷21号。", ["乌鲁木齐市民主路西巷21号"]),
    ("住长宁区愚园路一〇八八弄二十三号", ["长宁区愚园路一〇八八弄二十三号"]),
    ("住同弄二十三号后厢房", ["同弄二十三号后厢房"]),
    ("（原住碑林区东仓门14号院内西厢房）", ["碑林区东仓门14号院内西厢房"]),
    ("住东丁村四组19号（与申请人同院）", ["东丁村四组19号"]),
    ("社员，住东庄大队三队前街。", ["东庄大队三队前街"]),
    ("现住梅县丙村镇三乡村第七村民小组。", ["梅县丙村镇三乡村第七村民小组"]),
    ("现住大阪市生野区桃谷3丁目5番12号，经营一间餐馆。", ["大阪市生野区桃谷3丁目5番12号"]),
    ("家庭住址　涧西区天津路12号街坊21栋3门　　电话　437215", ["涧西区天津路12号街坊21栋3门"]),
    ("住　　址｜沈阳市铁西区艳粉街26号3单元5楼2号\n", ["沈阳市铁西区艳粉街26号3单元5楼2号"]),
    ("现 住 址｜中牟县白沙公社小湖大队第三生产队\n", ["中牟县白沙公社小湖大队第三生产队"]),
    ("负责人住址｜郑州市金水区经三路北段28号院3号楼2单元5号\n", ["郑州市金水区经三路北段28号院3号楼2单元5号"]),
    ("存款人地址：上海市徐汇区宛平南路88弄5号602室　　电话：64312345", ["上海市徐汇区宛平南路88弄5号602室"]),
    ("日本住址：〒544 大阪市生野区桃谷3丁目5番12号\n", ["〒544 大阪市生野区桃谷3丁目5番12号"]),
    ("房屋坐落：江汉区友益街17号（原门牌友益里4号）", ["江汉区友益街17号", "友益里4号"]),
    ("写信寄九龙土瓜湾马头角道45号美景楼8字楼C座。", ["九龙土瓜湾马头角道45号美景楼8字楼C座"]),
    ("（信封）寄　广东省梅县松口公社铜琶大队第三生产队\n", ["广东省梅县松口公社铜琶大队第三生产队"]),
    ("祖屋在东进大队后楼自然村12号，是先祖父所建。", ["东进大队后楼自然村12号"]),
    ("北京家庭住址｜北京市东城区钱粮胡同东口8号\n", ["北京市东城区钱粮胡同东口8号"]),
    ("上海家庭住址｜上海市静安区康定东里7号\n", ["上海市静安区康定东里7号"]),
    ("家庭住址｜成都市武侯区浆洗东口9号\n", ["成都市武侯区浆洗东口9号"]),  # a district, a house number
])
def test_address_cues_and_shapes(text, expected):
    assert _found(ADDRESS, text) == expected


def test_address_columns_of_a_register():
    text = ("序号｜姓　名　｜年龄｜住　址　　　　　　｜备　注\n"
            " 61 ｜胡春兰　｜ 26 ｜河溶镇前进村四组　　｜\n"
            " 62 ｜邢桂香　｜ 31 ｜河溶镇建设路14号　　｜新增\n"
            "０３｜刘冬秀　｜ 48 ｜上坪组21号　　　　　｜\n")
    assert _found(ADDRESS, text) == ["河溶镇前进村四组", "河溶镇建设路14号", "上坪组21号"]


def test_a_key_value_form_is_no_table_header():
    # 原住址｜value is a label and its value: the rows below it are no 住址 column
    text = "原 住 址｜江西省赣州市阳明路厚德巷7号\n迁往地址｜上海市杨浦区控江路1075弄23号201室\n准迁证号｜沪杨准字第790412号\n"
    assert _found(ADDRESS, text) == ["江西省赣州市阳明路厚德巷7号", "上海市杨浦区控江路1075弄23号201室"]


@pytest.mark.parametrize("text", [
    "原告：鲁丰化肥有限责任公司，住所地济南市历城区工业北路178号。",  # a company's domicile: LOC
    "该同志因病住院治疗，住宿费自理。",
    "户主 陈明 身份证 350102198801014528 办公室",  # 办公室 is no address
    "东丁村人，1950年生。",  # a bare village of origin is LOC
    "故宫博物院地址：北京市东城区景山前街4号",
    "入住杨桥路18号的新楼。",
])
def test_not_a_persons_address(text):
    assert _found(ADDRESS, text) == []


def test_an_address_wrapped_onto_the_next_line():
    text = "户籍地址：吉安市吉水县\n枫江镇岭下村5组70号\n申报人：王福\n"
    assert _found(ADDRESS, text) == ["吉安市吉水县\n枫江镇岭下村5组70号"]
    text = "现住址：陶湾镇枫亭村1组\n45号\n经查属实。\n"
    assert _found(ADDRESS, text) == ["陶湾镇枫亭村1组\n45号"]
    # a complete address does not take the next line's first token
    text = "住址：杨桥南路137号前院\n2019年12月30日 施行\n"
    assert _found(ADDRESS, text) == ["杨桥南路137号前院"]


def test_register_rows_with_an_id_typed_with_spaces_or_wrapped():
    text = ("1 王林 3501 0219 8703 1545 11 杨公镇梅林村95号\n"
            "2 李平 350102198801\n014528 漳州市芗城区巷口街道竹林村161号\n")
    assert _found(ADDRESS, text) == ["杨公镇梅林村95号", "漳州市芗城区巷口街道竹林村161号"]


@pytest.mark.parametrize("text", [
    "2019年12月2日 最高人民检察院第十三届检察委员会第二十八次会议通过\n2019年12月30日 施行\n",
    "居住在乡村的人口为3,455,285人。",
    "单位名称 市档案局 地址 杨桥路18号",  # no register: no ID on the line
])
def test_headers_of_laws_and_statistics_are_no_address(text):
    assert _found(ADDRESS, text) == []


@pytest.mark.parametrize("text, expected", [
    ("附：县医院证明一份（王立本同志肺结核已钙化，无传染性）", ["肺结核"]),
    ("另查，该同志近年尘肺，已调离井下。", ["尘肺"]),
    ("父亲王宝山患肺气肿，家里无劳力。", ["患肺气肿"]),  # the verb rule, not the subject rule
])
def test_a_bare_disease_right_after_its_person(text, expected):
    assert _found(HEALTH, text) == expected
