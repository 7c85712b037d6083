"""How long a correct proposal takes at the review desk, key to screen, in headless Chromium.

    .venv/bin/python benchmarks/desk_keystrokes.py [--docs 30]

A fresh SQLite store with ``--docs`` documents proposed OPEN_REDACTED, the app in uvicorn on a
loopback port, Debian's Chromium driven by Playwright (KAIFANG_CHROMIUM, default
/usr/bin/chromium) at 1366x768, signed in as a reviewer. For each document: press ``y`` and time
until the page says the decision is saved (the save and the panel refresh), then press ``n`` and
time until the next document's decision form is on screen (the server picks the next document
that still awaits a reviewer, the browser loads it). Prints one JSON object: keystrokes per
document and the median / p95 / max of both waits, in milliseconds.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXT = ("关于林碧军同志申请困难救助的调查报告\n申请人林碧军，身份证号350102195003154511，联系电话13905912345，"
        "住福州市鼓楼区杨桥路18号3栋502室。经查，该同志确诊为乳腺癌，家庭生活困难。\n") * 3
SPANS = [("林碧军", "PERSON"), ("350102195003154511", "ID_NUMBER"), ("13905912345", "PHONE"),
         ("福州市鼓楼区杨桥路18号3栋502室", "ADDRESS")]
PASSWORD = "benchmark-pw-1"


def fill(engine, n: int) -> None:
    from sqlmodel import Session

    from models.spans import Span
    from review_app.store import review, users
    from review_app.tables import Collection, Document

    now = datetime.now(timezone.utc)
    with Session(engine, expire_on_commit=False) as s:
        users.create_user(session=s, username="bench", password=PASSWORD, role="reviewer", actor="setup")
        col = Collection(name="基准", created_at=now)
        s.add(col)
        s.flush()
        for i in range(n):
            d = Document(collection_id=col.id, reference_code=f"B-{i:04d}", title=f"调查报告{i}", date_text="1990-05-01",
                         year=1990, source_path=f"/b/{i}.txt", sha256=f"{i:064x}", media_type="text/plain", text=TEXT,
                         page_starts=[0], created_at=now, updated_at=now)
            s.add(d)
            s.flush()
            spans = [Span(TEXT.index(t), TEXT.index(t) + len(t), label, 0.9, "bench") for t, label in SPANS]
            review.record_detection(session=s, document_id=d.id, spans=spans, model_version="bench")
            conf = 0.9 - i * 0.001  # a fixed risk order
            review.propose(session=s, document_id=d.id, result={
                "decision": "OPEN_REDACTED", "reasons": ["PERSONAL_INFO"], "confidence": conf, "model_version": "bench",
                "probabilities": {"OPEN": (1 - conf) / 2, "OPEN_REDACTED": conf, "CLOSED": (1 - conf) / 2}})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=30)
    args = ap.parse_args()
    import uvicorn
    from playwright.sync_api import sync_playwright

    from review_app.config import Settings
    from review_app.db import make_engine, upgrade
    from review_app.main import create_app

    tmp = Path(tempfile.mkdtemp(prefix="kaifang-desk-"))
    engine = make_engine(f"sqlite:///{tmp / 'desk.db'}")
    upgrade(engine)
    fill(engine, args.docs + 1)
    app = create_app(Settings(home=tmp / "home", secret_key="b" * 40), engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    save_ms, next_ms = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("KAIFANG_CHROMIUM", "/usr/bin/chromium"),
                                    args=["--no-sandbox", "--disable-gpu"], headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(base + "/login")
        page.fill('input[name="username"]', "bench")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        page.wait_for_url("**/queue")
        page.keyboard.press("n")
        page.wait_for_selector("#decision-form")
        for _ in range(args.docs):
            url = page.url
            t0 = time.perf_counter()
            page.keyboard.press("y")
            page.wait_for_selector("#flash.info")
            save_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            page.keyboard.press("n")
            page.wait_for_url(lambda u: u != url)
            page.wait_for_selector("#decision-form")
            next_ms.append((time.perf_counter() - t0) * 1000)
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)

    def stats(xs):
        xs = sorted(xs)
        return {"median": round(statistics.median(xs), 1), "p95": round(xs[int(0.95 * (len(xs) - 1))], 1),
                "max": round(xs[-1], 1)}

    print(json.dumps({"documents": args.docs, "keystrokes_per_document": 2, "y_to_saved_ms": stats(save_ms),
                      "n_to_next_document_ms": stats(next_ms)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
