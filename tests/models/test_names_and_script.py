"""PERSON boundary repair, Latin-script names, the simplified view of traditional script, and the
lexicon features: each on the real shapes that went wrong on hand-written records."""
import numpy as np
import pytest

from models.lexicon import CLASSES, N_FEATURES, Lexicon
from models.recognizers.latin_names import LatinPersonRecognizer
from models.recognizers.names import repair_person
from models.recognizers.neural import tidy_span
from models.script import simplified_view


def _fix(text, piece, classes_of=None):
    s = text.index(piece)
    out = repair_person(text, s, s + len(piece), classes_of)
    return None if out is None else text[out[0]:out[1]]


@pytest.mark.parametrize("text, predicted, expected", [
    ("副书记上官明德在讲话中指出", "官明德", "上官明德"),          # compound surname cut
    ("对上官志诚、伍卓群两同学", "志诚", "上官志诚"),
    ("罪犯买买提·吐尔逊在服刑期间", "吐尔逊", "买买提·吐尔逊"),    # cut at the middle dot
    ("委托黄石生代投", "黄石生代", "黄石生"),                      # a following character
    ("对熊德胜、鲁明清二同志予以通报批评", "鲁明清二", "鲁明清"),
    ("妻李淑芬，子何小军，女何小燕", "子何小军", "何小军"),         # a kinship character before
    ("乔·科恩执导的影片", "乔·科恩", "乔·科恩"),                    # whole transliterations stay
    ("由维诺格拉多夫主持", "维诺格拉多夫", "维诺格拉多夫"),
    ("欧阳淑贞家卫生间漏水", "欧阳淑贞", "欧阳淑贞"),
])
def test_person_boundaries_are_repaired(text, predicted, expected):
    assert _fix(text, predicted) == expected


def test_an_ordinary_word_the_lexicon_knows_is_no_name():
    lex = Lexicon({"盖章": ["WORD"], "万荣": ["LOC"], "李强": ["PER"], "高峰": ["WORD", "PER"]})
    assert _fix("单位盖章", "盖章", lex.classes_of) is None
    assert _fix("万荣县人", "万荣", lex.classes_of) is None
    assert _fix("李强主持", "李强", lex.classes_of) == "李强"
    assert _fix("高峰同志", "高峰", lex.classes_of) == "高峰"      # also a name: kept
    assert _fix("林碧军同志", "林碧军", lex.classes_of) == "林碧军"  # unknown: kept


@pytest.mark.parametrize("text, predicted, expected", [
    ("宁德地区行署文件\n宁署发〔1983〕47号", "宁署发", None),          # issuer prefix of a document number
    ("关于同意设立自然保护区的复函\n闽政函［1991］12号", "闽政", None),
    ("霞劳鉴字（1996）第8号", "霞劳鉴字", None),
    ("闽侯县府民字第四五一号", "闽侯县府民", None),
    ("证书编号：永泰-017", "永泰", None),                              # a serial code
    ("陈嘉庚（1874—1961），福建同安人", "陈嘉庚", "陈嘉庚"),          # a name with its years stays
    ("经办人林秀英（1990）年度考核优秀", "林秀英", "林秀英"),
    ("林则徐第三次上书", "林则徐", "林则徐"),
])
def test_document_numbers_and_codes_are_no_names(text, predicted, expected):
    assert _fix(text, predicted) == expected


@pytest.mark.parametrize("text, predicted, expected", [
    ("接到阿爸来信，说阿妈身体还好", "阿妈", None),                      # kinship words
    ("岳父林道生，退休教师", "岳父", None),
    ("三哥在南洋谋生", "三哥", None),
    ("与李小妹同志谈话", "李小妹", "李小妹"),                            # a name with kinship characters
    ("以议员玛丽亚·诺瓦科娃为团长的代表团。诺瓦科娃团长表示感谢", "诺瓦科娃", None),  # surname + title
    ("伊万诺夫先生来访", "伊万诺夫", "伊万诺夫"),                      # no full name given: kept
])
def test_kinship_words_and_foreign_surnames_with_titles_are_no_names(text, predicted, expected):
    s = text.rindex(predicted)
    out = repair_person(text, s, s + len(predicted))
    assert (None if out is None else text[out[0]:out[1]]) == expected


