"""The review desk as reviewers and the committee use it, in real headless Chromium (issue 14).

One app per module (built as ``kaifang serve`` builds it, so elusion sampling is wired in), on a
SQLite store holding: a queue of documents proposed OPEN_REDACTED in a known risk order, a long
document (for the sticky decision panel), documents already decided by a reviewer (for the
committee), a trade-secret document the reviewer decided without marking the price, a record
formed in 2005 (not yet eligible), and a batch proposed OPEN (for elusion sampling).

Each flow checks what a person sees and what the store then holds. Screenshots of the queue, the
document page and the committee page land in ``artifacts/screenshots/`` (ignored by git).
"""
from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from a11y import axe_violations, english_in_chrome, screenshot
from live_server import serve
from test_ui import ARGS, CHROMIUM, PASSWORD, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

COLLECTION = "测试全宗"
PRICE_TEXT = ("福州第一针织厂产品调价报告\n经厂务会研究，出厂单价每吨3200元，自3月起执行。\n"
              "联系人：周海，电话13800001111。\n")
PRICE = "每吨3200元"


def _decide(s, doc_id, actor, decision, reasons=(), closure=None, review_after=None, redact=(), note=""):
    from review_app.store import review

    return review.decide(session=s, document_id=doc_id, actor=actor, decision=decision, reasons=list(reasons),
                         closure=closure, review_after=review_after, redact=list(redact), note=note,
                         version=review.document_version(session=s, document_id=doc_id))


