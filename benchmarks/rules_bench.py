"""Exact F1 of the rule analyzer per rule label, and its throughput.

Usage:  .venv/bin/python benchmarks/rules_bench.py [--synth N] [--hard N] [--seed S] [--json]
            [--published [DATASETS] [--examples N]]

Test data, none of it seen by any training:
  * ``training.synth.generate_documents(N, seed, split="test")`` (held-out templates of helper C's
    synthetic archive), when that module exists; and
  * hard cases generated here from their own templates and seed: full-width, spaced, hyphenated,
    OCR-damaged (O/l for 0/1), line-broken numbers (also wrapped onto an indented line), wrong
    check digits with context (also named only by a table's header row), +86 and bracketed area
    codes, Hong Kong/Macao/Taiwan and foreign numbers, local numbers in a 电话 column, foreign
    passports, pagers, accounts named by context, marking variants, and decoys (内部参考 too)
    (档号, 文号, dates, postal codes, invoice and tax numbers, student numbers, amounts,
    statistics) that must stay unflagged.
Scoring goes through ``models.evaluation.evaluate_records`` (exact boundaries and label), with
gold spans restricted to the five rule labels, so PERSON/ADDRESS/... are not counted as misses.
Throughput: characters per second of ``RuleAnalyzer.find`` over all test texts, repeated.

``--published``: false alarms on already-published text (issue 10). Every HEALTH, LEGAL_RECORD,
ADDRESS, ID_NUMBER, PHONE or BANK_ACCOUNT span the rules find in CCTV news 2023-2024, national
laws, judicial interpretations and departmental rules/cases is counted, per file and label, with
its rate per 10,000 characters. The reserved test files (news 2025, administrative regulations,
Wikipedia passages) are never opened.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.analyzer import build_rule_analyzer  # noqa: E402
from models.evaluation import RulesOnlyDetector, evaluate_records  # noqa: E402
from models.recognizers.cn_identifiers import resident_id_check_char  # noqa: E402

RULE_LABELS = ("ID_NUMBER", "PHONE", "EMAIL", "BANK_ACCOUNT", "SECRET_MARK")
REGIONS = ("350102", "350104", "350181", "110105", "440106", "320102", "510104", "620102", "330106",
           "430102", "210102", "650102", "130102", "370102", "420106")
AREA_CODES = ("0591", "0592", "010", "021", "020", "0571", "025", "0595", "0351", "0898")
NAMES = ("林碧军", "王秀英", "陈建华", "黄丽娟", "郑国强", "吴美玲", "刘德明", "张桂兰")
FW = str.maketrans("0123456789Xabcdefghijklmnopqrstuvwxyz@.", "０１２３４５６７８９Ｘａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ＠．")


# --------------------------------------------------------------------------- value generators

def resident_id(rng: random.Random) -> str:
    body = rng.choice(REGIONS) + f"{rng.randint(1925, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + resident_id_check_char(body)


def wrong_check(rid: str) -> str:
    bad = [c for c in "0123456789X" if c != rid[17]]
    return rid[:17] + bad[len(rid) % len(bad)]


def legacy_id(rng: random.Random) -> str:
    return rng.choice(REGIONS) + f"{rng.randint(25, 80)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def landline(rng: random.Random) -> tuple[str, str]:
    area = rng.choice(AREA_CODES)
    n = 8 if len(area) == 3 else rng.choice((7, 8))
    return area, rng.choice("23456789") + "".join(rng.choice("0123456789") for _ in range(n - 1))


def luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        s = prefix + d
        total = sum((int(c) * 2 - 9 if int(c) * 2 > 9 else int(c) * 2) if k % 2 else int(c)
                    for k, c in enumerate(reversed(s)))
        if total % 10 == 0:
            return s
    raise AssertionError


def card(rng: random.Random) -> str:
    n = rng.choice((16, 19))
    prefix = rng.choice(("622202", "621700", "622848", "623668", "436742", "625901"))
    return luhn_complete(prefix + "".join(rng.choice("0123456789") for _ in range(n - 7)))


def spaced(num: str, groups: tuple[int, ...], sep: str = " ") -> str:
    out, k = [], 0
    for g in groups:
        out.append(num[k : k + g])
        k += g
    if k < len(num):
        out.append(num[k:])
    return sep.join(p for p in out if p)


def ocr_damage(num: str, rng: random.Random) -> str:
    chars = list(num)
    idx = [i for i, c in enumerate(chars) if c in "01" and 0 < i < len(chars) - 1]
    for i in rng.sample(idx, min(2, len(idx))):
        chars[i] = {"0": rng.choice("Oo"), "1": rng.choice("lI")}[chars[i]]
    return "".join(chars)


# --------------------------------------------------------------------------- hard-case templates

class Doc:
    """Builds a text from pieces, recording gold spans for labelled pieces."""

    def __init__(self):
        self.parts: list[str] = []
        self.spans: list[dict] = []

    def add(self, s: str, label: str | None = None) -> "Doc":
        if label:
            start = sum(map(len, self.parts))
            self.spans.append({"start": start, "end": start + len(s), "label": label})
        self.parts.append(s)
        return self

    def record(self, rid: str) -> dict:
        return {"id": rid, "text": "".join(self.parts), "spans": self.spans, "decision": None, "reasons": []}


def hard_id(rng: random.Random, d: Doc) -> None:
    name = rng.choice(NAMES)
    rid = resident_id(rng)
    form = rng.randrange(12)
    cue = rng.choice(("身份证号", "身份证号码：", "公民身份号码", "居民身份证：", "证件号码 "))
    if form == 0:
        d.add(f"{name}，{cue}").add(rid, "ID_NUMBER").add("，")
    elif form == 1:
        d.add(f"{name}（{cue}").add(rid.translate(FW), "ID_NUMBER").add("）")
    elif form == 2:
        d.add(f"{cue}").add(spaced(rid, (6, 8, 4), rng.choice((" ", "\u3000"))), "ID_NUMBER").add("。")
    elif form == 3:
        d.add(f"{cue}").add(ocr_damage(rid, rng), "ID_NUMBER").add("；")
    elif form == 4:
        d.add(f"{cue}").add(wrong_check(rid), "ID_NUMBER").add("（核对有误）")
    elif form == 5:
        d.add(f"申请人{name}，").add(rid, "ID_NUMBER").add("，现住本市。")
    elif form == 6:
        k = rng.randint(8, 14)
        d.add(f"{cue}").add(rid[:k] + "\n" + rid[k:], "ID_NUMBER").add("\n")
    elif form == 7:
        d.add("原身份证号：").add(legacy_id(rng), "ID_NUMBER").add("，已换领新证。")
    elif form == 9:  # wrapped onto an indented next line of a form
        k = rng.randint(6, 12)
        d.add(cue).add(rid[:k] + "\n" + rng.choice(("    ", "\u3000\u3000", "\t")) + rid[k:], "ID_NUMBER").add("\n")
    elif form == 10:  # a register table: the header names the column, the check digit is wrong
        d.add("\n姓名｜性别｜身份证号码｜备注\n")
        for _ in range(rng.randint(1, 3)):
            d.add(f"{rng.choice(NAMES)}｜{rng.choice('男女')}｜").add(wrong_check(resident_id(rng)), "ID_NUMBER").add("｜\n")
        d.add("以上情况属实。")
    elif form == 11:  # a foreign passport after 护照号码
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        d.add(rng.choice(("护照号码：", "外国护照号码 ", "护照号"))).add(
            letters + "".join(rng.choice("0123456789") for _ in range(7)), "ID_NUMBER").add("，")
    else:
        d.add(rng.choice(("护照号码：", "护照号"))).add(
            rng.choice(("E", "G")) + "".join(rng.choice("0123456789") for _ in range(8)), "ID_NUMBER").add("，")
        d.add("军官证").add(rng.choice("南北沈兰成济广") + "字第" + f"{rng.randint(0, 999999):06d}" + "号", "ID_NUMBER").add("。")
        d.add(rng.choice(("回乡证号码：", "港澳居民来往内地通行证 "))).add(
            rng.choice("HM") + f"{rng.randint(0, 10**8 - 1):08d}", "ID_NUMBER").add("。")


def hard_phone(rng: random.Random, d: Doc) -> None:
    m = mobile(rng)
    area, sub = landline(rng)
    form = rng.randrange(14)
    if form == 0:
        d.add(rng.choice(("联系电话：", "手机", "电话 "))).add(m, "PHONE").add("。")
    elif form == 11:  # Hong Kong, Macao, Taiwan and foreign numbers with their country code
        local = rng.choice("2369") + "".join(rng.choice("0123456789") for _ in range(3))
        number = rng.choice((f"+852 {local} {rng.randint(1000, 9999)}", f"(852) {local} {rng.randint(1000, 9999)}",
                             f"00853-{local}{rng.randint(1000, 9999)}", f"886-2-{local}-{rng.randint(1000, 9999)}",
                             f"81-6-{local}-{rng.randint(1000, 9999)}", f"1-212-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"))
        d.add(rng.choice(("电话：", "Tel ", "寓所电话"))).add(number, "PHONE").add("。")
    elif form == 12:  # 7- and 8-digit local numbers in the 电话 column of a table
        d.add("\n姓名　　职务　　电话\n")
        for _ in range(rng.randint(1, 3)):
            d.add(f"{rng.choice(NAMES)}　　科员　　").add(landline(rng)[1], "PHONE").add("\n")
    elif form == 13:  # a mobile wrapped onto an indented next line
        d.add("手机：").add(m[:3] + "\n  " + m[3:], "PHONE").add("\n")
    elif form == 1:
        d.add("手机：").add(m.translate(FW), "PHONE").add("，")
    elif form == 2:
        d.add("电话").add(spaced(m, (3, 4, 4), rng.choice((" ", "-"))), "PHONE").add("；")
    elif form == 3:
        d.add("Tel: ").add(rng.choice(("+86 ", "+86-", "(+86)", "0086 ")) + m, "PHONE").add("\n")
    elif form == 4:
        d.add(rng.choice(("办公电话：", "传真：", "电话", "电 话："))).add(f"{area}-{sub}", "PHONE").add("，")
    elif form == 5:
        d.add("联系电话").add(f"({area}){sub}", "PHONE").add("。")
    elif form == 6:
        d.add(rng.choice(("电话：", "分机"))).add(str(rng.randint(2000, 9999)), "PHONE").add("。")
    elif form == 7:
        d.add("电话").add(sub, "PHONE").add("、").add(str(int(sub) + 1), "PHONE").add("。")
    elif form == 8:
        d.add("传呼").add(f"{rng.choice(('126', '127', '128', '191'))}-{rng.randint(1000000, 9999999)}", "PHONE").add("。")
    elif form == 9:
        d.add("联系人：张科长，").add(m, "PHONE").add("。")
    else:
        d.add("电话：").add(f"{area}-{sub}".translate(FW), "PHONE").add("（传真同号）")


def hard_email(rng: random.Random, d: Doc) -> None:
    user = rng.choice(("linbj", "wang.xy", "chen_jh", "fzda2020", "hl-juan"))
    dom = rng.choice(("example.cn", "fj.gov.cn", "163.com", "mail.fzu.edu.cn"))
    addr = f"{user}@{dom}"
    form = rng.randrange(3)
    if form == 0:
        d.add("电子邮箱：").add(addr, "EMAIL").add("。")
    elif form == 1:
        d.add("邮箱").add(addr.translate(FW), "EMAIL").add("联系。")
    else:
        d.add("来信请寄").add(addr, "EMAIL").add("，或致电。")


def hard_bank(rng: random.Random, d: Doc) -> None:
    c = card(rng)
    form = rng.randrange(6)
    if form == 0:
        d.add("银行卡号：").add(c, "BANK_ACCOUNT").add("。")
    elif form == 5:  # an account wrapped onto an indented next line
        acct = spaced("".join(rng.choice("0123456789") for _ in range(19)), (4, 4, 4, 4))
        k = acct.index(" ", 8)
        d.add("账号：").add(acct[:k] + "\n" + rng.choice(("      ", "\u3000\u3000")) + acct[k + 1:], "BANK_ACCOUNT").add("\n")
    elif form == 1:
        d.add("卡号 ").add(spaced(c, (4, 4, 4, 4)), "BANK_ACCOUNT").add("，")
    elif form == 2:
        acct = "".join(rng.choice("0123456789") for _ in range(rng.choice((12, 17, 19, 21))))
        d.add("开户行：中国工商银行福州分行，账号：").add(acct, "BANK_ACCOUNT").add("。")
    elif form == 3:
        d.add("工资卡").add(c, "BANK_ACCOUNT").add("已冻结。")
    else:
        d.add("存折号").add(spaced("".join(rng.choice("0123456789") for _ in range(14)), (4, 4, 6), "-"),
                          "BANK_ACCOUNT").add("。")


def hard_mark(rng: random.Random, d: Doc) -> None:
    form = rng.randrange(7)
    level = rng.choice(("绝密", "机密", "秘密"))
    if form == 0:
        d.add(f"{level}★{rng.randint(1, 30)}年", "SECRET_MARK").add("\n关于做好有关工作的通知\n")
    elif form == 1:
        d.add(f"{level}★长期", "SECRET_MARK").add("\n")
    elif form == 2:
        d.add("\n").add(level, "SECRET_MARK").add("\n中共某某委员会文件\n")
    elif form == 3:
        d.add("内部资料\u3000注意保存", "SECRET_MARK").add("\n")
    elif form == 4:
        d.add("密级：").add(level, "SECRET_MARK").add("\n")
    elif form == 5:
        d.add(f"{level}★", "SECRET_MARK").add("\n")
    else:
        d.add("【").add(level, "SECRET_MARK").add("】\n")


DECOYS = (
    lambda rng: f"档号：{resident_id(rng)}。",
    lambda rng: f"闽政〔{rng.randint(1980, 2000)}〕{rng.randint(1, 99)}号。",
    lambda rng: f"闽委秘字〔{rng.randint(1980, 2000)}〕{rng.randint(1, 99)}号。",
    lambda rng: f"于{rng.randint(1950, 1999)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}登记。",
    lambda rng: f"邮编{rng.choice(('350001', '350003', '100010'))}，",
    lambda rng: f"发票号码{rng.randint(10000000, 99999999)}，发票代码{rng.randint(10**11, 10**12 - 1)}。",
    lambda rng: f"税务登记号{rng.choice(REGIONS)}{rng.randint(10**8, 10**9 - 1)}。",
    lambda rng: f"学号{rng.randint(2000, 2020)}{rng.randint(100000, 999999)}。",
    lambda rng: f"全年产值{rng.randint(10**9, 10**11)}元，增长{rng.randint(1, 30)}.{rng.randint(0, 9)}%。",
    lambda rng: f"全市人口{rng.randint(1000000, 9999999)}人，户数{rng.randint(100000, 999999)}户。",
    lambda rng: "要严格保守国家秘密，不得泄露商业秘密、技术秘密。",
    lambda rng: "本厂内部使用的密封件已更换。",
    lambda rng: "该件已解密（原密级：机密）。",
    lambda rng: rng.choice(("内部参考\n第2345期\n", "摘自新华社《内部参考》。", "此事曾登内参。")),
    lambda rng: f"编号{card(rng)}。",
)


def hard_cases(n: int, seed: int) -> list[dict]:
    """``n`` documents of 3-6 hard-case sentences with decoys between them."""
    rng = random.Random(seed)
    makers = (hard_id, hard_phone, hard_email, hard_bank, hard_mark)
    out = []
    for i in range(n):
        d = Doc()
        for _ in range(rng.randint(3, 6)):
            d.add(rng.choice(DECOYS)(rng))
            rng.choice(makers)(rng, d)
        out.append(d.record(f"hard-{seed}-{i}"))
    return out


def synth_test(n: int, seed: int) -> list[dict] | None:
    try:
        from training.synth import generate_documents
    except ImportError as exc:  # not written yet (helper C), or half-written
        print(f"training.synth unavailable: {exc}", file=sys.stderr)
        return None
    return generate_documents(n, seed, split="test")


def restrict(records: list[dict]) -> list[dict]:
    out = []
    for r in records:
        r = dict(r)
        r["spans"] = [s for s in r["spans"] if s["label"] in RULE_LABELS]
        r["decision"] = None
        out.append(r)
    return out


def per_label(result: dict) -> dict:
    return {label: {k: result["spans"].get(label, {}).get(k) for k in ("precision", "recall", "f1", "support")}
            for label in RULE_LABELS}


def throughput(analyzer, texts: list[str], min_seconds: float = 2.0) -> float:
    chars, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds:
        for t in texts:
            analyzer.find(t)
            chars += len(t)
    return chars / (time.perf_counter() - t0)


def show_errors(records: list[dict], detector, limit: int) -> list[str]:
    lines = []
    for r in records:
        # the exact labels only: the sets are annotated for them (HEALTH, ADDRESS ... are not scored)
        pred = {(s.start, s.end, s.label) for s in detector.detect(r["text"]) if s.label in RULE_LABELS}
        gold = {(s["start"], s["end"], s["label"]) for s in r["spans"] if s["label"] in RULE_LABELS}
        for kind, items in (("missed", gold - pred), ("spurious", pred - gold)):
            for s, e, label in sorted(items):
                ctx = r["text"][max(0, s - 12) : e + 6].replace("\n", "⏎")
                lines.append(f"{kind:<8} {label:<12} {r['text'][s:e]!r:<30} …{ctx}…  [{r['id']}]")
                if len(lines) >= limit:
                    return lines
    return lines


#: Already-published text that may be read to measure false alarms (issue 10): news 2023-2024,
#: national laws, judicial interpretations, departmental rules and published cases.
PUBLISHED_FILES = (
    "xwlb_cctv_news_transcripts/xwlb_2023.jsonl",
    "xwlb_cctv_news_transcripts/xwlb_2024.jsonl",
    "lawrefbook_cn_laws/laws_national.jsonl",
    "lawrefbook_cn_laws/judicial_interpretations.jsonl",
    "lawrefbook_cn_laws/departmental_rules_cases_standards.jsonl",
)
#: Reserved test data (issue 10): never opened here, not even to count characters.
RESERVED_FILES = frozenset({"xwlb_2025.jsonl", "administrative_regulations.jsonl",
                            "cmrc2018_wiki_passages.jsonl"})
#: The personal-record labels whose spans on published text are false alarms.
PERSONAL_RECORD_LABELS = ("HEALTH", "LEGAL_RECORD", "ADDRESS", "ID_NUMBER", "PHONE", "BANK_ACCOUNT")


def published_texts(path: Path) -> list[str]:
    """The published documents of one JSON Lines file: title, header lines and body, one string
    per record (the fields a reader sees; ids, dates and URLs left out)."""
    if path.name in RESERVED_FILES:
        raise ValueError(f"{path.name} is reserved test data and is not read by this benchmark")
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            parts = [rec.get("title") or ""]
            header = rec.get("header") or []
            parts.extend(header if isinstance(header, list) else [str(header)])
            parts.append(rec.get("text") or "")
            texts.append("\n".join(p for p in parts if p))
    return texts


def published_false_alarms(analyzer, root: Path, examples: int = 0) -> dict:
    """Personal-record spans the rules find on already-published text, per file and label.

    Published news and statutes hold no personal records of private persons, so every such span
    is counted as a false alarm (an office hotline the rules read as PHONE counts too: the
    target, <= 0.5 per 10,000 characters, leaves room for those). Rates are per 10,000 characters.
    """
    files: dict[str, dict] = {}
    listed: list[dict] = []
    total_chars, total_counts, seconds = 0, dict.fromkeys(PERSONAL_RECORD_LABELS, 0), 0.0
    for rel in PUBLISHED_FILES:
        path = root / rel
        if not path.is_file():
            files[rel] = {"missing": str(path)}
            continue
        texts = published_texts(path)
        chars = sum(map(len, texts))
        counts = dict.fromkeys(PERSONAL_RECORD_LABELS, 0)
        t0 = time.perf_counter()
        found = [(t, analyzer.find(t)) for t in texts]
        seconds += time.perf_counter() - t0
        for t, spans in found:
            for s in spans:
                if s.label not in counts:
                    continue
                counts[s.label] += 1
                if len(listed) < examples:
                    listed.append({"file": rel.rsplit("/", 1)[-1], "label": s.label, "text": t[s.start:s.end],
                                   "context": t[max(0, s.start - 15):s.end + 10].replace("\n", "⏎"),
                                   "source": s.source, "why": s.explanation})
        n = sum(counts.values())
        files[rel] = {"documents": len(texts), "characters": chars, "counts": counts, "total": n,
                      "per_10k": {k: round(v * 1e4 / chars, 3) for k, v in counts.items()} if chars else {},
                      "total_per_10k": round(n * 1e4 / chars, 3) if chars else None}
        total_chars += chars
        for k, v in counts.items():
            total_counts[k] += v
    n = sum(total_counts.values())
    return {"files": files, "characters": total_chars, "counts": total_counts, "total": n,
            "total_per_10k": round(n * 1e4 / total_chars, 3) if total_chars else None,
            "chars_per_second": round(total_chars / seconds, 1) if seconds else None,
            "examples": listed}


def print_published(report: dict) -> None:
    labels = PERSONAL_RECORD_LABELS
    short = {"LEGAL_RECORD": "LEGAL", "ID_NUMBER": "ID", "BANK_ACCOUNT": "BANK"}
    print("\n== published text (no personal records expected): false spans, count (per 10k characters)")
    print(f"{'file':<44}{'chars':>10}" + "".join(f"{short.get(l, l):>14}" for l in labels) + f"{'all':>14}")
    for rel, f in report["files"].items():
        name = rel.rsplit("/", 1)[-1]
        if "missing" in f:
            print(f"{name:<44} missing: {f['missing']}")
            continue
        cells = "".join(f"{f['counts'][l]:>6} ({f['per_10k'][l]:.2f})" for l in labels)
        print(f"{name:<44}{f['characters']:>10,}{cells}{f['total']:>6} ({f['total_per_10k']:.2f})")
    if report["characters"]:
        cells = "".join(f"{report['counts'][l]:>6} ({report['counts'][l] * 1e4 / report['characters']:.2f})"
                        for l in labels)
        print(f"{'all allowed published text':<44}{report['characters']:>10,}{cells}"
              f"{report['total']:>6} ({report['total_per_10k']:.2f})")
        print(f"scanned at {report['chars_per_second']:,.0f} characters/s")
    for h in report["examples"]:
        print(f"  {h['label']:<12} {h['text']!r:<20} …{h['context']}…  [{h['file']}; {h['source']}: {h['why']}]")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synth", type=int, default=500, help="held-out synthetic documents (training.synth)")
    ap.add_argument("--hard", type=int, default=500, help="hard-case documents")
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--errors", type=int, default=20, help="print up to this many errors")
    ap.add_argument("--published", nargs="?", type=Path, const=True, default=None, metavar="DATASETS",
                    help="also count false personal-record spans on the allowed published text (news "
                         "2023-2024, laws, judicial interpretations, departmental rules) under DATASETS "
                         "(default: $KAIFANG_SHARED_DATASETS or ../shared/datasets)")
    ap.add_argument("--examples", type=int, default=0, help="with --published: list this many false spans")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    analyzer = build_rule_analyzer()
    detector = RulesOnlyDetector(analyzer)
    sets: dict[str, list[dict]] = {"hard_cases": hard_cases(args.hard, args.seed)}
    synth = synth_test(args.synth, args.seed) if args.synth else None
    if synth is not None:
        sets["synth_test"] = restrict(synth)
    sets["all"] = [r for v in list(sets.values()) for r in v]
    report: dict = {"analyzer": analyzer.version, "recognizers": analyzer.names, "seed": args.seed,
                    "synth_available": synth is not None}
    for name, recs in sets.items():
        res = evaluate_records(recs, detector)
        report[name] = {"documents": res["documents"], "characters": res["characters"],
                        "per_label": per_label(res), "micro": res["spans"]["micro"]}
    texts = [r["text"] for r in sets["all"]]
    report["chars_per_second"] = round(throughput(analyzer, texts), 1)
    errors = show_errors(sets["all"], detector, args.errors)
    if args.published is not None:
        root = args.published
        if root is True:
            from training.gazetteers import shared_datasets_dir

            root = shared_datasets_dir()
        if not root.is_dir():
            print(f"rules_bench: datasets folder not found: {root}", file=sys.stderr)
            return 2
        report["published"] = published_false_alarms(analyzer, root, args.examples)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for name in [k for k in sets]:
            r = report[name]
            print(f"\n== {name}: {r['documents']} documents, {r['characters']} characters")
            print(f"{'label':<14}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}")
            for label, e in r["per_label"].items():
                if e["support"] is None:
                    print(f"{label:<14}{'-':>8}{'-':>8}{'-':>8}{0:>9}")
                    continue
                print(f"{label:<14}{e['precision']:>8.4f}{e['recall']:>8.4f}{e['f1']:>8.4f}{e['support']:>9}")
        print(f"\nrule analyzer throughput: {report['chars_per_second']:,.0f} characters/s (one process)")
        if synth is None:
            print("training.synth not available: held-out synthetic set skipped")
        if "published" in report:
            print_published(report["published"])
        if errors:
            print("\nerrors (first %d):" % len(errors))
            print("\n".join(errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
