"""A small hand-written archival corpus for the learning-loop tests (no dependency on training.synth).

Four kinds of record, with gold spans and decisions that follow the written policy:
  notice   会议通知: ORG/LOC only                         -> OPEN
  household 户籍证明: PERSON, ID_NUMBER, PHONE, ADDRESS     -> OPEN_REDACTED (PERSONAL_INFO)
  secret   机密通报: SECRET_MARK                           -> CLOSED (STATE_SECRET, DEFERRED)
  medical  病休审批: PERSON, HEALTH                        -> OPEN_REDACTED (PERSONAL_INFO)
The seed model never sees ``medical``; reviewers confirm such documents; the retrained model
must do better on them.
"""
from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = ["秀英", "建国", "志强", "丽华", "国庆", "海燕", "卫东", "红梅", "德明", "淑珍", "文斌", "玉兰", "永福",
         "春生", "桂芳", "立新", "晓东", "美玲", "振华", "金凤", "碧军", "佩玲", "少华", "秋云"]
ORGS = ["福州市档案局", "鼓楼区人民政府", "福建省水利厅", "马尾区农业局", "仓山区教育局", "晋安区卫生局"]
LOCS = ["马尾区", "平潭县", "长乐县", "闽侯县", "连江县", "罗源县"]
TOPICS = ["春耕生产", "防汛抗旱", "植树造林", "农田水利", "扫盲教育", "安全生产"]
STREETS = ["杨桥路", "五四路", "八一七路", "东街", "湖东路", "华林路"]
DISEASES = ["肺结核", "乳腺癌", "精神分裂症", "慢性肾炎", "肝硬化", "糖尿病", "风湿性心脏病", "胃溃疡"]
MEDICAL_INTROS = ["经医院诊断", "据县医院诊断证明", "经地区医院检查"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _id_number(rng: random.Random, year: int) -> str:
    body = f"350102{year - rng.randint(25, 50)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]
    return body + check


class _Builder:
    def __init__(self) -> None:
        self.text = ""
        self.spans: list[dict] = []

    def add(self, s: str, label: str | None = None) -> "_Builder":
        if label:
            self.spans.append({"start": len(self.text), "end": len(self.text) + len(s), "label": label})
        self.text += s
        return self


def _record(kind: str, i: int, rng: random.Random) -> dict:
    year = rng.randint(1978, 1995)
    b = _Builder()
    meta = {"year": year, "date": str(year), "creator": rng.choice(ORGS), "classification": "", "genre": "文书"}
    if kind == "notice":
        org, loc, topic = rng.choice(ORGS), rng.choice(LOCS), rng.choice(TOPICS)
        b.add(org, "ORG").add(f"关于召开{year}年{topic}工作会议的通知。各有关单位：定于{rng.randint(1, 12)}月"
                              f"{rng.randint(1, 28)}日在").add(loc, "LOC").add(f"召开{topic}工作会议，请准时参加。")
        dec, reasons, closure, title = "OPEN", [], None, f"关于召开{topic}工作会议的通知"
    elif kind == "household":
        name = _name(rng)
        b.add("关于").add(name, "PERSON").add("同志户籍迁移的证明。").add(name, "PERSON").add("，身份证号")
        b.add(_id_number(rng, year), "ID_NUMBER").add("，联系电话").add(f"139{rng.randint(10000000, 99999999)}", "PHONE")
        b.add("，现住").add(f"福州市鼓楼区{rng.choice(STREETS)}{rng.randint(1, 99)}号{rng.randint(1, 9)}栋"
                          f"{rng.randint(101, 909)}室", "ADDRESS").add("。特此证明。")
        dec, reasons, closure, title = "OPEN_REDACTED", ["PERSONAL_INFO"], None, "户籍迁移证明"
    elif kind == "secret":
        org, topic = rng.choice(ORGS), rng.choice(TOPICS)
        b.add("机密★10年", "SECRET_MARK").add(" ").add(org, "ORG").add(f"关于{topic}工作部署的通报。")
        meta["classification"] = "机密"
        dec, reasons, closure, title = "CLOSED", ["STATE_SECRET"], "DEFERRED", f"关于{topic}工作部署的通报"
    elif kind == "medical":
        name = _name(rng)
        b.add(name, "PERSON").add(f"同志{rng.choice(MEDICAL_INTROS)}，").add(f"确诊为{rng.choice(DISEASES)}", "HEALTH")
        b.add(f"，经组织研究，同意其病休{rng.randint(2, 6)}个月。")
        dec, reasons, closure, title = "OPEN_REDACTED", ["PERSONAL_INFO"], None, "关于病休的审批"
    else:
        raise ValueError(kind)
    rec = {"id": f"{kind}-{i}", "text": b.text, "spans": b.spans, "decision": dec, "reasons": reasons,
           "title": title, **meta}
    if closure:
        rec["closure"] = closure
        rec["review_after"] = f"{year + 40}-01-01"
    return rec


def records(kinds: dict[str, int], seed: int) -> list[dict]:
    """``records({"notice": 20, "medical": 5}, seed=1)``: deterministic per seed."""
    rng = random.Random(seed)
    out = []
    for kind, n in kinds.items():
        out.extend(_record(kind, i, rng) for i in range(n))
    rng.shuffle(out)
    return out


# interpolate 1.0: a tiny tagger keeps its whole fine-tuned move (the shipped 0.6, WiSE-FT, is measured
# on the full tagger; tests/training/test_ner_train.py checks the interpolation itself)
TINY_NER = {"preset": "tiny", "batch_size": 8, "epochs": 8, "lr": 0.01, "char_dim": 32, "hidden": 32, "threads": 1,
            "patience": 0, "interpolate": 1.0}
TINY_DECISION = {"n_text_features": 1024}


def write_jsonl(path, records) -> str:
    import json

    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return str(path)


def write_train_config(path, *, base_file: str, eval_file: str, retrain_ner: bool = True,
                       confirmed_weight: int = 3, eval_fraction: float = 0.0, warm_start: bool = True,
                       retrain_decision: bool = True, extra: str = "") -> str:
    """A tiny retraining config: no synthetic corpus, no replay, no public-corpus gate sets; the
    test's own base file and frozen eval file (the gate's one frozen set, ``eval_file``)."""
    ner = "\n".join(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in TINY_NER.items())
    path.write_text(f"""
[data]
synth_train = 0
eval_synth = 0
eval_fraction = {eval_fraction}
confirmed_weight = {confirmed_weight}
replay_per_corpus = 0
base_file = "{base_file}"
eval_file = "{eval_file}"

[train]
seed = 5
retrain_ner = {str(retrain_ner).lower()}
warm_start = {str(warm_start).lower()}
retrain_decision = {str(retrain_decision).lower()}
threads = 1

[gate_sets]
cluener_dev = 0
resume_dev = 0
weibo_dev = 0
devset = 0
published = 0
min_genre_docs = 3

[ner]
{ner}

[decision]
n_text_features = {TINY_DECISION["n_text_features"]}
{extra}
""", encoding="utf-8")
    return str(path)
