"""A collection with every case a release meets, built through the review store like the app does.

Documents (in id order): OPEN notice; OPEN_REDACTED relief report (ID twice, phone, address added
by a person, health resized, a rejected "phone", a non-BMP name that is not masked, a page break);
CLOSED/CONTROLLED; CLOSED/DEFERRED; undecided (proposed only); reviewed but not final;
OPEN_REDACTED for COMMERCIAL_SECRET with a committee-marked price range.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlmodel import Session

from models.spans import Span
from review_app.store import documents, review
from review_app.tables import Collection

COLLECTION = "鼓楼区民政局全宗"

OPEN_TEXT = ("福州市鼓楼区民政局关于开展2023年度困难群众走访慰问活动的通知\n"
             "各街道办事处：\n为做好走访慰问工作，请于1月10日前报送名单。联系人：陈明，电话0591-87654321。\n")

REDACT_TEXT = ("福州市鼓楼区民政局\n"
               "关于𠮷永福同志申请困难救助的调查报告\n"
               "申请人𠮷永福，身份证号350102198703154511，联系电话13905912345，\n"
               "家住福州市鼓楼区杨桥路18号3栋502室。\f"
               "经查，申请人确诊为乳腺癌，家庭生活困难。档案编号0591-2001。\n"
               "附：申请人身份证350102198703154511复印件一份。\n")

CLOSED_TEXT = "林碧军病历\n患者林碧军，确诊为精神分裂症，住院治疗。\n"
DEFERRED_TEXT = "机密★10年\n关于边境口岸管理的内部意见\n"
UNDECIDED_TEXT = "王秀英，身份证号350102196501012345，住仓山区上渡路8号。\n"
REVIEWED_TEXT = "关于表彰2022年度优秀社区工作者的决定\n获奖人：郑丽华、张建国。\n"
COMMERCIAL_TEXT = ("福州第一针织厂产品调价报告\n经厂务会研究，出厂单价每吨3200元，自3月起执行。\n"
                   "联系人：周海，电话13800001111。\n")

MASKED = ["350102198703154511", "13905912345", "福州市鼓楼区杨桥路18号3栋502室", "确诊为乳腺癌"]


def _span(text: str, needle: str, label: str, nth: int = 0) -> Span:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return Span(i, i + len(needle), label, 0.9, "test.v1")


def _v(s: Session, doc_id: int) -> int:
    return review.document_version(session=s, document_id=doc_id)


def _doc(s: Session, col: Collection, n: int, text: str, ref: str, title: str, classification: str = "") -> int:
    page_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\f"]
    # dated 1998: open to the public since 2023 (Archives Law art. 27), so the release may open them
    new = documents.NewDocument(reference_code=ref, title=title, creator="福州市鼓楼区民政局", date_text=f"1998-0{n}-15",
                                year=1998, classification=classification, source_path=f"/tmp/r{n}.txt",
                                sha256=hashlib.sha256(f"{col.name}/{n}".encode()).hexdigest(), media_type="text/plain",
                                text=text, page_starts=page_starts)
    return documents.add_document(session=s, collection_id=col.id, doc=new, actor="ingest").id


def _propose(s: Session, doc_id: int, decision: str, reasons=(), closure=None) -> None:
    review.propose(session=s, document_id=doc_id, result={
        "decision": decision, "reasons": list(reasons), "closure": closure, "confidence": 0.8,
        "probabilities": {"OPEN": 0.1, "OPEN_REDACTED": 0.1, "CLOSED": 0.1, decision: 0.8},
        "model_version": "test-model-1"})


def _decide(s: Session, doc_id: int, decision: str, reasons=(), closure=None, review_after=None,
            final: bool = True, redact=(), note: str = "") -> None:
    review.decide(session=s, document_id=doc_id, actor="rev1", decision=decision, reasons=list(reasons),
                  closure=closure, review_after=review_after, version=_v(s, doc_id), note=note)
    if final:
        review.finalize(session=s, document_id=doc_id, actor="com1", decision=decision, reasons=list(reasons),
                        closure=closure, review_after=review_after, redact=list(redact), version=_v(s, doc_id),
                        note=note)


def make_release_collection(s: Session, name: str = COLLECTION) -> dict[str, int]:
    col = documents.ensure_collection(session=s, name=name, fonds_code="J001")
    ids: dict[str, int] = {}

    ids["open"] = _doc(s, col, 1, OPEN_TEXT, "J001-2023-0001", "关于开展走访慰问活动的通知")
    review.record_detection(session=s, document_id=ids["open"], model_version="test-model-1",
                            spans=[_span(OPEN_TEXT, "陈明", "PERSON"), _span(OPEN_TEXT, "0591-87654321", "PHONE")])
    _propose(s, ids["open"], "OPEN")
    _decide(s, ids["open"], "OPEN")

    d = ids["redacted"] = _doc(s, col, 2, REDACT_TEXT, "J001-2023-0002", "关于𠮷永福同志申请困难救助的调查报告")
    rows = review.record_detection(session=s, document_id=d, model_version="test-model-1", spans=[
        _span(REDACT_TEXT, "𠮷永福", "PERSON", 1), _span(REDACT_TEXT, "350102198703154511", "ID_NUMBER"),
        _span(REDACT_TEXT, "13905912345", "PHONE"), _span(REDACT_TEXT, "乳腺癌", "HEALTH"),
        _span(REDACT_TEXT, "0591-2001", "PHONE")])
    person, ident, phone, health, not_phone = rows
    _propose(s, d, "OPEN_REDACTED", ["PERSONAL_INFO"])
    review.accept_span(session=s, span_id=person.id, actor="rev1", version=_v(s, d))
    review.accept_span(session=s, span_id=ident.id, actor="rev1", version=_v(s, d))
    review.accept_span(session=s, span_id=phone.id, actor="rev1", version=_v(s, d))
    review.reject_span(session=s, span_id=not_phone.id, actor="rev1", version=_v(s, d))  # an archive number
    a = _span(REDACT_TEXT, MASKED[2], "ADDRESS")
    review.add_span(session=s, document_id=d, start=a.start, end=a.end, label="ADDRESS", actor="rev1",
                    version=_v(s, d), expect_text=MASKED[2])
    h = _span(REDACT_TEXT, MASKED[3], "HEALTH")
    review.resize_span(session=s, span_id=health.id, start=h.start, end=h.end, actor="rev1", version=_v(s, d))
    # the reviewer's default redact list names every visible sensitive span, the PERSON too;
    # the committee (as in the app) sends none: the decision's reason decides the labels
    _decide(s, d, "OPEN_REDACTED", ["PERSONAL_INFO"])

    ids["closed"] = _doc(s, col, 3, CLOSED_TEXT, "J001-2023-0003", "林碧军病历", classification="秘密")
    _propose(s, ids["closed"], "CLOSED", ["PERSONAL_INFO"], "CONTROLLED")
    _decide(s, ids["closed"], "CLOSED", ["PERSONAL_INFO"], "CONTROLLED")

    ids["deferred"] = _doc(s, col, 4, DEFERRED_TEXT, "J001-2023-0004", "关于边境口岸管理的内部意见",
                           classification="机密")
    _propose(s, ids["deferred"], "CLOSED", ["STATE_SECRET"], "DEFERRED")
    _decide(s, ids["deferred"], "CLOSED", ["STATE_SECRET"], "DEFERRED", date.today() + timedelta(days=3650))

    ids["undecided"] = _doc(s, col, 5, UNDECIDED_TEXT, "J001-2023-0005", "王秀英情况登记")
    review.record_detection(session=s, document_id=ids["undecided"], model_version="test-model-1",
                            spans=[_span(UNDECIDED_TEXT, "350102196501012345", "ID_NUMBER")])
    _propose(s, ids["undecided"], "OPEN_REDACTED", ["PERSONAL_INFO"])

    ids["reviewed"] = _doc(s, col, 6, REVIEWED_TEXT, "J001-2023-0006", "关于表彰优秀社区工作者的决定")
    _propose(s, ids["reviewed"], "OPEN")
    _decide(s, ids["reviewed"], "OPEN", final=False)

    d = ids["commercial"] = _doc(s, col, 7, COMMERCIAL_TEXT, "J001-2023-0007", "产品调价报告")
    review.record_detection(session=s, document_id=d, model_version="test-model-1",
                            spans=[_span(COMMERCIAL_TEXT, "周海", "PERSON"),
                                   _span(COMMERCIAL_TEXT, "13800001111", "PHONE")])
    _propose(s, d, "OPEN_REDACTED", ["COMMERCIAL_SECRET"])
    price = _span(COMMERCIAL_TEXT, "每吨3200元", "ORG")
    _decide(s, d, "OPEN_REDACTED", ["COMMERCIAL_SECRET"],
            redact=[{"start": price.start, "end": price.end, "label": None, "reason": "COMMERCIAL_SECRET"}])
    s.commit()
    return ids
