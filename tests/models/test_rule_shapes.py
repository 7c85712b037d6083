"""Issue 10, the exact labels' misses on real documents, as the shapes they come in: passports
after 护照号码, IDs and local numbers in table columns named far above, foreign and Hong Kong /
Macao / Taiwan numbers, numbers wrapped onto an indented next line, and 内部参考 (a bulletin's
title, no classification mark). Every span must be the text as written, offsets into the original."""
from __future__ import annotations

import pytest

from models.analyzer import build_rule_analyzer
from models.recognizers.cn_identifiers import resident_id_check_char
from models.recognizers.numbers import luhn_ok

ID_A = "350102196503154518"
ID_B = "35012119580722003X"
ID_BAD = "350102196503154510"  # a typing slip in the check digit: an ID only by its column


@pytest.fixture(scope="module")
def analyzer():
    return build_rule_analyzer()


def found(analyzer, text):
    spans = analyzer.find(text)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
    # the shapes of numbers and marks; the names in these registers' 姓名 columns
    # (name_column.v1) are tested with the other name shapes in test_names_and_script.py
    return [(s.label, text[s.start:s.end]) for s in spans if s.label != "PERSON"]


def test_fixture_identifiers_are_what_they_claim():
    assert resident_id_check_char(ID_A[:17]) == ID_A[17]
    assert resident_id_check_char(ID_B[:17]) == ID_B[17]
    assert resident_id_check_char(ID_BAD[:17]) != ID_BAD[17]


# ------------------------------------------------------------------------------------ passports
@pytest.mark.parametrize("text, number", [
    ("护照号码：E12345678，有效期十年。", "E12345678"),
    ("护照号G12345678。", "G12345678"),
    ("持因公护照（P12345678）出境", "P12345678"),
    ("外交护照 D12345678", "D12345678"),
    ("旧护照号码：143456789", "143456789"),
    ("护照号码：Ｅ１２３４５６７８", "Ｅ１２３４５６７８"),
    # foreign passports: any issuer's letters and digits, right after the cue
    ("美籍，护照号码：488839667，", "488839667"),
    ("日本国护照号码 TK1234567。", "TK1234567"),
    ("德国护照号：C01X00T47", "C01X00T47"),
    ("Passport No. 18AV12345", "18AV12345"),
])
def test_passport_numbers(analyzer, text, number):
    assert found(analyzer, text) == [("ID_NUMBER", number)]


def test_a_foreign_shaped_token_needs_its_cue_right_before(analyzer):
    assert found(analyzer, "持护照于1998年12月入境，护照有效期至20251231。") == []
    assert found(analyzer, "产品型号TK1234567，批号488839667。") == []


def test_passports_in_a_table_column(analyzer):
    text = "姓名｜国籍｜护照号码\nJohn Smith｜美国｜488839667\n山田太郎｜日本｜TK1234567\n"
    assert found(analyzer, text) == [("ID_NUMBER", "488839667"), ("ID_NUMBER", "TK1234567")]


# ------------------------------------------------------------------------- IDs in a table row
ROWS = [("张三", "男", ID_A, "87654321"), ("李四", "女", ID_B, "8331234"), ("王五", "男", ID_BAD, "2345678")]


def _table(sep: str, header=("姓名", "性别", "身份证号码", "联系电话"), filler_rows: int = 0) -> str:
    lines = [sep.join(header)]
    lines += [sep.join(("某户", "男", "（空）", "（空）"))] * filler_rows
    lines += [sep.join(r) for r in ROWS]
    return "户口登记表\n" + "\n".join(lines) + "\n制表人：户籍警\n"


@pytest.mark.parametrize("sep", ["｜", "|", " | ", "\t", "    ", "　　", " "])
def test_ids_and_local_numbers_in_table_columns(analyzer, sep):
    text = _table(sep)
    expected = []
    for r in ROWS:
        expected += [("ID_NUMBER", r[2]), ("PHONE", r[3])]
    assert found(analyzer, text) == expected


def test_the_header_row_may_stand_far_above(analyzer):
    text = _table("｜", filler_rows=40)
    assert ("ID_NUMBER", ID_BAD) in found(analyzer, text)
    assert ("PHONE", "2345678") in found(analyzer, text)


def test_space_aligned_columns_with_an_empty_cell(analyzer):
    text = ("姓名      性别   身份证号码            电话\n"
            f"张三      男     {ID_BAD}    7654321\n"
            f"李四             {ID_A}    83312345\n")
    assert found(analyzer, text) == [("ID_NUMBER", ID_BAD), ("PHONE", "7654321"),
                                     ("ID_NUMBER", ID_A), ("PHONE", "83312345")]


def test_markdown_table_with_a_rule_line(analyzer):
    text = f"| 姓名 | 身份证号 | 电话 |\n|---|---|---|\n| 张三 | {ID_BAD} | 83312345 |\n"
    assert found(analyzer, text) == [("ID_NUMBER", ID_BAD), ("PHONE", "83312345")]