def test_spaced_words_are_no_names_but_spaced_names_are():
    lex = Lexicon({"说明": ["WORD"], "合计": ["WORD"], "林": ["SUR"], "富": ["SUR"], "富强": ["WORD"]})
    assert _fix("附件\n说　明\n一、", "说　明", lex.classes_of) is None     # a heading spaced out
    assert _fix("｜合　计｜120｜", "合　计", lex.classes_of) is None
    assert _fix("｜富　强｜男｜", "富　强", lex.classes_of) == "富　强"       # a name padded to a cell
    assert _fix("｜林　岚｜女｜", "林　岚", lex.classes_of) == "林　岚"


@pytest.mark.parametrize("piece, expected", [
    ("｜鲁秀英｜", "鲁秀英"), ("〔印〕", None), ("族｜汉", None), ("毛", None), ("the", None),
    ("Thomas Berger", "Thomas Berger"), ("林　岚", "林　岚")])
def test_names_never_cross_cells_or_end_on_symbols(piece, expected):
    out = tidy_span(piece, 0, len(piece), "PERSON")
    assert (None if out is None else piece[out[0]:out[1]]) == expected


@pytest.mark.parametrize("text, names", [
    ("This is to certify that Ms. LU HUIMIN (ID No. 3) and her son Mr. YU CHEN", ["LU HUIMIN", "YU CHEN"]),
    ("1．索科洛夫·维克多（SOKOLOV Viktor），团长", ["SOKOLOV Viktor"]),
    ("菲律宾籍水手Rodolfo M. Santos（罗道福·桑托斯）", ["Rodolfo M. Santos"]),
    ("9.12｜Tan Chee Keong（陈志强）｜马来西亚", ["Tan Chee Keong"]),
    ("开户行 BANK OF CHINA Fuzhou Branch", []),
    ("The accounts are frozen until 12 October", []),
])
def test_latin_script_names(text, names):
    found = LatinPersonRecognizer().find(text)
    assert [text[s.start:s.end] for s in found] == names
    assert all(s.label == "PERSON" and s.source == "latin_person.v1" for s in found)


def test_simplified_view_keeps_every_offset():
    letter = "香港九龍彌敦道一二三號　陳大文先生收\n身份證號碼：K123456(7)，電話：(852) 2345 6789。乾隆年間"
    view = simplified_view(letter)
    assert len(view) == len(letter)
    assert "身份证号码" in view and "电话" in view and "陈大文" in view
    assert view.endswith("乾隆年间")                # phrase conversion: 乾隆 stays
    assert simplified_view("plain ascii") == "plain ascii" and simplified_view("") == ""


def test_detector_finds_traditional_script_spans_at_original_offsets():
    from models.pipeline import Detector

    det = Detector.from_parts(tagger_dir=None)
    text = "來函所述：本人身份證號碼３５０１０２１９８７０３１５４５１１，電話１３９０５９１２３４５。"
    spans = {s.label: text[s.start:s.end] for s in det.detect(text)}
    assert spans["ID_NUMBER"] == "３５０１０２１９８７０３１５４５１１"
    assert spans["PHONE"] == "１３９０５９１２３４５"


def test_lexicon_features_mark_begin_middle_end_single():
    lex = Lexicon({"福州市": ["LOC"], "林": ["SUR", "PER"], "抄送": ["WORD"]})
    f = lex.features("林在福州市抄送")
    assert f.shape == (7, N_FEATURES) and f.dtype == np.uint8
    loc, word = CLASSES.index("LOC") * 4, CLASSES.index("WORD") * 4
    assert f[2, loc] == 1 and f[3, loc + 1] == 1 and f[4, loc + 2] == 1     # B M E of 福州市
    assert f[5, word] == 1 and f[6, word + 2] == 1                          # B E of 抄送
    assert f[0, -1] == 1 and f[0, CLASSES.index("PER") * 4 + 3] == 1        # surname, single PER
    assert f[1].sum() == 0


def test_lexicon_round_trips_through_its_file(tmp_path):
    lex = Lexicon({"福州市": ["LOC"], "林": ["SUR"], "x y": ["WORD"]}, notice="MIT, Copyright X")  # a space never matches
    for name in ("lexicon.tsv", "lexicon.tsv.gz"):
        lex.save(tmp_path / name)
        back = Lexicon.load(tmp_path / name)
        assert len(back) == 2 and back.classes_of("福州市") == ("LOC",) and back.classes_of("林") == ("SUR",)
        assert back.notice.strip() == "MIT, Copyright X"       # the sources' notice travels with the list
    lex.save(tmp_path / "again.tsv.gz")
    assert (tmp_path / "again.tsv.gz").read_bytes() == (tmp_path / "lexicon.tsv.gz").read_bytes()  # no mtime
    with pytest.raises(ValueError, match="unknown lexicon class"):
        Lexicon({"a": ["NAME"]})


