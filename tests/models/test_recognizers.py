"""Rule recognizers through the RuleAnalyzer: spans as GUIDELINES draws them, decoys unflagged."""
import pytest

from models.analyzer import build_rule_analyzer
from models.recognizers.cn_identifiers import is_valid_resident_id, resident_id_check_char
from models.recognizers.numbers import luhn_ok

VALID_ID = "350102198703154511"  # check digit computed by GB 11643 (asserted below)


@pytest.fixture(scope="module")
def analyzer():
    return build_rule_analyzer()


def found(analyzer, text):
    return [(s.label, text[s.start : s.end]) for s in analyzer.find(text)]


def only(analyzer, text):
    spans = analyzer.find(text)
    assert len(spans) == 1, [(s.label, text[s.start:s.end], s.explanation) for s in spans]
    return spans[0]


def test_checksums():
    assert resident_id_check_char(VALID_ID[:17]) == VALID_ID[17]
    assert resident_id_check_char("11010519491231002") == "X"  # the GB 11643 example
    assert is_valid_resident_id("11010519491231002X")
    assert not is_valid_resident_id("110105194912310021")
    assert not is_valid_resident_id("990105194912310026")  # no province 99
    assert luhn_ok("6222021001123456789") and not luhn_ok("6222021001123456788")


@pytest.mark.parametrize("text, expected", [
    (f"林碧军，身份证号{VALID_ID}，男。", VALID_ID),
    ("公民身份号码：11010519491231002X", "11010519491231002X"),
    ("身份证号11010519491231002x。", "11010519491231002x"),
    ("身份证号１１０１０５１９４９１２３１００２Ｘ", "１１０１０５１９４９１２３１００２Ｘ"),
    ("身份证号：３５０１０２１９８７０３１５４５１１", "３５０１０２１９８７０３１５４５１１"),
    ("身份证 350102 19870315 4511 。", "350102 19870315 4511"),
    ("身份证号35O1O2l98703154511", "35O1O2l98703154511"),
    ("身份证号3501021987\n03154511", "3501021987\n03154511"),
    ("原身份证号350102870315451，已换发。", "350102870315451"),
    ("护照号码E12345678", "E12345678"),
    ("回乡证号H12345678", "H12345678"),
    ("军官证南字第087315号", "南字第087315号"),
])
def test_id_numbers(analyzer, text, expected):
    s = only(analyzer, text)
    assert (s.label, text[s.start : s.end]) == ("ID_NUMBER", expected)
    assert s.source.startswith("cn_") and s.explanation


def test_wrong_checksum_needs_context(analyzer):
    bad = VALID_ID[:17] + "2"
    s = only(analyzer, f"身份证号{bad}")
    assert s.label == "ID_NUMBER" and s.score < 0.9
    assert s.explanation == "checksum failed, context 身份证号"
    assert found(analyzer, f"编{bad}") == []  # no context: below threshold


@pytest.mark.parametrize("text, expected", [
    ("联系电话13905912345。", "13905912345"),
    ("手机：１３９ ０５９１ ２３４５", "１３９ ０５９１ ２３４５"),
    ("电话：0591-87654321", "0591-87654321"),
    ("传真 (0591)87654322", "(0591)87654322"),
    ("Tel: +86 139 0591 2345", "+86 139 0591 2345"),
    ("电话+86-591-87654321", "+86-591-87654321"),
    ("电话：3356", "3356"),
    ("传呼126-3351872", "126-3351872"),
    ("服务热线400-123-4567", "400-123-4567"),
])
def test_phones_exclude_the_label_word(analyzer, text, expected):
    s = only(analyzer, text)
    assert (s.label, text[s.start : s.end]) == ("PHONE", expected)


def test_phone_list_after_one_label(analyzer):
    assert found(analyzer, "电话87654321、87654322") == [("PHONE", "87654321"), ("PHONE", "87654322")]


def test_emails(analyzer):
    assert found(analyzer, "邮箱linbj@example.cn联系") == [("EMAIL", "linbj@example.cn")]
    assert found(analyzer, "ｌｉｎ．ｂｊ＠ｍａｉｌ．ｆｊ．ｇｏｖ．ｃｎ。") == [("EMAIL", "ｌｉｎ．ｂｊ＠ｍａｉｌ．ｆｊ．ｇｏｖ．ｃｎ")]
    # an e-mail made of digits is an e-mail, not a phone
    assert found(analyzer, "13905912345@qq.com") == [("EMAIL", "13905912345@qq.com")]


def test_bank_accounts(analyzer):
    assert found(analyzer, "卡号 6222 0210 0112 3456 789") == [("BANK_ACCOUNT", "6222 0210 0112 3456 789")]
    assert found(analyzer, "6222021001123456789") == [("BANK_ACCOUNT", "6222021001123456789")]
    text = "开户行：中国工商银行福州分行，账号：1402023209100012345"
    assert found(analyzer, text) == [("BANK_ACCOUNT", "1402023209100012345")]
    s = only(analyzer, "卡号6222021001123456788")
    assert s.label == "BANK_ACCOUNT" and "Luhn failed" in s.explanation
    assert found(analyzer, "存折号 35-0123-4567-89") == [("BANK_ACCOUNT", "35-0123-4567-89")]


