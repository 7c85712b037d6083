"""The hand-written development set: marked-up source documents -> one SCHEMA.md JSON Lines file.

Why a mark-up: offsets typed by hand are where annotation goes wrong (a span that is one
character off is a miss under exact matching), so writers put each entity inline, ``⟦PERSON:林碧军⟧``,
and this module computes the code-point offsets into the plain text. ``⟦REDACT:…⟧`` marks a range
the committee masks that is no entity span (an unpublished price: ``redact`` with a null label).

A source document is a UTF-8 text file with a header block::

    ---
    id: dev-personnel-001
    genre: personnel_file
    year: 1978
    decision: CLOSED                # OPEN | OPEN_REDACTED | CLOSED
    reasons: PERSONAL_INFO          # comma-separated reason codes (empty for OPEN)
    closure: CONTROLLED             # CLOSED only: CONTROLLED | DEFERRED
    review_after: 2030-01-01        # optional ISO date
    title: 干部履历表                 # optional catalogue fields: title, creator, date, ref
    note: ...                       # optional free text (why this decision)
    ---
    text with ⟦PERSON:林碧军⟧ ...

Lines after the header are the document text exactly (line breaks and indents kept; one trailing
newline dropped). ``python -m training.devset build`` writes ``datasets/devset/dev.jsonl``;
``check`` validates every file (labels, reasons, overlap, identifiers' checksums) without
writing; ``stats`` prints counts; ``id``/``card`` print valid resident IDs and Luhn card numbers
for writers.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

from models.vocabulary import CLOSURES, DECISIONS, REASONS

ROOT = Path(__file__).resolve().parents[1] / "datasets" / "devset"
SOURCE_DIR = ROOT / "docs"
OUTPUT = ROOT / "dev.jsonl"

LABELS = ("PERSON", "ID_NUMBER", "PHONE", "EMAIL", "BANK_ACCOUNT", "ADDRESS", "HEALTH",
          "LEGAL_RECORD", "SECRET_MARK", "ORG", "LOC")
HEADER_KEYS = ("id", "genre", "year", "decision", "reasons", "closure", "review_after", "title",
               "creator", "date", "ref", "note", "script")
OPEN_MARK, CLOSE_MARK = "⟦", "⟧"
_MARK = re.compile(r"⟦([A-Z_]+):(.*?)⟧", re.S)


class DevsetError(ValueError):
    """A source document is malformed; the message names the file and what is wrong."""


def parse_marked(marked: str, where: str = "<text>") -> tuple[str, list[dict], list[dict]]:
    """(plain text, spans, redact ranges) of a marked-up text; offsets are code points."""
    out: list[str] = []
    spans: list[dict] = []
    redact: list[dict] = []
    pos = 0
    n = 0  # length of the plain text so far
    for m in _MARK.finditer(marked):
        chunk = marked[pos:m.start()]
        if OPEN_MARK in chunk or CLOSE_MARK in chunk:
            raise DevsetError(f"{where}: unbalanced {OPEN_MARK}{CLOSE_MARK} near "
                              f"{chunk[-30:]!r}")
        out.append(chunk)
        n += len(chunk)
        label, surface = m.group(1), m.group(2)
        if OPEN_MARK in surface:
            raise DevsetError(f"{where}: nested mark in {m.group(0)!r}")
        if not surface or surface != surface.strip(" \u3000") or not surface.strip():
            raise DevsetError(f"{where}: span {m.group(0)!r} is empty or starts/ends with a "
                              "space (put spaces outside the mark)")
        if label == "REDACT":
            redact.append({"start": n, "end": n + len(surface), "label": None,
                           "reason": "COMMERCIAL_SECRET"})
        elif label in LABELS:
            spans.append({"start": n, "end": n + len(surface), "label": label})
        else:
            raise DevsetError(f"{where}: unknown label {label!r} in {m.group(0)!r}; expected "
                              f"one of {', '.join(LABELS)} or REDACT")
        out.append(surface)
        n += len(surface)
        pos = m.end()
    tail = marked[pos:]
    if OPEN_MARK in tail or CLOSE_MARK in tail:
        raise DevsetError(f"{where}: unbalanced {OPEN_MARK}{CLOSE_MARK} near {tail[:30]!r}")
    out.append(tail)
    return "".join(out), spans, redact


def _split_header(raw: str, where: str) -> tuple[dict[str, str], str]:
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n")
    if not raw.startswith("---\n"):
        raise DevsetError(f"{where}: must start with a '---' header line")
    end = raw.find("\n---\n", 4)
    if end < 0:
        raise DevsetError(f"{where}: the header has no closing '---' line")
    header: dict[str, str] = {}
    for line in raw[4:end].split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise DevsetError(f"{where}: header line without ':': {line!r}")
        key = key.strip()
        if key not in HEADER_KEYS:
            raise DevsetError(f"{where}: unknown header key {key!r} (known: "
                              f"{', '.join(HEADER_KEYS)})")
        value = value.split(" #", 1)[0].strip()
        header[key] = value
    body = raw[end + len("\n---\n"):]
    if body.endswith("\n"):
        body = body[:-1]
    return header, body


def parse_document(raw: str, where: str = "<doc>") -> dict:
    """One SCHEMA.md record (plus catalogue fields) from a source document."""
    header, body = _split_header(raw, where)
    for key in ("id", "genre", "year", "decision"):
        if not header.get(key):
            raise DevsetError(f"{where}: header needs {key!r}")
    decision = header["decision"]
    if decision not in DECISIONS:
        raise DevsetError(f"{where}: decision {decision!r} is not one of {DECISIONS}")
    reasons = [r.strip() for r in header.get("reasons", "").split(",") if r.strip()]
    bad = [r for r in reasons if r not in REASONS]
    if bad:
        raise DevsetError(f"{where}: unknown reasons {bad}; expected {REASONS}")
    if decision == "OPEN" and reasons:
        raise DevsetError(f"{where}: an OPEN document carries no reasons")
    if decision != "OPEN" and not reasons:
        raise DevsetError(f"{where}: {decision} needs at least one reason")
    try:
        year = int(header["year"])
    except ValueError as exc:
        raise DevsetError(f"{where}: year {header['year']!r} is not a number") from exc
    if not 1900 <= year <= 2026:
        raise DevsetError(f"{where}: year {year} out of range")
    text, spans, redact = parse_marked(body, where)
    if not text.strip():
        raise DevsetError(f"{where}: empty document text")
    record: dict = {"id": header["id"], "text": text, "spans": spans, "decision": decision,
                    "reasons": reasons, "genre": header["genre"], "year": year}
    closure = header.get("closure")
    if closure:
        if closure not in CLOSURES or decision != "CLOSED":
            raise DevsetError(f"{where}: closure {closure!r} needs decision CLOSED and one of "
                              f"{CLOSURES}")
        record["closure"] = closure
    elif decision == "CLOSED":
        raise DevsetError(f"{where}: a CLOSED document needs closure: CONTROLLED or DEFERRED")
    if header.get("review_after"):
        try:
            dt.date.fromisoformat(header["review_after"])
        except ValueError as exc:
            raise DevsetError(f"{where}: review_after must be YYYY-MM-DD") from exc
        record["review_after"] = header["review_after"]
    if redact:
        record["redact"] = redact
    for key in ("title", "creator", "date", "ref", "note", "script"):
        if header.get(key):
            record[key] = header[key]
    return record


def source_files(root: Path = SOURCE_DIR) -> list[Path]:
    return sorted(p for p in root.rglob("*.txt") if p.is_file())


def load_documents(root: Path = SOURCE_DIR) -> list[dict]:
    """Every source document, parsed and checked; ids must be unique."""
    records = []
    seen: dict[str, Path] = {}
    for path in source_files(root):
        rec = parse_document(path.read_text(encoding="utf-8"), str(path))
        if rec["id"] in seen:
            raise DevsetError(f"{path}: id {rec['id']!r} already used by {seen[rec['id']]}")
        seen[rec["id"]] = path
        records.append(rec)
    return records


def identifier_warnings(record: dict) -> Iterator[str]:
    """Checks a writer can act on: ID numbers that fail the GB 11643 check, cards that fail Luhn.

    Not errors: the guidelines label a wrong-check-digit ID too (OCR damage, a typo in the
    original); the writer confirms such a case is meant.
    """
    from models.recognizers.cn_identifiers import is_valid_resident_id
    from models.recognizers.numbers import luhn_ok

    text = record["text"]
    for s in record["spans"]:
        surface = text[s["start"]:s["end"]]
        digits = re.sub(r"[^0-9Xx]", "", surface.translate(_FULLWIDTH))
        if s["label"] == "ID_NUMBER" and len(digits) == 18 and not is_valid_resident_id(digits):
            yield f"{record['id']}: ID_NUMBER {surface!r} fails the GB 11643 check"
        if s["label"] == "BANK_ACCOUNT" and 16 <= len(digits) <= 19 and \
                digits.startswith(("62", "4", "5")) and not luhn_ok(digits):
            yield f"{record['id']}: BANK_ACCOUNT {surface!r} (a card?) fails the Luhn check"


_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９Ｘｘ"}


def write_jsonl(records: Iterable[dict], path: Path = OUTPUT) -> Path:
    """Atomic write, one record per line, sorted by id."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in sorted(records, key=lambda r: r["id"]):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def describe(records: list[dict]) -> dict:
    labels: Counter[str] = Counter(s["label"] for r in records for s in r["spans"])
    return {"documents": len(records),
            "characters": sum(len(r["text"]) for r in records),
            "genres": dict(sorted(Counter(r["genre"] for r in records).items())),
            "decisions": dict(Counter(r["decision"] for r in records)),
            "reasons": dict(Counter(x for r in records for x in r["reasons"])),
            "decades": dict(sorted(Counter(f"{r['year'] // 10 * 10}s" for r in records).items())),
            "spans": dict(sorted(labels.items())), "span_total": sum(labels.values())}


