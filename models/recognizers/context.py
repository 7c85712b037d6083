"""The cue words that say what a nearby number is (matched in the normalised text).

One vocabulary for all numeric recognizers, so that they agree: the nearest cue before a number
decides its reading. ``decoy`` cues (档号, 文号, 邮编, 发票号码, 税务登记号 ...) veto every reading.
Spaced form labels (``电　　话`` in a table, normalised to ``电  话``) match too: the Chinese cue words
allow up to three spaces between their characters (``models.recognizers.base.ContextWords``).
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from models.recognizers.base import ContextHit, ContextWords
from models.recognizers.tables import column_header, label_above

ID_WORDS = (
    "公民身份号码", "公民身份证号码", "公民身份证件编号", "身份证件编号", "证件编号", "居民身份证号码", "居民身份证号", "居民身份证", "身份证号码",
    "身份证号", "身份证编号", "身份证件号码", "身份证", "身份号码", "证件号码", "证件号", "身份证明号码",
    "ID No", "ID号",
)
PASSPORT_WORDS = ("护照号码", "护照号", "护照", "Passport No", "Passport")
PERMIT_WORDS = (
    "港澳居民来往内地通行证", "港澳同胞回乡证", "回乡证号码", "回乡证号", "回乡证", "往来港澳通行证",
    "通行证号码", "通行证号", "通行证",
)
MILITARY_WORDS = ("军官证号码", "军官证号", "军官证", "士兵证", "文职干部证", "军人证件")
PHONE_WORDS = (
    "联系电话号码", "联系电话", "电话号码", "办公电话号码", "住宅电话号码", "联系人", "办公电话", "住宅电话",
    "值班室", "值班", "办公", "住宅",  # a directory's columns: 办公 223156 住宅 641092 (see WEAK_PHONE_WORDS) "家庭电话", "值班电话", "移动电话", "固定电话",
    "手机号码", "手机号", "手机", "电话", "宅电", "座机", "小灵通", "联系方式",
    "联系号码", "分机", "总机", "传真号码", "传真", "电传", "Tel", "TEL", "tel", "Fax", "FAX",
    "fax", "Mobile", "电挂",
)
#: Phone cues that are ordinary words too (住宅 is also a land use): a local number after them needs
#: five digits or more and must not look like a year or a date.
WEAK_PHONE_WORDS = frozenset({"办公", "住宅"})
PAGER_WORDS = ("传呼", "寻呼", "呼机", "BP机", "拷机", "BB机")
BANK_WORDS = (
    "银行账号", "银行帐号", "银行卡号", "银行账户", "开户账号", "开户帐号", "开户银行", "开户行",
    "账号", "帐号", "账户", "帐户", "卡号", "银行卡", "存折号", "存折", "储蓄卡", "信用卡", "借记卡",
    "基本户", "汇款账号", "收款账号", "工资卡", "社保卡", "医保卡",
)
DECOY_WORDS = (
    "档号", "档案号", "全宗号", "目录号", "案卷号", "卷号", "件号", "文号", "发文字号", "发票号码",
    "发票代码", "发票号", "税务登记证号", "税务登记号", "税务登记证", "纳税人识别号", "纳税识别号", "税号", "纳税号", "税务编码",
    "统一社会信用代码", "社会信用代码", "组织机构代码", "营业执照号", "注册号", "学号", "学籍号",
    "准考证号", "考号", "邮编", "邮政编码", "编号", "编码", "批号", "批准文号", "合同号",
    "合同编号", "订单号", "流水号", "案号", "登记号", "许可证号", "执照号", "代码", "工号", "序号",
    "证书编号", "证书号", "车牌", "车号", "页码", "样本号", "问卷号", "凭证号", "票号", "单号",
    "日期", "收文日期", "发文日期", "出生日期", "时间", "床号", "病案号", "住院号", "门诊号", "型号", "规格", "批次", "行号", "联行号", "电报挂号",
)

CONTEXT = ContextWords({
    "id": ID_WORDS,
    "passport": PASSPORT_WORDS,
    "permit": PERMIT_WORDS,
    "military": MILITARY_WORDS,
    "pager": PAGER_WORDS,
    "phone": PHONE_WORDS,
    "bank": BANK_WORDS,
    "decoy": DECOY_WORDS,
}, first_number_only=("decoy",))

#: A header cell or form label is short and holds no digits (a data cell that happens to contain
#: a cue word, such as an address 电话局宿舍3号, is no header).
_MAX_LABEL = 12
_HAS_DIGIT = re.compile(r"[0-9]")


_CELL_BREAK = re.compile(r"[|\t│┃]")
_NOTE = re.compile(r"\([^()]*\)|[ :：]")


def _is_label(cell: str) -> bool:
    """A cell that names a column: short, no digits, ending with a cue word that is most of it
    (办公电话, 身份证号码, 工资卡号(工行)); 办公室 and 市政府办公室 hold the cue 办公 but are values."""
    if len(cell) > _MAX_LABEL or _HAS_DIGIT.search(cell):
        return False
    core = _NOTE.sub("", cell)
    hit = CONTEXT.in_label(core, at_end=True)
    return hit is not None and 2 * len(hit.word) >= len(core)


@lru_cache(maxsize=8192)
def cue_before(text: str, pos: int, window: int = 24) -> ContextHit | None:
    """What the number at ``pos`` (normalised text) is, by the cue that names it.

    The nearest cue word before it in its clause (``CONTEXT.nearest``); failing that, the header
    cell of its table column (``身份证号`` many rows above), or a cue that ends the line above
    (``联系电话：`` then the number on the next line). Every numeric recognizer asks this one
    function, so that they agree on what a number is (cached: they ask about the same numbers).
    """
    hit = CONTEXT.nearest(text, pos, window)
    if hit is not None and not _CELL_BREAK.search(text, pos - hit.distance, pos):
        return hit
    # no cue in this cell (a cue in another cell of the row names that cell's value): the column
    head = column_header(text, pos, _is_label)
    if head is not None:
        column = CONTEXT.in_label(_NOTE.sub("", head[0]), at_end=True)
        if column is not None:
            return replace(column, where="column")
    if hit is not None:
        return hit
    above = label_above(text, pos)
    if above is not None:  # the line above ends with the cue (…护照号码⏎TR4082715)
        hit = CONTEXT.in_label(above[0].strip(), at_end=True)
        return None if hit is None else replace(hit, where="above")
    return None


#: Units after a number that make it a quantity (an amount, a count, a year), not an identifier.
QUANTITY_AFTER = (
    "元", "万", "亿", "千", "百", "%", "‰", "年", "吨", "人", "户", "个", "件", "平方", "公里", "米",
    "斤", "公斤", "亩", "次", "台", "辆", "册", "页", "份", "名", "株", "头", "只", "美元", "港元",
)


_QUANTITY = re.compile(" ?(?:" + "|".join(re.escape(u) for u in sorted(QUANTITY_AFTER, key=len, reverse=True)) + ")")


def quantity_follows(text: str, end: int) -> bool:
    """True when a unit word follows ``end`` (after at most one space)."""
    return _QUANTITY.match(text, end) is not None