@pytest.mark.parametrize("text, names", [
    ("蔡元培，字鹤卿，号孑民，山阴县人", ["鹤卿", "孑民"]),
    ("秋瑾，原名闺瑾，字璿卿，号竞雄，自称鉴湖女侠", ["闺瑾", "璿卿", "竞雄"]),
    ('闭门著述，自号"晋园老人"以明志', ["晋园老人"]),
    ("林　岚（曾用名：林秀英），女", ["林秀英"]),
    ("第3号文件，号召群众，信号灯，编号0012", []),
])
def test_names_announced_by_zi_hao_and_former_name(text, names):
    from models.recognizers.name_forms import AliasNameRecognizer

    assert [text[s.start:s.end] for s in AliasNameRecognizer().find(text)] == names


@pytest.mark.parametrize("text, names", [
    ("户主　郑文彬　年五十一岁\n家属　祖母郑何氏七十岁　妻郑卢氏四十六岁", ["郑何氏", "郑卢氏"]),
    ("房屋原系其先母黃鄭氏所購", ["黄郑氏"]),                          # traditional script, on the view
    ("遗属：王赵氏、王小梅", ["王赵氏"]),
    ("据《史记》载，周人始祖后稷姓姬氏，傣族各氏族", []),               # clans, not married names
    ("张氏宗祠重修碑记", []),
])
def test_married_womens_names(text, names):
    from models.recognizers.name_forms import MarriedNameRecognizer
    from models.script import simplified_view

    view = simplified_view(text)
    assert [view[s.start:s.end] for s in MarriedNameRecognizer().find(view)] == names


@pytest.mark.parametrize("text, names", [
    ("出席：戴国平　裘丽华　邝振东　司马文博\n列　席：汤　静（县财政局）", ["戴国平", "裘丽华", "邝振东", "司马文博", "汤　静"]),
    ("请假：阎秋生（出差），冼永康\n记录人：蔺　珊", ["阎秋生", "冼永康", "蔺　珊"]),
    ("审核：邬建勋　　批准：柏长河（站长）", ["邬建勋", "柏长河"]),
    ("    联系人：孙国强\u3000于\u3000萍\n    电话：（0394）8213357", ["孙国强", "于\u3000萍"]),  # roster_name.v2
    ("出席：岳　峰　韩　雪　邓晓东", ["岳　峰", "韩　雪", "邓晓东"]),
    ("出席：各乡镇党委书记、县直有关单位负责同志\n主持：县委办公室", []),   # offices, not names
    ("会议由副县长主持：一、传达文件", []),
    ("列席：县人大常委会、县政协", []),
])
def test_roster_field_entries_are_names(text, names):
    from models.recognizers.name_forms import RosterNameRecognizer

    assert [text[s.start:s.end] for s in RosterNameRecognizer().find(text)] == names


def test_a_name_found_once_is_found_everywhere_in_the_document():
    from models.recognizers.names import propagate_names
    from models.spans import Span

    text = "据群众反映，祁永福经常酗酒。经查，祁永福于五月殴打邻居，祁永福路边的摊位也被砸毁。柯建"
    first = text.index("祁永福")
    spans = [Span(first, first + 3, "PERSON", 0.97, "ner:t"),
             Span(text.index("柯建"), text.index("柯建") + 2, "PERSON", 0.9, "ner:t")]
    # the third occurrence begins a LOC span of the tagger: cut back to what lies outside the name
    # (one letter, dropped); a rule's span is never cut
    loc = text.index("祁永福路")
    spans.append(Span(loc, loc + 4, "LOC", 0.7, "ner:t"))
    spans.sort(key=lambda s: (s.start, s.end))
    out = propagate_names(text, spans)
    found = [(text[s.start:s.end], s.label) for s in out]
    assert found == [("祁永福", "PERSON"), ("祁永福", "PERSON"), ("祁永福", "PERSON"), ("柯建", "PERSON")]
    assert all(a.end <= b.start for a, b in zip(out, out[1:]))            # still non-overlapping
    # an ORG/LOC span of exactly the name becomes PERSON; two-letter names are not copied
    text2 = "邢德昌同志任局长。邢德昌要求各单位。建国以来"
    s2 = [Span(0, 3, "PERSON", 0.95, "ner:t"), Span(9, 17, "ORG", 0.6, "ner:t"),
          Span(text2.index("建国"), text2.index("建国") + 2, "LOC", 0.5, "ner:t")]
    assert [(text2[s.start:s.end], s.label) for s in propagate_names(text2, s2)] == \
        [("邢德昌", "PERSON"), ("邢德昌", "PERSON"), ("要求各单位", "ORG"), ("建国", "LOC")]
    text3 = "邢德昌同志。住址：邢德昌村三组"
    s3 = [Span(0, 3, "PERSON", 0.95, "ner:t"), Span(9, 15, "ADDRESS", 0.9, "cn_address.v2")]
    assert propagate_names(text3, s3) == s3                                # a rule span is kept whole