@pytest.mark.parametrize("text, expected", [
    ("机密★10年\n关于……的通知", "机密★10年"),
    ("秘密★长期", "秘密★长期"),
    ("绝密★启用前", "绝密★启用前"),
    ("秘密 ★ 3年", "秘密 ★ 3年"),
    ("绝密\n中共福州市委文件", "绝密"),
    ("密级：机密", "机密"),
    ("【秘密】", "秘密"),
    ("内部资料　注意保存", "内部资料　注意保存"),
    ("内部文件，妥善保管", "内部文件，妥善保管"),
    ("标题\n内部资料\n正文", "内部资料"),
])
def test_secret_marks(analyzer, text, expected):
    s = only(analyzer, text)
    assert (s.label, text[s.start : s.end]) == ("SECRET_MARK", expected)


@pytest.mark.parametrize("text", [
    "闽委秘字〔1992〕12号",
    "各单位要保守国家秘密，不得泄露商业秘密和技术秘密。",
    "本厂内部使用的密封件。这份机密文件已归档。",
    "本件已解密（原密级：机密）。",
    "依法保守国家秘密*和商业秘密（10年）。",
    "档号：350102198703154511",
    "闽政〔1992〕28号",
    "邮编350001，福州市鼓楼区。",
    "1996年3月15日，即19960315。",
    "（收文日期：19690911240）",
    "登记19850113419号",
    "发票号码12345678，发票代码135011920123。",
    "税务登记号350102154321234。",
    "税号：610326880412269",
    "统一社会信用代码91350100MA2XY3K47Q。",
    "学号2019010203，准考证号 350102198703154511。",
    "全年实现产值13905912345元，增长12.5%，共6222021001123456789人次。",
    "1992-1995年间，全市人口6,881,234人。",
    "圆周率3.14159265358979323846。",
])
def test_decoys_stay_unflagged(analyzer, text):
    assert found(analyzer, text) == []


def test_table_row_of_adjacent_numbers(analyzer):
    text = f"{VALID_ID} 13905912345"
    assert found(analyzer, text) == [("ID_NUMBER", VALID_ID), ("PHONE", "13905912345")]


def test_spans_never_overlap_and_carry_provenance(analyzer):
    text = (f"姓名林碧军　身份证号{VALID_ID}　手机13905912345　住址福州市鼓楼区杨桥路18号\n"
            "开户行工行福州分行　账号6222021001123456789　邮箱linbj@example.cn\n秘密★5年")
    spans = analyzer.find(text)
    assert [s.label for s in spans] == ["ID_NUMBER", "PHONE", "ADDRESS", "BANK_ACCOUNT", "EMAIL",
                                        "SECRET_MARK"]  # ADDRESS: cn_address.v1, after 住址
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start
    assert all(0.5 <= s.score <= 1 and s.source and s.explanation for s in spans)


@pytest.mark.parametrize("text, expected", [
    ("电话：0591-23456", "0591-23456"),  # a 1980s five-digit subscriber number with area code
    ("住宅电话 （0591）234567", "（0591）234567"),
    ("电话 23456", "23456"),
])
def test_old_short_landlines(analyzer, text, expected):
    s = only(analyzer, text)
    assert (s.label, text[s.start : s.end]) == ("PHONE", expected)


@pytest.mark.parametrize("text, expected", [
    ("【密级】机密\n工作简报", "机密"),
    ("标密：秘密（已于1998年解密）", "秘密"),
    ("【密级】内部资料  经1985年鉴定可开放", "内部资料"),
    ("密级：机密　已解密（1999年）", "机密"),
])
def test_marking_after_field_labels(analyzer, text, expected):
    s = only(analyzer, text)
    assert (s.label, text[s.start : s.end]) == ("SECRET_MARK", expected)


@pytest.mark.parametrize("text, expected", [
    ("电话：+86-27-359875，", "+86-27-359875"),
    ("联系电话号码 73029252。", "73029252"),
])
def test_more_phone_forms(analyzer, text, expected):
    s = only(analyzer, text)
    assert (s.label, text[s.start : s.end]) == ("PHONE", expected)


def test_register_row_with_a_year_after_the_id(analyzer):
    bad = VALID_ID[:17] + "2"
    text = f"次子 华丽 身份证 {bad} 1987年生"
    assert found(analyzer, text) == [("ID_NUMBER", bad)]
    text = "账号：1402-0232-0910012 1990年开户"
    assert found(analyzer, text) == [("BANK_ACCOUNT", "1402-0232-0910012")]


@pytest.mark.parametrize("text, expected", [
    ("密 级：机密　已解密", "机密"),
    ("内部资料  （已解密）", "内部资料"),
])
def test_spaced_field_label_and_internal_with_note(analyzer, text, expected):
    assert found(analyzer, text) == [("SECRET_MARK", expected)]


def test_account_numbers_need_their_cue_right_before(analyzer):
    assert found(analyzer, "帐号迁移的…云霄懒人潮品实体店14131922:") == []
    text = "开户行：中国工商银行福州市鼓楼支行 140202320910"
    assert found(analyzer, text) == [("BANK_ACCOUNT", "140202320910")]
    text = "工资卡号：140202320910001"
    assert found(analyzer, text) == [("BANK_ACCOUNT", "140202320910001")]
