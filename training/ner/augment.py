"""Layout augmentation for tagger training: the shapes archival text has and newswire lacks.

Why: the public corpora are running sentences. Archival records put names in form cells
(``｜鲁秀英｜女｜``), pad two-character names to three widths (``黎　平``), and come out of OCR
with a space between every character (``审 判 员``). A tagger that never saw a ``｜`` treats it
as an unknown character, and unknown characters look like rare name characters, so it tagged
``｜鲁秀英`` as one name. Each transformation here rewrites a record's text and moves its spans
with it (an insertion inside a span stays inside it), so the labels stay exact.
"""
from __future__ import annotations

import random
import re
from typing import Callable

from models.persons import COMPOUND_SURNAMES

_CELL_BREAK = re.compile(r"[，、：；:,;]")


def rebuild(record: dict, inserts: dict[int, str], replace: dict[int, str] | None = None) -> dict:
    """``record`` with ``inserts[i]`` put before character ``i`` and ``replace[i]`` instead of it.

    Span boundaries move with their characters; text inserted before a span's first character
    stays outside the span, text inserted before any later character of it falls inside.
    """
    replace = replace or {}
    text = record["text"]
    out: list[str] = []
    start_of: list[int] = []  # new index of each old character
    pos = 0
    for i, ch in enumerate(text):
        ins = inserts.get(i, "")
        out.append(ins)
        pos += len(ins)
        start_of.append(pos)
        rep = replace.get(i, ch)
        out.append(rep)
        pos += len(rep)
    tail = inserts.get(len(text), "")
    out.append(tail)
    new_text = "".join(out)
    end_of = [start_of[i] + len(replace.get(i, text[i])) for i in range(len(text))]
    spans = []
    for s in record.get("spans", []):
        ns, ne = start_of[s["start"]], end_of[s["end"] - 1]
        spans.append(dict(s, start=ns, end=ne))
    return dict(record, text=new_text, spans=spans)


def pad_two_character_names(record: dict, rng: random.Random, p: float = 0.5) -> dict:
    """林岚 -> 林　岚 (a full-width space inside a two-character PERSON span)."""
    inserts = {s["start"] + 1: "\u3000" for s in record.get("spans", [])
               if s["label"] == "PERSON" and s["end"] - s["start"] == 2 and rng.random() < p}
    return rebuild(record, inserts) if inserts else record


def as_table_row(record: dict, rng: random.Random) -> dict:
    """Clause punctuation outside spans becomes a cell border; the row gets borders at its ends."""
    inside = {i for s in record.get("spans", []) for i in range(s["start"], s["end"])}
    border = rng.choice(["｜", "|", " ｜ ", "\t", "　　"])
    replace = {m.start(): border for m in _CELL_BREAK.finditer(record["text"])
               if m.start() not in inside}
    inserts = {0: "｜", len(record["text"]): "｜"} if border.strip() in ("｜", "|") else {}
    return rebuild(record, inserts, replace)


def ocr_spaced(record: dict, rng: random.Random) -> dict:
    """A space between characters, as OCR of a spaced typewritten page gives (审 判 员)."""
    text = record["text"]
    inserts = {i: " " for i in range(1, len(text))
               if not text[i].isspace() and not text[i - 1].isspace()}
    return rebuild(record, inserts)


# Name shapes the newswire corpora rarely show and archival records of every province do: compound
# surnames, Uyghur, Tibetan and Mongolian names, Japanese names, transliterations with a middle dot.
# Syllable inventories written from general knowledge (common components of each naming
# tradition), drawn at random, so that the tagger learns the shapes rather than any list.
_COMPOUND = tuple(sorted(COMPOUND_SURNAMES))
_GIVEN = ("明", "华", "建", "国", "志", "文", "德", "秀", "英", "兰", "芳", "军", "平", "伟", "强",
          "春", "海", "玉", "淑", "桂", "红", "荣", "清", "林", "勇", "敏", "静", "丽", "宏", "新",
          "福", "贵", "云", "峰", "刚", "燕", "霞", "辉", "俊", "良", "成", "和", "诚", "仁", "泽",
          "珍", "凤", "梅", "生", "发", "宝", "金", "振", "忠", "祥", "永", "树", "庆", "宗", "兴")
_UYGHUR = ("买买提", "艾力", "阿不都", "吐尔逊", "热合曼", "沙比尔", "库尔班", "艾尼瓦尔", "依明",
           "托合提", "努尔", "阿依古丽", "帕提古丽", "热依拉", "古丽", "玉苏甫", "阿布拉", "米吉提",
           "卡德尔", "斯拉木", "肉孜", "伊力哈木", "麦麦提", "塔依尔", "亚森", "吾守尔", "阿迪力",
           "哈力克", "巴拉提", "克里木", "阿合买提", "加帕尔", "努尔兰", "赛力克")