def test_a_column_the_header_names_otherwise_is_no_id_or_phone(analyzer):
    # the same numbers under 档号 and 件数 columns: a decoy header vetoes, a count is no phone
    text = f"档号｜题名｜件数\n{ID_BAD}｜通知｜2345678\n"
    assert found(analyzer, text) == []
    # prose between the header and the row ends the table
    text = "姓名｜电话\n张三｜13905912345\n以上名单经核对无误。另据统计，全年共2345678人次。\n"
    assert found(analyzer, text) == [("PHONE", "13905912345")]


def test_a_label_on_the_line_above_its_value(analyzer):
    text = f"身份证号码：\n{ID_BAD}\n联系电话\n7654321\n"
    assert found(analyzer, text) == [("ID_NUMBER", ID_BAD), ("PHONE", "7654321")]


# ------------------------------------------------------------ foreign, HK, Macao, Taiwan phones
@pytest.mark.parametrize("text, number", [
    ("大阪事务所电话：81-6-6341-2207", "81-6-6341-2207"),
    ("汉堡Tel 49-40-3071-552，", "49-40-3071-552"),
    ("香港办事处电话(852) 2345 6789。", "(852) 2345 6789"),
    ("香港联系人手机+852 9123 4567，", "+852 9123 4567"),
    ("电话00852-9123 4567", "00852-9123 4567"),
    ("澳门（+853）2888 1234", "（+853）2888 1234"),
    ("台北电话886-2-2345-6789", "886-2-2345-6789"),
    ("纽约寓所1-212-555-0123", "1-212-555-0123"),
    ("电话：+1 212 555 0123", "+1 212 555 0123"),
    ("+44 20 7946 0958", "+44 20 7946 0958"),
])
def test_foreign_and_hong_kong_phone_numbers(analyzer, text, number):
    assert found(analyzer, text) == [("PHONE", number)]


@pytest.mark.parametrize("text", [
    "第1 2 3 4 5 6 7 8条",
    "（30）2005-2010年规划",
    "存折号0088-0685-293391。",  # an account after its cue, not a call to 880
    "1-3-2023",
    "GB 50016-2014",
])
def test_country_code_shapes_that_are_no_phone(analyzer, text):
    assert [lab for lab, _ in found(analyzer, text)] in ([], ["BANK_ACCOUNT"])


# ---------------------------------------------------- a number wrapped onto an indented new line
def test_account_split_by_a_line_break_and_an_indent(analyzer):
    text = "开户行：中国农业银行福州分行\n账号：6228 4800 1234\n      5678 917\n户名：林碧军\n"
    assert found(analyzer, text) == [("BANK_ACCOUNT", "6228 4800 1234\n      5678 917")]
    text = "账号：1402 0232\n\u3000\u30000910 0012 345，"
    assert found(analyzer, text) == [("BANK_ACCOUNT", "1402 0232\n\u3000\u30000910 0012 345")]


def test_card_split_by_a_line_break_and_an_indent():
    card = "6222021001123456789"
    assert luhn_ok(card)
    text = f"卡号：{card[:8]}\r\n    {card[8:]}。"
    spans = build_rule_analyzer().find(text)
    assert [(s.label, text[s.start:s.end]) for s in spans] == [
        ("BANK_ACCOUNT", f"{card[:8]}\r\n    {card[8:]}")]


@pytest.mark.parametrize("text, label, number", [
    (f"身份证号：{ID_A[:6]}\n    {ID_A[6:]}", "ID_NUMBER", f"{ID_A[:6]}\n    {ID_A[6:]}"),
    (f"身份证号：{ID_A[:10]}\n\u3000\u3000{ID_A[10:]}。", "ID_NUMBER", f"{ID_A[:10]}\n\u3000\u3000{ID_A[10:]}"),
    ("手机：139\n  0591 2345", "PHONE", "139\n  0591 2345"),
    ("联系电话：0591-\n    87654321", "PHONE", "0591-\n    87654321"),
])
def test_id_and_phone_split_the_same_way(analyzer, text, label, number):
    assert found(analyzer, text) == [(label, number)]


# ------------------------------------------------------------------------------------ 内部参考
@pytest.mark.parametrize("text", [
    "内部参考\n第2345期\n关于某县粮食问题的调查\n",
    "摘自新华社《内部参考》1957年第12期。",
    "《内部参考》\n",
    "此件曾登内参。",
    "内部参考资料\n",
])
def test_the_bulletin_title_is_no_classification_mark(analyzer, text):
    assert found(analyzer, text) == []


