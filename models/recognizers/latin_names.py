"""PERSON names in Latin script inside Chinese records (visas, passports, foreign guests, letters).

Why a rule: the character tagger learnt names from Chinese text and reads Latin letters badly
(it took "BANK OF CHINA" for a name and missed "SOKOLOV Viktor"). Latin names in Chinese records
come in a few exact shapes:
  * after an honorific: Mr. / Ms. / Mrs. / Miss / Dr. / Prof. + capitalised words (Ms. LU HUIMIN);
  * the passport form, an upper-case surname and a capitalised given name (SOKOLOV Viktor,
    PAN Andrei, TANAKA Kenichi), standing alone between brackets, punctuation or line ends;
  * a capitalised name right before or inside brackets after a Chinese name
    (Tan Chee Keong（陈志强）, 罗道福·桑托斯（Rodolfo M. Santos）).
Words that make a phrase an organisation, place or sentence (Bank, Company, Road, of, the ...)
veto a match.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.spans import Span
from models.text import NormalizedText

_WORD = r"[A-Z][A-Za-z'\-]+"
_INITIAL = r"[A-Z]\."
_NAME = rf"{_WORD}(?:[ ]+(?:{_INITIAL}|{_WORD})){{0,3}}"
_HONORIFIC = re.compile(rf"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?[ ]+(?P<n>{_NAME})")
_PASSPORT_FORM = re.compile(
    r"(?<![A-Za-z0-9])(?P<n>[A-Z]{2,}(?:[ ]+[A-Z][a-z]+){1,2})(?![A-Za-z0-9])")
_BEFORE_CJK_BRACKET = re.compile(rf"(?<![A-Za-z0-9])(?P<n>{_WORD}(?:[ ]+(?:{_INITIAL}|{_WORD})){{1,3}})"
                                 r"[ ]?[（(][\u4e00-\u9fff·]{2,8}[）)]")
_IN_BRACKET_AFTER_CJK = re.compile(rf"[\u4e00-\u9fff][（(](?P<n>{_WORD}(?:[ ]+(?:{_INITIAL}|{_WORD})){{1,3}})[）)]")
_VETO = frozenset(w.lower() for w in (
    "Bank", "Company", "Co", "Ltd", "Limited", "Corporation", "Inc", "Group", "University",
    "College", "School", "Institute", "Office", "Department", "Ministry", "Committee", "Council",
    "Association", "Street", "Road", "Avenue", "Lane", "Building", "Hotel", "Hospital", "City",
    "Province", "County", "District", "Republic", "People", "Peoples", "China", "Chinese",
    "Government", "Bureau", "Station", "Port", "Airport", "Factory", "Trading", "Industrial",
    "International", "National", "Of", "And", "The", "For", "In", "At", "To", "No", "ID", "Tel",
    "Fax", "Passport", "Date", "Name", "Sex", "Male", "Female", "Nationality", "Birth"))


class LatinPersonRecognizer(RecognizerBase):
    """Latin-script personal names in Chinese text (module docstring)."""

    name = "latin_person.v1"
    labels = frozenset({"PERSON"})
    #: (pattern, score): an honorific is near-certain; the bare shapes less so
    PATTERNS = ((_HONORIFIC, 0.9), (_IN_BRACKET_AFTER_CJK, 0.8), (_BEFORE_CJK_BRACKET, 0.8),
                (_PASSPORT_FORM, 0.75))

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        out: list[Span] = []
        taken: list[tuple[int, int]] = []
        for pattern, score in self.PATTERNS:
            for m in pattern.finditer(text):
                s, e = m.span("n")
                words = re.findall(r"[A-Za-z']+", text[s:e])
                if len(words) < 2 and pattern is not _HONORIFIC:
                    continue
                if any(w.lower() in _VETO for w in words):
                    continue
                if any(s < b and a < e for a, b in taken):
                    continue
                taken.append((s, e))
                out.append(self.span(nt, s, e, "PERSON", score,
                                     "a Latin-script personal name (honorific, passport form or "
                                     "beside a Chinese name)"))
        return out
