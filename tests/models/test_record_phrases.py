"""Issue 10, HEALTH, LEGAL_RECORD and ADDRESS from the rules: the phrasings real records use, as GUIDELINES
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
    ("其兄1971年患急性细菌性痢疾，已治愈。", ["患急性细菌性痢疾"]),
    ("该同志1964年曾患慢性支气管炎。", ["患慢性支气管炎"]),  # 曾: an adverb, not the verb
    ("申请人之父患有严重的慢性阻塞性肺病，行走困难。", ["患有严重的慢性阻塞性肺病"]),
    ("其岳母患小儿麻痹后遗症，生活不能自理。", ["患小儿麻痹后遗症"]),
    ("该工人患胸膜炎病休半年。", ["患胸膜炎"]),  # 病休: sick leave, not part of the disease
    ("男方经地区医院诊断为原发性不育（附化验单）。", ["诊断为原发性不育"]),
    ("其叔父于腊月初八突发心肌梗塞，送医抢救。", ["突发心肌梗塞"]),
    ("女方幼年得过天花，面部留有瘢痕。", ["得过天花"]),
    ("该队员因急性阑尾炎临时住院五天。", ["急性阑尾炎"]),  # after 因: the disease alone
    ("1977年因十二指肠球部溃疡在地区医院手术。", ["十二指肠球部溃疡"]),
])
def test_diagnosis_verbs_and_because(text, expected):
    assert _found(HEALTH, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("出院诊断：1．慢性胆囊炎\n　　　　　2．胆总管结石\n出院情况：好转。",
     ["慢性胆囊炎", "胆总管结石"]),
    ("诊断：抑郁症（中度）\n", ["抑郁症（中度）"]),
    ("术后诊断：术后感染、切口裂开、低蛋白血症。", ["术后感染、切口裂开、低蛋白血症"]),
    ("健康状况｜中度贫血，其余正常\n", ["中度贫血"]),
    ("健康状况：1966年患疟疾，经治疗痊愈。", ["患疟疾"]),  # a sentence: the verb rule
])
def test_diagnosis_fields(text, expected):
    assert _found(HEALTH, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("争执中左踝关节脱位，送卫生院。", ["左踝关节脱位"]),
    ("致其右眉弓裂伤，缝合七针。", ["右眉弓裂伤", "缝合七针"]),
    ("被压力机压住，左手环指、小指完全离断伤。", ["左手环指、小指完全离断伤"]),
    ("当班电工严重胸部损伤，当即送医。", ["严重胸部损伤"]),
    ("该船员被缆绳擦伤右小腿。", ["擦伤右小腿"]),  # the injury word first, then the body part (v3)
    ("1979年十二指肠溃疡穿孔，住院行修补术。", ["十二指肠溃疡穿孔", "行修补术"]),
    ("急诊在硬膜外麻醉下行左足拇趾再植术。", ["行左足拇趾再植术"]),
    ("经输血400毫升、行胆囊切除术后好转。", ["输血400毫升", "行胆囊切除术"]),
    ("术后予抗休克、抗感染治疗。", ["抗休克、抗感染治疗"]),
    ("承租人系三级视力残疾。", ["三级视力残疾"]),
    ("出院后左侧肢体活动不便。", ["左侧肢体活动不便"]),
])
def test_injuries_operations_and_treatments(text, expected):
    assert _found(HEALTH, text) == expected


@pytest.mark.parametrize("text", [
    "全队一年无一人患流行性感冒。",
    "全年查出各类眼病三千二百一十例。",
    "血检九万人次，查出阳性一千零六人。",
    "一名五岁患儿确诊为麻疹。",  # unnamed: an anonymous case
    "游客突发疾病，被送往医院。",  # 疾病 names no condition
    "第十条 患有传染病的，不得从事直接接触入口食品的工作。",  # statute
    "全县出现积水，部分农田受灾。",
    "该厂推广白内障手术新技术。",  # 技术, not an operation
])
def test_published_and_statistical_health_words_stay_unlabelled(text):
    assert _found(HEALTH, text) == []


# ------------------------------------------------------------------------------- LEGAL_RECORD --
@pytest.mark.parametrize("text, expected", [
    ("被告人鲁长发犯诈骗罪，判处有期徒刑六年，剥夺政治权利二年。",
     ["犯诈骗罪", "判处有期徒刑六年", "剥夺政治权利二年"]),
    ("其行为已构成重婚罪。", ["构成重婚罪"]),
    ("一九七一年以投机倒把罪判处有期徒刑七年。", ["以投机倒把罪判处有期徒刑七年"]),
    ("对罪犯石永贵减去有期徒刑八个月。", ["减去有期徒刑八个月"]),
    ("那年冬天他判了五年，送去劳改。", ["判了五年"]),
    ("一九五七年被划为右派分子，劳动教养二年。", ["划为右派分子", "劳动教养二年"]),
    ("决定给周启明摘掉坏分子帽子。", ["摘掉坏分子帽子"]),
    ("撤销车间主任职务，工资由九级降为十二级。", ["撤销车间主任职务", "工资由九级降为十二级"]),
    ("村民丁有福夫妇超计划生育第四胎，征收超计划生育费三千元。", ["征收超计划生育费三千元"]),
    ("给予邹振华留党察看二年处分，撤销其副厂长职务。", ["留党察看二年处分", "撤销其副厂长职务"]),
    ("总支意见是撤职、留党察看一年。", ["撤职", "留党察看一年"]),
    ("他是第三次犯错，应当从重，我意见开除党籍。", ["开除党籍"]),
    ("关于给予乔红梅同志记过处分的决定", ["记过处分"]),
    ("撤销一九七〇年对其开除公职的决定。", ["开除公职"]),
    ("一九三六年五月在汕头被捕。", ["被捕"]),
    ("经侦查后已予逮捕。", ["逮捕"]),
    ("拟同意刑事拘留。", ["刑事拘留"]),
    ("该犯刑满释放后重操旧业。", ["刑满释放"]),
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
    "被告单位某县化肥供应站犯生产、销售伪劣产品罪，判处罚金人民币十万元。",
    "截至年底，全镇应征超计划生育费五万二千元。",
    "对县粮食局予以通报批评。",
    "关于对春运值班迟到人员予以通报批评的通报",
    "依照《劳动教养试行办法》第十条处理。",
    "某县公安局刑事拘留呈批表",
    "从摘掉落后乡的帽子到全面小康。",
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
    text = "一九五九年三月经县委批准划为右倾分子，\n撤销技术员职务，下放农场监督劳动。"
    lo, hi = sentence(text, text.index("监督"), text.index("监督") + 4)
    assert text[lo:hi].startswith("一九五九年")
    assert _found(LEGAL, text) == ["划为右倾分子", "撤销技术员职务", "监督劳动"]


# ------------------------------------------------------------------------------------ ADDRESS --
from models.recognizers.address import AddressRecognizer  # noqa: E402

ADDRESS = AddressRecognizer()


@pytest.mark.parametrize("text, expected", [
    ("马文礼，男，四十岁，捕前住银川市解放西街南巷9号。", ["银川市解放西街南巷9号"]),
    ("住静安区威海路五九〇弄十七号", ["静安区威海路五九〇弄十七号"]),
    ("住同弄十七号前厢房", ["同弄十七号前厢房"]),
    ("（原住莲湖区西大街22号院内东厢房）", ["莲湖区西大街22号院内东厢房"]),
    ("住西李村二组8号（与被申请人同院）", ["西李村二组8号"]),
    ("社员，住南洼大队五队后街。", ["南洼大队五队后街"]),
    ("现住大埔县湖寮镇黎家村第五村民小组。", ["大埔县湖寮镇黎家村第五村民小组"]),
    ("现住横滨市中区山下町2丁目8番3号，经营一间杂货店。", ["横滨市中区山下町2丁目8番3号"]),
    ("家庭住址　西工区中州路7号街坊14栋2门　　电话　331286", ["西工区中州路7号街坊14栋2门"]),
    ("住　　址｜鞍山市铁东区园林路41号2单元3楼1号\n", ["鞍山市铁东区园林路41号2单元3楼1号"]),
    ("现 住 址｜尉氏县大营公社前进大队第五生产队\n", ["尉氏县大营公社前进大队第五生产队"]),
    ("负责人住址｜洛阳市西工区道北路16号院2号楼1单元9号\n", ["洛阳市西工区道北路16号院2号楼1单元9号"]),
    ("存款人地址：杭州市上城区清泰街112弄3号401室　　电话：87061234", ["杭州市上城区清泰街112弄3号401室"]),
    ("日本住址：〒231 横滨市中区山下町2丁目8番3号\n", ["〒231 横滨市中区山下町2丁目8番3号"]),
    ("房屋坐落：硚口区汉正街52号（原门牌新安里9号）", ["硚口区汉正街52号", "新安里9号"]),
    ("写信寄香港北角英皇道318号海景楼12字楼A座。", ["香港北角英皇道318号海景楼12字楼A座"]),
    ("（信封）寄　福建省晋江县金井公社围头大队第二生产队\n", ["福建省晋江县金井公社围头大队第二生产队"]),
    ("祖屋在新华大队上厝自然村7号，是曾祖父所建。", ["新华大队上厝自然村7号"]),
    ("北京家庭住址｜北京市东城区钱粮胡同东口8号\n", ["北京市东城区钱粮胡同东口8号"]),
    ("上海家庭住址｜上海市静安区康定东里7号\n", ["上海市静安区康定东里7号"]),
    ("家庭住址｜成都市武侯区浆洗东口9号\n", ["成都市武侯区浆洗东口9号"]),  # a district, a house number
])
def test_address_cues_and_shapes(text, expected):
    assert _found(ADDRESS, text) == expected


def test_address_columns_of_a_register():
    text = ("序号｜姓　名　｜年龄｜住　址　　　　　　｜备　注\n"
            " 41 ｜唐秀芝　｜ 29 ｜育溪镇红星村三组　　｜\n"
            " 42 ｜罗玉兰　｜ 33 ｜育溪镇人民路22号　　｜新增\n"
            "０３｜苏冬梅　｜ 51 ｜下屋组16号　　　　　｜\n")
    assert _found(ADDRESS, text) == ["育溪镇红星村三组", "育溪镇人民路22号", "下屋组16号"]


def test_a_key_value_form_is_no_table_header():
    # 原住址｜value is a label and its value: the rows below it are no 住址 column
    text = "原 住 址｜湖南省衡阳市中山北路文明巷3号\n迁往地址｜广州市越秀区东风中路318弄6号502室\n准迁证号｜穗越准字第551207号\n"
    assert _found(ADDRESS, text) == ["湖南省衡阳市中山北路文明巷3号", "广州市越秀区东风中路318弄6号502室"]


@pytest.mark.parametrize("text", [
    "原告：泰丰纺织有限责任公司，住所地淄博市张店区华光路66号。",  # a company's domicile: LOC
    "该同志因病住院治疗，住宿费自理。",
    "户主 陈明 身份证 350102198801014528 办公室",  # 办公室 is no address
    "西李村人，1950年生。",  # a bare village of origin is LOC
    "故宫博物院地址：北京市东城区景山前街4号",
    "入住杨桥路18号的新楼。",
])
def test_not_a_persons_address(text):
    assert _found(ADDRESS, text) == []


def test_an_address_wrapped_onto_the_next_line():
    text = "户籍地址：赣州市于都县\n罗坳镇大桥村3组18号\n申报人：王福\n"
    assert _found(ADDRESS, text) == ["赣州市于都县\n罗坳镇大桥村3组18号"]
    text = "现住址：石塘镇南岭村4组\n27号\n经查属实。\n"
    assert _found(ADDRESS, text) == ["石塘镇南岭村4组\n27号"]
    # a complete address does not take the next line's first token
    text = "住址：东街口62号后院\n1998年12月30日 施行\n"
    assert _found(ADDRESS, text) == ["东街口62号后院"]


def test_register_rows_with_an_id_typed_with_spaces_or_wrapped():
    text = ("1 陈林 3501 0219 8703 1545 11 洋下镇溪口村12号\n"
            "2 吴平 350102198801\n014528 莆田市城厢区霞林街道下郑村44号\n")
    assert _found(ADDRESS, text) == ["洋下镇溪口村12号", "莆田市城厢区霞林街道下郑村44号"]


@pytest.mark.parametrize("text", [
    "1998年6月2日 某省人民检察院第九届检察委员会第三十次会议通过\n1998年7月1日 施行\n",
    "居住在城镇的人口为1,208,736人。",
    "单位名称 市档案局 地址 杨桥路18号",  # no register: no ID on the line
])
def test_headers_of_laws_and_statistics_are_no_address(text):
    assert _found(ADDRESS, text) == []


@pytest.mark.parametrize("text, expected", [
    ("附：区医院证明一份（赵长顺同志肝炎已痊愈，无传染性）", ["肝炎"]),
    ("另查，该同志近年矽肺，已调离坑道。", ["矽肺"]),
    ("父亲钱有才患哮喘，家里无劳力。", ["患哮喘"]),  # the verb rule, not the subject rule
])
def test_a_bare_disease_right_after_its_person(text, expected):
    assert _found(HEALTH, text) == expected
