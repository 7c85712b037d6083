"""A small crafted corpus of Chinese archival records for the decision tests.

Not the synthetic corpus (training.synth, owned by helper C): a few hand-written templates per
GUIDELINES rule, with exact span offsets, so the decision tests run in seconds and do not depend
on another module. Each builder returns a SCHEMA.md record.
"""
from __future__ import annotations

import random

NAMES = ["林碧军", "王秀英", "陈建华", "黄志明", "郑丽娟", "吴国平", "刘德胜", "张桂兰", "李春生", "周美玲"]
PLACES = ["马尾区", "鼓楼区", "晋安区新店镇", "平潭综合实验区", "闽侯县上街镇", "长乐区"]
ORGS = ["福州市档案局", "琯头镇党委", "福州第一针织厂", "马尾区人民政府", "福州市水利局"]
IDS = ["350102198703154511", "350104196512230028", "35012119720808331X", "350111198001015678"]
ADDRS = ["福州市鼓楼区杨桥路18号3栋502室", "晋安区新店镇赤桥村3组12号", "台江区上海新村5座201室"]
PHONES = ["0591-87654321", "13905912345", "0591-83345678"]
HEALTH = ["确诊为肺结核", "患有精神分裂症", "七级伤残", "确诊为乳腺癌"]
LEGAL = ["判处有期徒刑三年", "给予党内严重警告处分", "刑事拘留", "劳动教养二年"]


