"""``python -m training.synth --n N --seed S --split train|test --out FILE.jsonl``."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from training.synth.generator import SPLITS, generate_documents
from training.synth.stats import describe


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.synth", description="Generate synthetic archival documents (SCHEMA.md JSON Lines).")
    ap.add_argument("--n", type=int, required=True, help="number of documents (>= 0)")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--split", choices=SPLITS, default="train", help="train: training templates; test: held-out templates")
    ap.add_argument("--out", type=Path, required=True, help="output .jsonl (written atomically); '-' for stdout")
    ap.add_argument("--stats", action="store_true", help="print corpus statistics (labels, decisions, hard surface forms ...) as JSON to stderr")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("--n must be >= 0")
    docs = generate_documents(args.n, args.seed, args.split)
    lines = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    if str(args.out) == "-":
        sys.stdout.write(lines)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=args.out.name + ".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(lines)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the file is data, readable like any other
        os.replace(tmp, args.out)
    if args.stats:
        print(json.dumps(describe(docs), ensure_ascii=False, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