_TIBETAN = ("扎西", "次仁", "拉巴", "白玛", "央宗", "卓玛", "平措", "旺堆", "达瓦", "多吉", "格桑",
            "尼玛", "顿珠", "才让", "拉毛", "次旦", "边巴", "普布", "索朗", "益西", "德吉", "曲珍",
            "仁增", "罗布", "贡布", "洛桑", "丹增", "措姆", "桑珠", "旦增", "群培", "加措")
_MONGOL = ("巴图", "孟和", "乌力吉", "额尔敦", "其其格", "那日苏", "宝音", "巴特尔", "苏和", "朝鲁",
           "图雅", "哈斯", "斯琴", "乌云", "达来", "敖其尔", "格日勒", "布和", "阿拉坦", "满都拉")
_JP_FAMILY = ("田中", "中村", "山本", "佐藤", "铃木", "高桥", "渡边", "伊藤", "小林", "加藤", "吉田",
              "山田", "松本", "井上", "木村", "清水", "森", "大森", "石井", "藤原")
_JP_GIVEN = ("一郎", "健一", "和子", "美代子", "浩", "明美", "正雄", "幸子", "隆", "洋子", "茂",
             "惠子", "清", "俊夫", "裕子")
_WEST = ("约翰", "史密斯", "玛丽", "安娜", "彼得", "伊万", "诺维奇", "维克多", "塔季扬娜", "克拉尔",
         "扬", "卡尔", "汉斯", "施密特", "安德烈", "伊戈尔", "罗伯特", "桑托斯", "路易", "马丁",
         "弗朗茨", "米哈伊尔", "谢尔盖", "彼得罗夫", "亨利", "乔治")


def _random_name(rng: random.Random, surnames: tuple[str, ...]) -> str:
    kind = rng.random()
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    if kind < 0.30:
        return rng.choice(_COMPOUND) + given
    if kind < 0.45:
        return rng.choice(surnames) + given
    if kind < 0.62:
        return rng.choice(_UYGHUR) + "·" + rng.choice(_UYGHUR)
    if kind < 0.77:
        return rng.choice(_TIBETAN) + rng.choice(_TIBETAN)
    if kind < 0.86:
        return "".join(rng.sample(_MONGOL, rng.choice((1, 2))))
    if kind < 0.94:
        return rng.choice(_JP_FAMILY) + rng.choice(_JP_GIVEN)
    return rng.choice(_WEST) + "·" + rng.choice(_WEST)


def replace_names(record: dict, rng: random.Random, p: float = 0.7,
                  surnames: tuple[str, ...] = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周",
                                               "吴")) -> dict:
    """PERSON spans replaced by names of the shapes above (the context stays the record's own)."""
    text = record["text"]
    spans = sorted(record.get("spans", []), key=lambda s: s["start"])
    out, new_spans, pos = [], [], 0
    changed = False
    for s in spans:
        out.append(text[pos:s["start"]])
        start = sum(map(len, out))
        if s["label"] == "PERSON" and rng.random() < p:
            surface = _random_name(rng, surnames)
            changed = True
        else:
            surface = text[s["start"]:s["end"]]
        out.append(surface)
        new_spans.append(dict(s, start=start, end=start + len(surface)))
        pos = s["end"]
    out.append(text[pos:])
    if not changed:
        return record
    return dict(record, text="".join(out), spans=new_spans)


AUGMENTATIONS: dict[str, Callable[[dict, random.Random], dict]] = {
    "names": replace_names,
    "pad_names": pad_two_character_names,
    "table_row": as_table_row,
    "ocr_spaced": ocr_spaced,
}


def augment(records: list[dict], rates: dict[str, float], seed: int,
            surnames: tuple[str, ...] | None = None) -> list[dict]:
    """Copies of a seeded share of ``records`` per augmentation (the originals are kept).

    ``surnames``: the surname inventory names are drawn from (the whole list, so that rare
    surnames such as 逄, 揭, 隋, 谯 are seen as names, not only 王 and 李). Every layout copy also
    gets new names half of the time: a rare name in a form cell is the hardest case.
    """
    rng = random.Random(seed)
    kw = {"surnames": tuple(surnames)} if surnames else {}
    out = []
    for name, rate in rates.items():
        fn = AUGMENTATIONS[name]
        for r in records:
            if rng.random() < rate:
                if name == "names":
                    new = replace_names(r, rng, **kw)
                else:
                    new = fn(replace_names(r, rng, p=0.5, **kw), rng)
                if new is not r:
                    out.append(dict(new, id=f"{r.get('id', '')}+{name}"))
    return out