class _Doc:
    """Builds text piece by piece and records span offsets as it goes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[dict] = []
        self.pos = 0

    def add(self, s: str, label: str | None = None) -> "_Doc":
        if label:
            self.spans.append({"start": self.pos, "end": self.pos + len(s), "label": label})
        self.parts.append(s)
        self.pos += len(s)
        return self

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _record(i: int, d: _Doc, decision: str, reasons: list[str], rng: random.Random, *, title: str,
            genre: str, classification: str = "", closure: str | None = None) -> dict:
    year = rng.randint(1965, 1995)
    return {
        "id": f"crafted-{i:04d}", "text": d.text, "spans": d.spans, "decision": decision, "reasons": reasons,
        "closure": closure, "title": title, "genre": genre, "year": year,
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "classification": classification,
        "creator": rng.choice(ORGS), "reference_code": f"J{rng.randint(1, 99):03d}-{year}-{i:04d}",
    }


def public_notice(i: int, rng: random.Random) -> dict:
    d = _Doc()
    place = rng.choice(PLACES)
    d.add("关于").add(place, "LOC").add(f"{rng.choice(['农田水利建设', '春耕生产', '植树造林', '道路修缮'])}工作的通知\n")
    d.add("各乡镇人民政府：\n    根据").add(rng.choice(ORGS), "ORG").add("的部署，现将有关事项通知如下。")
    d.add("今年计划完成工程").add(str(rng.randint(5, 60))).add("处，所需经费由县财政统筹安排。")
    d.add("请各单位认真组织实施，按时上报进度。联系人：").add(rng.choice(NAMES), "PERSON")
    d.add("，电话").add(rng.choice(PHONES[::2]), "PHONE").add("。\n")
    d.add(rng.choice(ORGS), "ORG").add("\n")
    return _record(i, d, "OPEN", [], rng, title="工作通知", genre=rng.choice(["通知", "经济", "计划"]))


def declassified_notice(i: int, rng: random.Random) -> dict:
    d = _Doc()
    d.add(rng.choice(["机密★10年", "秘密★5年", "机密"]), "SECRET_MARK")
    d.add(f"（已解密，解密日期：{rng.randint(1996, 2010)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日）\n")
    d.add("关于").add(rng.choice(PLACES), "LOC").add("粮食生产情况的通报\n    全年粮食总产量比上年增长")
    d.add(f"{rng.randint(2, 9)}%，各地要继续抓好农业生产。\n").add(rng.choice(ORGS), "ORG").add("\n")
    return _record(i, d, "OPEN", [], rng, title="情况通报", genre="统计", classification="")


def incidental_personal(i: int, rng: random.Random) -> dict:
    d = _Doc()
    d.add("关于").add(rng.choice(PLACES), "LOC").add("安置房分配工作的情况报告\n    本年度共分配安置房")
    d.add(f"{rng.randint(20, 200)}套，工作总体顺利。其中村民").add(rng.choice(NAMES), "PERSON")
    d.add("（身份证号").add(rng.choice(IDS), "ID_NUMBER").add("），原住").add(rng.choice(ADDRS), "ADDRESS")
    d.add("，宅电").add(rng.choice(PHONES), "PHONE")
    d.add("，因房屋拆迁申请调换，经研究同意。下一步将继续做好群众工作。\n").add(rng.choice(ORGS), "ORG")
    rec = _record(i, d, "OPEN_REDACTED", ["PERSONAL_INFO"], rng, title="情况报告", genre="工作报告")
    rec["redact"] = [{**s, "reason": "PERSONAL_INFO"} for s in d.spans if s["label"] in ("ID_NUMBER", "ADDRESS", "PHONE")]
    return rec


def medical_file(i: int, rng: random.Random) -> dict:
    d = _Doc()
    name = rng.choice(NAMES)
    d.add("病历摘要\n患者").add(name, "PERSON").add("，住").add(rng.choice(ADDRS), "ADDRESS")
    d.add("，身份证号").add(rng.choice(IDS), "ID_NUMBER").add("。入院后").add(rng.choice(HEALTH), "HEALTH")
    d.add("，住院治疗").add(str(rng.randint(10, 90))).add("天。出院诊断证明由主治医师签字。\n")
    return _record(i, d, "CLOSED", ["PERSONAL_INFO"], rng, title="病历", genre="医疗档案", closure="CONTROLLED")


def criminal_file(i: int, rng: random.Random) -> dict:
    d = _Doc()
    d.add("刑事判决书\n被告人").add(rng.choice(NAMES), "PERSON").add("，住").add(rng.choice(ADDRS), "ADDRESS")
    d.add("。经审理查明，被告人犯盗窃罪，").add(rng.choice(LEGAL), "LEGAL_RECORD").add("。如不服本判决，可在接到判决书之日起十日内上诉。\n")
    return _record(i, d, "CLOSED", ["PERSONAL_INFO"], rng, title="刑事判决书", genre="案卷", closure="CONTROLLED")


def secret_report(i: int, rng: random.Random) -> dict:
    d = _Doc()
    d.add(rng.choice(["机密★10年", "绝密", "秘密★3年", "内部资料　注意保存"]), "SECRET_MARK").add("\n")
    d.add("关于").add(rng.choice(PLACES), "LOC").add("国防工程建设进展的报告\n    工程按计划推进，请严格控制知悉范围。\n")
    return _record(i, d, "CLOSED", ["STATE_SECRET"], rng, title="报告", genre="军事", closure="DEFERRED")


def unrest_report(i: int, rng: random.Random) -> dict:
    d = _Doc()
    d.add("关于").add(rng.choice(PLACES), "LOC").add("发生群体性事件的情况报告\n    部分群众聚集上访，")
    d.add("涉及民族关系和宗教活动问题，现场秩序一度混乱，已妥善处置。\n").add(rng.choice(ORGS), "ORG")
    return _record(i, d, "CLOSED", ["PUBLIC_SECURITY"], rng, title="情况报告", genre="公安", closure="DEFERRED")


def bid_secret(i: int, rng: random.Random) -> dict:
    d = _Doc()
    d.add(rng.choice(ORGS), "ORG").add(f"投标报价单\n    本项目标底为{rng.randint(100, 900)}.5万元，")
    d.add(f"产品成本价为{rng.randint(10, 90)}元，配方见附件，客户名单另附。\n")
    return _record(i, d, "CLOSED", ["COMMERCIAL_SECRET"], rng, title="投标报价单", genre="经济", closure="DEFERRED")


BUILDERS = (public_notice, public_notice, declassified_notice, incidental_personal, incidental_personal,
            medical_file, criminal_file, secret_report, unrest_report, bid_secret)


def crafted_records(n: int, seed: int) -> list[dict]:
    """``n`` records cycling through the templates, deterministic per seed."""
    rng = random.Random(seed)
    return [BUILDERS[i % len(BUILDERS)](i, rng) for i in range(n)]