# ------------------------------------------------------------------ writer's helpers --
def resident_id(region: str, birth: str, seq: int) -> str:
    """A GB 11643-valid 18-digit resident ID (region code 6 digits, birth YYYYMMDD, seq 0-999)."""
    from models.recognizers.cn_identifiers import resident_id_check_char

    first17 = f"{region}{birth}{seq:03d}"
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("region must be 6 digits and birth YYYYMMDD")
    return first17 + resident_id_check_char(first17)


def luhn_card(prefix: str, length: int, rng: random.Random) -> str:
    """A card number of ``length`` digits starting with ``prefix`` that passes Luhn."""
    from models.recognizers.numbers import luhn_ok

    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable: one check digit always fits")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="build and check the hand-written dev set")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write datasets/devset/dev.jsonl")
    b.add_argument("--root", type=Path, default=SOURCE_DIR)
    b.add_argument("--out", type=Path, default=OUTPUT)
    c = sub.add_parser("check", help="parse and check without writing")
    c.add_argument("paths", nargs="*", type=Path)
    s = sub.add_parser("stats")
    s.add_argument("--root", type=Path, default=SOURCE_DIR)
    i = sub.add_parser("id", help="print valid resident IDs")
    i.add_argument("--region", default="350102")
    i.add_argument("--birth", required=True, help="YYYYMMDD")
    i.add_argument("--seq", type=int, default=None)
    k = sub.add_parser("card", help="print a Luhn-valid card number")
    k.add_argument("--prefix", default="622202")
    k.add_argument("--length", type=int, default=19)
    k.add_argument("--seed", type=int, default=None)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "build":
            recs = load_documents(args.root)
            for w in (w for r in recs for w in identifier_warnings(r)):
                print("warning:", w, file=sys.stderr)
            write_jsonl(recs, args.out)
            print(json.dumps(describe(recs), ensure_ascii=False, indent=1))
        elif args.cmd == "check":
            paths = args.paths or source_files()
            files = [p for q in paths for p in (source_files(q) if q.is_dir() else [q])]
            recs = [parse_document(p.read_text(encoding="utf-8"), str(p)) for p in files]
            for w in (w for r in recs for w in identifier_warnings(r)):
                print("warning:", w)
            for r in recs:
                print(f"ok {r['id']}: {len(r['text'])} chars, {len(r['spans'])} spans, "
                      f"{r['decision']} {','.join(r['reasons'])}")
        elif args.cmd == "stats":
            print(json.dumps(describe(load_documents(args.root)), ensure_ascii=False, indent=1))
        elif args.cmd == "id":
            seq = args.seq if args.seq is not None else random.randrange(1000)
            print(resident_id(args.region, args.birth, seq))
        elif args.cmd == "card":
            print(luhn_card(args.prefix, args.length, random.Random(args.seed)))
    except (DevsetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