@pytest.mark.parametrize("text, names", [
    ("四至：东至聂长庚田　西至路　南至聂家坟山　北至覃少卿屋墙", ["聂长庚", "覃少卿"]),
    ("宅基地四至　东：龚德胜宅基　南：机耕道　西：本户菜地", ["龚德胜"]),
    ("东至张庄地界　西至李家田　北至公路", []),                   # a village, a family, a road
])
def test_the_neighbours_of_a_plots_four_borders_are_names(text, names):
    from models.recognizers.name_forms import BoundaryNameRecognizer

    assert [text[s.start:s.end] for s in BoundaryNameRecognizer().find(text)] == names


def test_ocr_spaced_text_is_read_without_its_spaces():
    from models.text import despaced_view

    text = "该厂 1989 年起 由 滕 永 福 个人 承包 ，去年 冲床工 佘 小 妹 右手 受伤"
    view, back = despaced_view(text)
    assert "由滕永福 个人 承包" in view
    s = view.index("滕永福")
    assert text[back[s]:back[s + 2] + 1] == "滕 永 福"
    assert "冲床工 佘小妹 右手" in view                                     # words stay apart
    assert despaced_view("今天上午，市长到工厂视察。A B 两队，黄桥乡 张庄村 五组") is None


def test_the_cells_of_a_registers_name_column_are_names():
    from models.recognizers.name_forms import NameColumnRecognizer

    text = ("序号｜姓　名｜性别｜出生年月｜住址\n"
            "０１｜龚　敏　｜女　｜1979.03 ｜下湾组8号\n"
            "０２｜晏德昌　｜男　｜1952.11 ｜下湾组9号\n"
            "０３｜本户合计｜　　｜　　　　｜\n"
            "\n说明：以上人员经村委会核实。")
    assert [text[s.start:s.end] for s in NameColumnRecognizer().find(text)] == ["龚　敏", "晏德昌"]
    prose = "姓名是父母给的，晏德昌说。"
    assert NameColumnRecognizer().find(prose) == []


@pytest.mark.parametrize("text, names", [
    ("该犯多次纠集尤德胜、缪长海等人聚赌", ["尤德胜", "缪长海"]),
    ("对陶永庆、蒲秀兰、欧阳建华三人分别给予警告处分", ["陶永庆", "蒲秀兰", "欧阳建华"]),
    ("逐户走访了受株连的宁桂英等十一户", ["宁桂英"]),
    ("农民工、建筑工人等人参加培训", []),                       # occupations, not names
    ("石家庄、张家口等地；各乡、各部门等单位", []),
])
def test_names_listed_before_a_count_of_persons(text, names):
    from models.recognizers.name_forms import CountedNamesRecognizer

    assert [text[s.start:s.end] for s in CountedNamesRecognizer().find(text)] == names


@pytest.mark.parametrize("text, names", [
    ("被告人冯国栋，男，一九五六年十月生，汉族，小学文化，农民。", ["冯国栋"]),     # a judgment's heading
    ("    掘进工隋长海，二十六岁，右小腿胫腓骨骨折；\n    运煤工过建明，男，四十五岁。", ["隋长海", "过建明"]),
    ("\u3000\u3000元金旺\u3000男\u3000南谷洞水库工程指挥部石匠", ["元金旺"]),  # an award list's row
    ("受害人欧阳明德（男，45岁）报称", ["欧阳明德"]),
    ("仇成丰先生，男，1963年5月出生，大专学历。", ["仇成丰"]),               # not 丰先生
    ("工程师金明，男，", []),            # 师 ends the occupation: the name may be 金明, left to the tagger
    ("申请人，女，三十二岁；宣武区居民，43岁，离异", []),                  # roles and groups, not names
    ("中国国籍，无境外居留权，男，汉族", []),
    ("名单显示，3岁的郭某；个展在英国举行，89岁才卖出", []),             # an age that is not an introduction
])
def test_names_introduced_by_sex_and_age(text, names):
    from models.recognizers.name_forms import IntroducedNameRecognizer

    assert [text[s.start:s.end] for s in IntroducedNameRecognizer().find(text)] == names