def _one_page_document(s, collection: str, text: str, reference_code: str, year: int) -> int:
    from datetime import datetime, timezone

    from review_app.tables import Collection, Document

    col = s.exec(select(Collection).where(Collection.name == collection)).first()
    d = Document(collection_id=col.id, reference_code=reference_code, title="产品调价报告", creator="福州第一针织厂",
                 date_text=f"{year}-03-02", year=year, source_path="/tmp/price.txt", sha256="p" * 64,
                 media_type="text/plain", text=text, page_starts=[0], created_at=datetime.now(timezone.utc),
                 updated_at=datetime.now(timezone.utc))
    s.add(d)
    s.commit()
    return d.id


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """(base URL, engine, ids by role in the story)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (scripts/bootstrap.sh test does)")
    from kaifang.cli.serve import build_app
    from models.spans import Span
    from review_app.config import Settings
    from review_app.db import make_engine, upgrade
    from review_app.queue import ORDERS
    from review_app.store import review, users
    from review_fixtures import TEXT, make_document, scan_and_propose

    tmp = tmp_path_factory.mktemp("desk")
    eng = make_engine(f"sqlite:///{tmp / 'desk.db'}")
    upgrade(eng)
    ids: dict[str, object] = {}
    with Session(eng, expire_on_commit=False) as s:
        for name, role in (("rev1", "reviewer"), ("rev2", "reviewer"), ("com1", "committee")):
            users.create_user(session=s, username=name, password=PASSWORD, role=role, actor="setup")
        # the queue: higher confidence in OPEN_REDACTED = lower P(OPEN) = higher risk = earlier
        queue = make_document(s, n=4, collection=COLLECTION)
        for doc_id, conf in zip(queue, (0.95, 0.9, 0.85, 0.8)):
            scan_and_propose(s, doc_id, decision="OPEN_REDACTED", confidence=conf)
        ids["queue"] = queue
        # a long record (the decision panel must stay in view while it scrolls)
        (ids["long"],) = make_document(s, n=1, collection="长文件", text=TEXT * 30)
        scan_and_propose(s, ids["long"])
        # for the committee: the reviewer closed it with opening deferred, the machine proposed
        # controlled use (a disagreement that only the kind of closure tells apart)
        (ids["deferred"],) = make_document(s, n=1, collection="终审批次", year=1980)
        scan_and_propose(s, ids["deferred"], decision="CLOSED")
        _decide(s, ids["deferred"], "rev1", "CLOSED", ["PERSONAL_INFO"], "DEFERRED",
                date.today() + timedelta(days=3 * 365), note="当事人尚在世，延期开放")
        # a trade secret: the reviewer chose partial opening but marked nothing to mask
        ids["price"] = _one_page_document(s, "终审批次", PRICE_TEXT, "J002-1992-0007", 1992)
        review.record_detection(session=s, document_id=ids["price"], model_version="test-model-1",
                                spans=[Span(PRICE_TEXT.index("周海"), PRICE_TEXT.index("周海") + 2, "PERSON", 0.9, "t")])
        review.propose(session=s, document_id=ids["price"], result={
            "decision": "OPEN_REDACTED", "reasons": ["COMMERCIAL_SECRET"], "confidence": 0.7,
            "probabilities": {"OPEN": 0.1, "OPEN_REDACTED": 0.7, "CLOSED": 0.2}, "model_version": "test-model-1"})
        _decide(s, ids["price"], "rev1", "OPEN_REDACTED", ["COMMERCIAL_SECRET"])
        # a second reviewer meets a decision already made
        (ids["second"],) = make_document(s, n=1, collection="复核", year=1985)
        scan_and_propose(s, ids["second"])
        _decide(s, ids["second"], "rev1", "OPEN_REDACTED", ["PERSONAL_INFO"])
        # formed in 2005: eligible only in 2030 (what the proposer stores with its proposal)
        (ids["young"],) = make_document(s, n=1, collection="未到期", year=2005)
        scan_and_propose(s, ids["young"])
        review.propose(session=s, document_id=ids["young"], result={
            "decision": "CLOSED", "reasons": ["PERSONAL_INFO"], "closure": "CONTROLLED", "confidence": 0.9,
            "probabilities": {"OPEN": 0.05, "OPEN_REDACTED": 0.05, "CLOSED": 0.9}, "model_version": "test-model-1",
            "eligible_from": date(2030, 3, 15)})
        # decided by the committee: frozen until a committee member reopens it (issue 13)
        (ids["frozen"],) = make_document(s, n=1, collection="已终审", year=1980)
        scan_and_propose(s, ids["frozen"])
        _decide(s, ids["frozen"], "rev1", "OPEN_REDACTED", ["PERSONAL_INFO"])
        review.finalize(session=s, document_id=ids["frozen"], actor="com1", decision="OPEN_REDACTED",
                        reasons=["PERSONAL_INFO"], version=review.document_version(session=s, document_id=ids["frozen"]))
        # a batch the machine proposes to open (elusion sampling)
        ids["batch"] = make_document(s, n=3, collection="开放批次", year=1975)
        for doc_id in ids["batch"]:
            scan_and_propose(s, doc_id, decision="OPEN", confidence=0.95)
    app = build_app(Settings(home=tmp / "home", secret_key="d" * 40), eng)
    with serve(app) as base:
        yield base, eng, ids
    ORDERS.pop("active", None)
    eng.dispose()


def _login(browser, base, username, viewport=(1366, 768)):  # noqa: F811
    ctx = browser.new_context(locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]})
    page = ctx.new_page()
    page.set_default_timeout(10000)
    page.problems = []  # CSP refusals, script errors, failed requests (a favicon 404 included)
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto(base + "/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/queue")
    return page


def _doc_id(page) -> int:
    return int(re.search(r"/documents/(\d+)$", page.url).group(1))


def _reviews(eng, doc_id):
    from review_app.tables import Review

    with Session(eng) as s:
        return list(s.exec(select(Review).where(Review.document_id == doc_id).order_by(Review.id)))


# --------------------------------------------------------------------------- reviewer


def test_a_correct_proposal_is_confirmed_and_the_next_unreviewed_opens_in_two_keystrokes(desk, browser):  # noqa: F811
    from review_app.store import review

    base, eng, ids = desk
    first, second, third, _ = ids["queue"]
    page = _login(browser, base, "rev1")
    page.goto(f"{base}/queue?collection={COLLECTION}")
    assert page.locator("a.doc-link").first.get_attribute("href") == f"/documents/{first}"  # risk order
    screenshot(page, "queue")
    page.keyboard.press("n")  # the queue: n opens the first document
    page.wait_for_url(f"**/documents/{first}")
    screenshot(page, "document")
    # meanwhile another reviewer decides the next one in the queue
    with Session(eng) as s:
        _decide(s, second, "rev2", "OPEN_REDACTED", ["PERSONAL_INFO"])

    page.keyboard.press("y")  # keystroke 1: the form holds the proposal; y saves it
    page.wait_for_selector("#flash.info")
    assert "初审决定已保存" in page.locator("#flash").inner_text()
    page.keyboard.press("n")  # keystroke 2: the next document still awaiting a reviewer
    page.wait_for_url(f"**/documents/{third}")
    assert page.locator("#decision-form").count() == 1 and page.locator("#notice-second-reviewer").count() == 0

    (mine,) = _reviews(eng, first)
    with Session(eng) as s:
        prop = review.current_proposal(session=s, document_id=first)
    assert (mine.username, mine.decision, mine.reasons, mine.closure, mine.disagrees) == \
        ("rev1", prop.decision, prop.reasons, prop.closure, False)
    # p goes back to the one just saved; the queue ends with a note, not a reviewed document
    page.keyboard.press("p")
    page.wait_for_url(f"**/documents/{second}")
    assert page.problems == []
    page.context.close()


def test_keys_help_spans_by_tab_with_their_label_in_text_and_the_label_menus(desk, browser):  # noqa: F811
    base, eng, ids = desk
    doc = ids["queue"][3]
    page = _login(browser, base, "rev1")
    page.goto(f"{base}/documents/{doc}")
    # the main keys are on the page; ? shows all of them, Esc closes
    assert "y 保存决定" in page.locator("#keybar").inner_text()
    page.keyboard.press("?")
    assert page.locator("#help").is_visible() and "下一份待审文件" in page.locator("#help").inner_text()
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()
    # spans are Tab stops, each with its label in text (not only by colour)
    marks = page.locator("#doc-text mark.span")
    n = marks.count()
    marks.first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.id") == marks.nth(1).get_attribute("data-id")
    after = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
    assert "证件号" in after  # 〔证件号〕 after the ID number
    assert "证件号" in marks.nth(1).get_attribute("aria-label")
    # j wraps from the last span to the first
    for _ in range(n):
        page.keyboard.press("j")
    assert page.evaluate("document.activeElement.dataset.id") == marks.nth(1).get_attribute("data-id")
    # a new span from the keyboard: select text, then a digit in the label menu
    needle = "福州市鼓楼区杨桥路18号3栋502室"
    page.evaluate("""(needle) => {
        const seg = [...document.querySelectorAll('#doc-text .seg')].find(s => s.textContent.includes(needle));
        const node = seg.firstChild, i = node.data.indexOf(needle), r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + needle.length);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
        seg.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, shiftKey: true, key: 'ArrowRight'}));
    }""", needle)
    page.wait_for_selector("#sel-menu:not([hidden])")
    assert "6 住址" in re.sub(r"\s+", " ", page.locator("#add-labels").inner_text())
    page.keyboard.press("6")
    page.wait_for_selector("#doc-text mark.span.lbl-ADDRESS.st-added")
    # relabel from the keyboard: Enter on a focused span opens the menu, a digit picks
    phone = page.locator("#doc-text mark.span.lbl-PHONE")
    phone.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#relabel:not([hidden])")
    page.keyboard.press("5")
    page.wait_for_selector("#doc-text mark.span.lbl-BANK_ACCOUNT.st-corrected")
    assert page.problems == []
    page.context.close()


def test_decision_panel_stays_in_view_at_1366x768(desk, browser):  # noqa: F811
    base, _, ids = desk
    page = _login(browser, base, "rev1", viewport=(1366, 768))
    page.goto(f"{base}/documents/{ids['long']}")
    for scroll in (0, 3000, 100000):
        page.evaluate(f"window.scrollTo(0, {scroll})")
        box = page.locator("#save-decision").bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= 768, (scroll, box)
        assert page.locator('#decision-form input[name="decision"][value="OPEN_REDACTED"]').is_visible()
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * 768  # the text did scroll
    page.context.close()


def test_a_second_reviewer_is_told_a_decision_exists(desk, browser):  # noqa: F811
    base, eng, ids = desk
    page = _login(browser, base, "rev2")
    page.goto(f"{base}/documents/{ids['second']}")
    notice = page.locator("#notice-second-reviewer")
    assert notice.is_visible() and "rev1" in notice.inner_text() and "替换" in notice.inner_text()
    assert "替换" in page.locator("#save-decision").inner_text()
    page.check('#decision-form input[name="decision"][value="CLOSED"]')
    page.select_option('#decision-form select[name="closure"]', "CONTROLLED")
    page.fill('#decision-form textarea[name="note"]', "以私人健康信息为主，控制使用")
    page.keyboard.press("Escape")  # leave the note field; keys act outside text fields only
    page.keyboard.press("y")
    page.wait_for_selector("#flash.info")
    assert "已替换" in page.locator("#flash").inner_text()
    page.keyboard.press("y")  # an unchanged form is not saved twice
    expect(page.locator("#flash")).to_contain_text("已保存。按 n")
    first, second = _reviews(eng, ids["second"])
    assert (first.username, second.username, second.decision) == ("rev1", "rev2", "CLOSED")
    from review_app.tables import AuditEvent

    with Session(eng) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "decision.review", AuditEvent.actor == "rev2",
                                             AuditEvent.subject == f"document:{ids['second']}")).one()
    assert f'"replaces_review":{first.id}' in ev.payload and '"replaces_reviewer":"rev1"' in ev.payload
    page.context.close()


def test_a_record_not_yet_eligible_says_so(desk, browser):  # noqa: F811
    base, _, ids = desk
    page = _login(browser, base, "rev1")
    page.goto(f"{base}/documents/{ids['young']}")
    assert "2030-03-15" in page.locator("#notice-not-eligible").inner_text()
    page.context.close()


# --------------------------------------------------------------------------- committee


def test_committee_agrees_with_the_reviewer_in_one_key_without_a_note(desk, browser):  # noqa: F811
    base, eng, ids = desk
    page = _login(browser, base, "com1")
    page.goto(f"{base}/committee")
    assert page.locator(f'a.doc-link[href="/documents/{ids["deferred"]}"]').count() == 1
    screenshot(page, "committee")
    page.goto(f"{base}/documents/{ids['deferred']}")
    # the disagreement names both closures; the form holds the reviewer's decision, not the machine's
    notice = page.locator("#notice-disagreement").inner_text()
    assert "暂不开放（延期开放）" in notice and "暂不开放（控制使用）" in notice
    assert page.locator('#decision-form input[name="decision"][value="CLOSED"]').is_checked()
    assert page.locator('#decision-form select[name="closure"]').input_value() == "DEFERRED"
    assert page.locator('#decision-form input[name="review_after"]').input_value() != ""
    screenshot(page, "committee-document")
    page.keyboard.press("y")
    page.wait_for_selector("#flash.info")
    assert "终审决定已保存" in page.locator("#flash").inner_text()
    reviewer, final = _reviews(eng, ids["deferred"])
    assert (final.stage, final.username, final.decision, final.closure, final.note) == \
        ("committee", "com1", reviewer.decision, reviewer.closure, "")
    assert final.review_after == reviewer.review_after
    assert page.problems == []
    page.context.close()


def test_committee_masks_a_price_by_selecting_it(desk, browser, tmp_path):  # noqa: F811
    from review_app.store import release

    base, eng, ids = desk
    page = _login(browser, base, "com1")
    page.goto(f"{base}/documents/{ids['price']}")
    assert page.locator("#notice-masks-nothing").is_visible()
    page.keyboard.press("y")  # nothing to mask yet: refused, with the way out
    page.wait_for_selector("#flash:not(.info):not(:empty)")
    assert "至少屏蔽一处" in page.locator("#flash").inner_text()
    page.evaluate("""(needle) => {
        const seg = [...document.querySelectorAll('#doc-text .seg')].find(s => s.textContent.includes(needle));
        const node = seg.firstChild, i = node.data.indexOf(needle), r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + needle.length);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
        seg.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""", PRICE)
    page.wait_for_selector("#sel-menu:not([hidden])")
    assert page.locator("#add-labels").count() == 0  # the committee masks; it does not edit spans
    page.keyboard.press("m")
    assert PRICE in page.locator("#redact-list").inner_text()
    page.keyboard.press("y")
    expect(page.locator("#flash")).to_contain_text("终审决定已保存")
    final = _reviews(eng, ids["price"])[-1]
    start = PRICE_TEXT.index(PRICE)
    assert final.stage == "committee" and final.note == ""
    assert [(r["start"], r["end"]) for r in final.redact] == [(start, start + len(PRICE))]
    # released, the price is masked (it used to be withheld as "nothing to mask")
    with Session(eng) as s:
        rep = release.write_release(session=s, collection="终审批次", out_dir=tmp_path / "rel", actor="t")
    assert rep["counts"]["open_redacted"] == 1 and "nothing_to_mask" not in {k for k, v in rep["withheld"].items() if v}
    copy = next((tmp_path / "rel" / "texts").iterdir()).read_text(encoding="utf-8")
    assert PRICE not in copy and "■" * len(PRICE) in copy
    page.context.close()


def test_committee_draws_an_elusion_sample_from_the_page(desk, browser):  # noqa: F811
    base, eng, ids = desk
    page = _login(browser, base, "com1")
    page.goto(f"{base}/committee?collection=开放批次&stage=all")
    assert "本批次尚未做抽样核查" in page.locator("#elusion-panel").inner_text()
    page.locator('#elusion-panel form.elusion-draw button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/elusion/\d+$"))
    assert page.locator("table.queue tbody tr").count() == 3  # 3 OPEN proposals, all sampled
    page.goto(f"{base}/committee?collection=开放批次&stage=all")
    assert "已判定 0 / 抽取 3 份" in page.locator("#elusion-panel").inner_text()
    page.context.close()


def test_a_final_decision_is_frozen_and_the_committee_reopens_it_with_a_reason(desk, browser):  # noqa: F811
    from review_app.tables import AuditEvent, Document

    base, eng, ids = desk
    rev = _login(browser, base, "rev1")
    rev.goto(f"{base}/documents/{ids['frozen']}")
    assert "已冻结" in rev.locator("#frozen-note").inner_text()
    assert rev.locator("#reopen-form").count() == 0 and rev.locator("#decision-form").count() == 0
    rev.context.close()
    page = _login(browser, base, "com1")
    page.goto(f"{base}/documents/{ids['frozen']}")
    assert "重新审核" in page.locator("#frozen-note").inner_text()
    assert english_in_chrome(page) == [] and axe_violations(page) == []
    screenshot(page, "frozen-document")
    page.fill("#reopen-form textarea[name=note]", "发现漏标的电话号码")
    page.keyboard.press("y")  # typing in the reason is not a key command
    assert page.locator("#reopen-form textarea[name=note]").input_value().endswith("y")
    page.fill("#reopen-form textarea[name=note]", "发现漏标的电话号码")
    with page.expect_navigation():
        page.click("#reopen-form button[type=submit]")
    assert page.locator("#frozen-note").count() == 0 and page.locator("#decision-form").count() == 1
    with Session(eng) as s:
        assert s.get(Document, ids["frozen"]).status == "reviewed"
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "decision.reopen")).one()
        assert ev.actor == "com1" and "发现漏标的电话号码" in ev.payload
    assert page.problems == []
    page.context.close()


# --------------------------------------------------------------------------- every page


def test_no_english_in_the_chrome_and_no_serious_accessibility_violations(desk, browser):  # noqa: F811
    base, _, ids = desk
    rev = _login(browser, base, "rev1")
    com = _login(browser, base, "com1")
    pages = [(rev, f"/queue?collection={COLLECTION}"), (rev, f"/documents/{ids['queue'][3]}"),
             (rev, f"/documents/{ids['young']}"), (com, "/committee"), (com, f"/documents/{ids['price']}"),
             (com, "/committee?collection=开放批次&stage=all")]
    for page, path in pages:
        page.goto(base + path)
        assert english_in_chrome(page) == [], path
        assert axe_violations(page) == [], path
    # the help overlay and the selection menu are part of the chrome too
    rev.goto(f"{base}/documents/{ids['queue'][3]}")
    rev.keyboard.press("?")
    assert english_in_chrome(rev) == [] and axe_violations(rev) == []
    assert rev.problems == [] and com.problems == []
    rev.context.close()
    com.context.close()


def test_english_switch_favicon_and_error_pages_with_a_way_back(desk, browser):  # noqa: F811
    base, _, ids = desk
    page = _login(browser, base, "rev1")
    with page.expect_navigation():
        page.click("#lang-switch")
    assert page.locator("h1").inner_text() == "Review queue" and page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{base}/documents/{ids['queue'][3]}")
    assert "Save decision" in page.locator("#save-decision").inner_text()
    with page.expect_navigation():
        page.click("#lang-switch")
    assert _doc_id(page) == ids["queue"][3] and "保存决定" in page.locator("#save-decision").inner_text()
    # the favicon is there (no 404 in the console), error pages say what happened and lead on
    assert page.request.get(base + "/favicon.ico").status == 200
    assert page.locator('link[rel="icon"]').get_attribute("href") == "/static/favicon.svg"
    for path, status, heading in (("/no/such/page", 404, "找不到页面"), ("/documents/abc", 400, "请求有误"),
                                  ("/documents/999999", 404, "找不到页面")):
        r = page.goto(base + path)
        assert r.status == status and page.locator("#error-title").inner_text() == heading, path
        assert page.locator("#error-queue").get_attribute("href") == "/queue"
        assert page.locator("header nav a").count() >= 2  # the signed-in navigation is there
    page.click("#error-queue")
    page.wait_for_url("**/queue")
    page.context.close()
