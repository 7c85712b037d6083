"""Corpus statistics for the DATACARD and for checking a generated file: labels, decisions, reasons,
genres, decoys and the hard surface forms the rules must handle."""
from __future__ import annotations

import re
import statistics
from collections import Counter

from training.synth.values import id_check_digit, luhn_ok

_FULLWIDTH = re.compile(r"[０-９]")


def surface_form(label: str, text: str) -> str | None:
    """The hard-case class of one span's text (None for an ordinary form)."""
    if label == "ID_NUMBER":
        if "\n" in text:
            return "id_linebreak"
        if _FULLWIDTH.search(text):
            return "id_fullwidth"
        if " " in text:
            return "id_spaced"
        if re.search(r"[OlI]", text) and len(text) >= 15:
            return "id_ocr"
        if re.fullmatch(r"\d{15}", text, re.ASCII):
            return "id_legacy15"
        if re.fullmatch(r"\d{17}[\dX]", text, re.ASCII):
            return "id18_wrong_check" if id_check_digit(text[:17]) != text[-1] else ("id18_x" if text.endswith("X") else None)
        if "字第" in text:
            return "id_officer_card"
        if re.fullmatch(r"[GEP]\d{8}", text):
            return "id_passport"
        if re.fullmatch(r"[HM]\d{8,10}", text):
            return "id_home_return_permit"
    if label == "PHONE":
        if re.fullmatch(r"1[2-9]\d-\d{7}", text):
            return "phone_pager"
        if _FULLWIDTH.search(text):
            return "phone_fullwidth"
        if re.search(r"[OlI]", text):
            return "phone_ocr"
        if re.fullmatch(r"1\d{2}[- ]\d{4}[- ]\d{4}", text):
            return "phone_mobile_separated"
        if re.fullmatch(r"\d{4,8}", text):
            return "phone_local_no_area_code"
        if text.startswith("+86"):
            return "phone_plus86"
    if label == "BANK_ACCOUNT":
        digits = re.sub(r"\D", "", text, flags=re.ASCII)
        if _FULLWIDTH.search(text):
            return "bank_fullwidth"
        if len(digits) in (16, 19) and luhn_ok(digits) and digits[0] in "3456":
            return "bank_card_luhn" + ("_spaced" if " " in text else "")
        return "bank_passbook_or_corporate"
    if label == "SECRET_MARK":
        if text.startswith("内部"):
            return "mark_internal"
        if "★" in text or "☆" in text:
            return "mark_star_period"
        return "mark_level_only"
    if label == "ADDRESS" and "\n" in text:
        return "address_linebreak"
    if label == "PERSON":
        if "　" in text:
            return "person_padded"
        if any(ord(ch) > 0xFFFF for ch in text):
            return "person_non_bmp"
    return None


def describe(docs: list[dict]) -> dict:
    """Counts over a list of generated records."""
    labels = Counter(s["label"] for d in docs for s in d["spans"])
    forms = Counter(f for d in docs for s in d["spans"] if (f := surface_form(s["label"], d["text"][s["start"]:s["end"]])))
    closed = [d for d in docs if d["decision"] == "CLOSED"]
    lengths = [len(d["text"]) for d in docs] or [0]
    persons = {d["text"][s["start"]:s["end"]] for d in docs for s in d["spans"] if s["label"] == "PERSON"}
    return {
        "documents": len(docs),
        "characters": sum(lengths) if docs else 0,
        "chars_median": statistics.median(lengths),
        "chars_max": max(lengths),
        "labels": dict(labels.most_common()),
        "spans": sum(labels.values()),
        "distinct_person_strings": len(persons),
        "decisions": dict(Counter(d["decision"] for d in docs).most_common()),
        "reasons": dict(Counter(r for d in docs for r in d["reasons"]).most_common()),
        "reason_sets": {"+".join(k) or "(none)": v for k, v in Counter(tuple(d["reasons"]) for d in docs).most_common()},
        "closure": dict(Counter(d.get("closure") for d in closed).most_common()),
        "genres": dict(Counter(d["genre"] for d in docs).most_common()),
        "templates": dict(Counter(d["template"] for d in docs).most_common()),
        "genre_decisions": {g: dict(Counter(d["decision"] for d in docs if d["genre"] == g).most_common())
                            for g in sorted({d["genre"] for d in docs})},
        "classification": dict(Counter(d["classification"] or "(none)" for d in docs).most_common()),
        "decoys": dict(Counter(x["kind"] for d in docs for x in d.get("decoys", [])).most_common()),
        "surface_forms": dict(forms.most_common()),
        "years": [min(d["year"] for d in docs), max(d["year"] for d in docs)] if docs else [],
    }
