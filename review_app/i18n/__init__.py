"""One message catalogue for every word the app shows: Chinese first, English on request.

``messages.json`` maps a key to its Chinese and English text (``{"zh": ..., "en": ...}``); every
template, the page script (``static/review.js``, which gets the ``js.*`` keys), the explanation
renderer and the errors a person can meet read from it, so a wording is fixed in one place and a
missing translation is a failing test, not an English word on a Chinese page.

Placeholders follow ``str.format``; a placeholder may name a catalogue family as its format spec,
``{decision:decision}``, and is then shown in words (``OPEN_REDACTED`` -> 部分开放 / open with parts
masked); ``{n:cn}`` writes a number in Chinese numerals (第{n:cn}条 -> 第二十八条).

Errors: ``LocalizedError`` takes a key and parameters; its ``str()`` is the English text (logs,
the CLI, the JSON API's ``detail``) and ``localize(lang)`` the text for the person's language.
"""
from __future__ import annotations

import json
import string
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from markupsafe import Markup, escape

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
#: the cookie that remembers a person's choice (set by ``GET /lang?to=en``)
LANG_COOKIE = "kaifang_lang"
CATALOGUE_FILE = Path(__file__).with_name("messages.json")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """The catalogue, read once: key -> {"zh": text, "en": text}. Keys starting ``_`` are notes."""
    raw = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


def has(key: str) -> bool:
    return key in catalogue()


def normalise_lang(value: str | None) -> str:
    """A supported language code from a cookie or header value; Chinese when unknown."""
    v = (value or "").strip().lower()
    return v if v in LANGS else DEFAULT_LANG


_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """1..999 in Chinese numerals as used for article numbers (第二十八条, 第一百零一条)."""
    if not 0 < n < 1000:
        return str(n)
    h, rest = divmod(n, 100)
    ten, one = divmod(rest, 10)
    out = ""
    if h:
        out += _DIGITS[h] + "百"
        if rest and ten == 0:
            return out + "零" + _DIGITS[one]
    if ten:
        out += ("" if ten == 1 and not h else _DIGITS[ten]) + "十"
    if one:
        out += _DIGITS[one]
    return out


class _Formatter(string.Formatter):
    """``str.format`` where ``{x:family}`` shows ``x`` through the catalogue key ``family.<x>``;
    with ``escape``, every filled-in value is HTML-escaped unless it is already ``Markup``."""

    def __init__(self, lang: str, escape: bool = False) -> None:
        self.lang = lang
        self.escape = escape

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "cn":  # {n:cn}: a number in Chinese numerals (第{n:cn}条 -> 第二十八条)
            out = zh_number(int(value))
        elif format_spec and format_spec[0].isalpha():
            # a code without a name in that family (a newer rulebook) is shown as it is
            out = t(f"{format_spec}.{value}", self.lang) if has(f"{format_spec}.{value}") else str(value)
        else:
            out = super().format_field(value, format_spec)
        if self.escape and not isinstance(value, Markup):
            return str(escape(out))
        return out


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The text of ``key`` in ``lang`` with ``params`` filled in.

    An unknown key raises ``KeyError`` (a test walks every key the templates and scripts use, so a
    typo fails there and never reaches a page).
    """
    entry = catalogue()[key]
    text = entry.get(normalise_lang(lang)) or entry[DEFAULT_LANG]
    return _Formatter(normalise_lang(lang)).vformat(text, (), params) if params or "{" in text else text


def t_html(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> Markup:
    """``t`` for a page: the catalogue text and the values escaped, ``Markup`` values kept as they
    are (so a template can mark a person's name ``translate="no"`` inside a sentence)."""
    entry = catalogue()[key]
    text = str(escape(entry.get(normalise_lang(lang)) or entry[DEFAULT_LANG]))
    return Markup(_Formatter(normalise_lang(lang), escape=True).vformat(text, (), params))


def name(family: str, code: Any, lang: str = DEFAULT_LANG) -> str:
    """A code in words (``name("label", "PHONE") -> 电话``); an unknown code is shown as it is."""
    key = f"{family}.{code}"
    return t(key, lang) if has(key) else str(code)


def keys_with_prefix(prefix: str) -> list[str]:
    return [k for k in catalogue() if k.startswith(prefix)]


def bundle(prefix: str, lang: str) -> dict[str, str]:
    """Every entry under ``prefix`` in one language (the page script's strings), unformatted."""
    return {k: catalogue()[k].get(lang) or catalogue()[k][DEFAULT_LANG] for k in keys_with_prefix(prefix)}


def join(items: Iterable[str], lang: str) -> str:
    """A list in running text: 、 in Chinese, ", " in English."""
    return ("、" if normalise_lang(lang) == "zh" else ", ").join(items)


class LocalizedError(Exception):
    """An error a person reads: a catalogue key and its parameters.

    ``str(exc)`` is the English text (what the CLI prints and the JSON API's ``detail`` carries,
    stable for scripts); ``exc.localize(lang)`` is what a page shows. A plain message (no key)
    is accepted too, for errors not yet in the catalogue, and is shown as it is.
    """

    def __init__(self, key_or_message: str, /, **params: Any) -> None:
        if has(key_or_message):
            self.key: str | None = key_or_message
            self.params: dict[str, Any] = params
            text = t(key_or_message, "en", **params)
        else:
            self.key, self.params, text = None, {}, key_or_message
        super().__init__(text)

    def localize(self, lang: str) -> str:
        return t(self.key, lang, **self.params) if self.key else str(self)


def localize(exc: BaseException | str | None, lang: str) -> str:
    """Any error or message in ``lang`` where the catalogue knows it, else as it is."""
    if isinstance(exc, LocalizedError):
        return exc.localize(lang)
    key = getattr(exc, "key", None)
    if key and has(key):
        return t(key, lang, **(getattr(exc, "params", None) or {}))
    if isinstance(exc, BaseException):
        detail = getattr(exc, "detail", None)
        return str(detail if detail is not None else exc)
    return "" if exc is None else str(exc)


def missing(keys: Iterable[str]) -> list[str]:
    """The keys of ``keys`` the catalogue lacks (for tests)."""
    return sorted({k for k in keys if not has(k)})


def incomplete() -> list[str]:
    """Keys without text in every language (for tests)."""
    return sorted(k for k, v in catalogue().items() if not all(isinstance(v.get(lang), str) and v[lang].strip()
                                                              for lang in LANGS))


def params_mismatch() -> list[str]:
    """Keys whose Chinese and English texts use different placeholders (for tests)."""
    out = []
    for k, v in catalogue().items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(v.get(lang, "")) if f} for lang in LANGS]
        if any(f != fields[0] for f in fields[1:]):
            out.append(k)
    return out


def from_mapping(entry: Mapping[str, str] | None, lang: str) -> str:
    """Text from a ``{"zh": .., "en": ..}``-style mapping stored elsewhere (a rule's wording)."""
    if not entry:
        return ""
    return entry.get(normalise_lang(lang)) or entry.get(DEFAULT_LANG) or ""