@pytest.mark.parametrize("text, mark", [
    ("内部资料　注意保存\n关于……的通知", "内部资料　注意保存"),
    ("内部资料 注意保存", "内部资料 注意保存"),
    ("标题\n内部资料\n正文", "内部资料"),
    ("【密级】内部参考\n", "内部参考"),
    ("内部参考　注意保存\n", "内部参考　注意保存"),
])
def test_internal_markings_still_are(analyzer, text, mark):
    assert found(analyzer, text) == [("SECRET_MARK", mark)]


# ------------------------------------------------------------------- directories and form labels
def test_a_phone_directory_with_merged_cells_and_a_number_per_line(analyzer):
    text = ("单　　位　　　｜姓　名　｜职　务　｜办公电话\n"
            "县农业局　　　｜张明远　｜局　长　｜31206\n"
            "　　　　　　　｜李秀英　｜副局长　｜31208\n"
            "县水利局　　　｜王德顺　｜局　长　｜32417\n"
            "\n"
            "县委总值班室：30000（昼夜）　　　　传真：30011\n")
    assert [n for _, n in found(analyzer, text)] == ["31206", "31208", "32417", "30000", "30011"]


def test_directory_lines_continue_the_phone_above(analyzer):
    text = ("各站负责人电话如下：\n"
            "　　站　长　高志成　办公　452310　住宅　457726\n"
            "　　副站长　吴桂芬　办公　452312\n"
            "　　站办公室　　　　　　　452300（兼传真）\n"
            "　　1987年5月\n")
    assert [n for _, n in found(analyzer, text)] == ["452310", "457726", "452312", "452300"]


def test_weak_directory_cues_do_not_take_years_or_areas(analyzer):
    text = "用　途｜住宅｜　1962\n建筑面积｜办公｜1200平方米\n"
    assert found(analyzer, text) == []


@pytest.mark.parametrize("text, number", [
    ("电　　话｜4625318\n", "4625318"),  # a label spaced out to the cell's width
    ("联系电话｜３３６１０２转财务科\n", "３３６１０２"),
    ("联系电话：335416（办公）　361027（家）\n", "361027"),
    ("夜间值班：２１５６\n", "２１５６"),
    ("电话：(415) 962-3318\n", "(415) 962-3318"),  # a US area code in brackets
])
def test_form_labels_and_notes(analyzer, text, number):
    assert ("PHONE", number) in found(analyzer, text)


def test_passport_number_after_a_bracketed_number_word(analyzer):
    assert found(analyzer, "持中华人民共和国护照（号码0526148），回国探亲。") == [("ID_NUMBER", "0526148")]
    text = "山田一郎，一九六〇年生，护照号码\nMZ3305716，住大阪府。"
    assert found(analyzer, text) == [("ID_NUMBER", "MZ3305716")]


def test_a_cue_in_another_cell_of_the_row_names_that_cell_only(analyzer):
    # 办公室 (a department) stands two cells before the phone and the card: their columns decide
    text = ("序号｜姓　名｜部　门｜入职时间｜联系电话｜工资卡号（工行）\n"
            "2｜陈　丽｜办公室｜1998.04｜4372915｜6222021001123456789\n")
    assert found(analyzer, text) == [("PHONE", "4372915"), ("BANK_ACCOUNT", "6222021001123456789")]


def test_legacy_ids_under_a_long_id_header(analyzer):
    text = ("姓名｜与户主关系｜出生日期　｜公民身份证件编号\n"
            "关玉林｜户主　　｜1947.11.05｜210102471105027\n")
    assert found(analyzer, text) == [("ID_NUMBER", "210102471105027")]


def test_series_and_number_passports_and_a_list_number_on_the_next_line(analyzer):
    text = ("1．伊万诺夫，团长，护照号53 1907264\n"
            "　　2．彼得罗夫，副团长，护照号55 3028817，手机+7 924 305 1176\n"
            "　　3．西多罗夫，秘书\n")
    assert found(analyzer, text) == [("ID_NUMBER", "53 1907264"), ("ID_NUMBER", "55 3028817"),
                                     ("PHONE", "+7 924 305 1176")]


@pytest.mark.parametrize("text, mark", [
    ("　　　　　　　　　　　　　　　　　　　　机密\n［已解密］\n", "机密"),  # printed at the right margin
    ("　　　　　　　　　　　　　　　　　　　　机 密\n", "机 密"),  # OCR spaced every character out
])
def test_a_marking_indented_to_the_margin(analyzer, text, mark):
    assert found(analyzer, text) == [("SECRET_MARK", mark)]


@pytest.mark.parametrize("text, numbers", [
    ("联系人：秘书科，电话73 1106、73 1108转秘书科。", ["73 1106", "73 1108"]),  # old grouped locals
    ("咨询电话：2-5817　2-5819\n", ["2-5817", "2-5819"]),  # district-prefixed locals in a row
])
def test_old_local_numbers_in_a_list(analyzer, text, numbers):
    assert [n for lab, n in found(analyzer, text) if lab == "PHONE"] == numbers
