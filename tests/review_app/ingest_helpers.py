"""Shared helpers for the ingestion tests: real Chinese texts and a character error rate."""
from __future__ import annotations

import unicodedata

SIMPLIFIED = ("福州市档案局关于开展档案开放审核工作的通知\n各县（市）区档案馆：\n"
              "现将一九八七年以前形成的文书档案开放审核工作有关事项通知如下，请遵照执行。\n"
              "联系人：王秀英，电话0591-87654321。")
TRADITIONAL = ("關於香港同胞回鄉探親接待工作的函\n各區僑辦：\n近期香港同胞回鄉探親人數增多，"
               "為做好接待工作，現將有關事項函告如下。")


def _norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate (Levenshtein / reference length), ignoring whitespace and width."""
    ref, hyp = _norm(reference), _norm(hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(len(ref), 1)
