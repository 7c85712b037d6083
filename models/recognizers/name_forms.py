"""Names announced by the word before them: courtesy and art names, former names and aliases.

Why a rule: GUIDELINES.md labels 字, 号, 原名, 曾用名 as PERSON (蔡元培，字鹤卿，号孑民), and these
names are often ordinary words (孑民, 竞雄, 晋园老人) a tagger cannot know are names; the word
before them says so exactly. The name runs from after the word to the next punctuation and is
2-4 characters long, else nothing is found.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.spans import Span
from models.text import NormalizedText

# the cue opens a clause (after ，；（ or a line start), so 信号, 编号, 3号 and 号召 never count
_ALIAS = re.compile(
    r"(?:^|(?<=[，,；;（(\s]))(?:字|号|自号|晚号|别号|原名|曾用名|又名|别名|笔名|化名|乳名|小名|法名|谱名)"
    r"[：:]?\s*(?P<q>[\"“「])?(?P<n>[\u4e00-\u9fff]{2,4})(?(q)[\"”」]|(?=[，,。；;、）)\s]))", re.M)
_NOT_NAMES = ("召", "称", "码", "外", "令", "牌", "角", "房")


class AliasNameRecognizer(RecognizerBase):
    """PERSON after 字/号/原名/曾用名/又名/笔名 … (module docstring)."""

    name = "alias_name.v1"
    labels = frozenset({"PERSON"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        out = []
        for m in _ALIAS.finditer(nt.text):
            s, e = m.span("n")
            if nt.text[s] in _NOT_NAMES:
                continue
            out.append(self.span(nt, s, e, "PERSON", 0.85,
                                 f"a name announced by {m.group(0)[:m.start('n') - m.start()].strip()}"))
        return out
