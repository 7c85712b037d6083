"""Small hand-written Chinese records for the neural-NER tests (shared by test_neural* and
test_pipeline): enough pattern for a tiny tagger to learn in seconds."""
from __future__ import annotations

import random

NAMES = ["王小明", "林碧军", "陈秀英", "张伟", "李建国", "黄丽华", "刘洋", "吴志强"]
PLACES = ["福州市", "厦门市", "晋安区", "马尾区", "北京市", "平潭县"]
ORGS = ["福州市档案局", "厦门大学", "福建省公安厅", "马尾造船厂"]
TEMPLATES = [
    "{p}，男，住{l}。",
    "经{o}研究，同意{p}调入。",
    "{p}同志在{l}工作。",
    "{o}通知{p}前来报到。",
]


def make_records(n: int, seed: int = 0) -> list[dict]:
    """``n`` records from the templates, with exact gold spans (PERSON/LOC/ORG)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        tpl = TEMPLATES[i % len(TEMPLATES)]
        values = {"p": rng.choice(NAMES), "l": rng.choice(PLACES), "o": rng.choice(ORGS)}
        text, spans, pos = "", [], 0
        label = {"p": "PERSON", "l": "LOC", "o": "ORG"}
        i_ = 0
        while i_ < len(tpl):
            if tpl[i_] == "{":
                key = tpl[i_ + 1]
                v = values[key]
                spans.append({"start": len(text), "end": len(text) + len(v), "label": label[key]})
                text += v
                i_ += 3
            else:
                text += tpl[i_]
                i_ += 1
        out.append({"id": f"t{i}", "text": text, "spans": spans})
    return out
