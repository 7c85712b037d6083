"""The release's guard on opening periods: nothing is opened before its closed period has ended.

The Archives Law (2020, art. 27) opens a record 25 years after it was formed (earlier for
economic, educational, scientific, technological and cultural records: the rulebook's
``early_opening_years``). A committee may decide OPEN before that date (the decision stands and
waits); the release holds such documents back and names them, with the date they become
eligible. A document without a usable date cannot be shown to be eligible and is held too.

The eligibility date is the one the proposer stored with the document's current proposal
(computed with the rulebook's parameters); a document without a proposal gets it from its
catalogue date by ``models.eligibility`` with the default parameters, which are rulebook v1's.
``release.select_for_release`` calls ``hold_not_yet_eligible`` in one line; the document page
shows the same date (``eligible_from``).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Sequence, TypeVar

from sqlmodel import Session

from models.eligibility import eligible_from as eligible_from_meta
from review_app.tables import Document, Proposal

T = TypeVar("T")
NOT_YET = "not_yet_eligible"
UNDATED = "undated"


def eligible_from(doc: Document, proposal: Proposal | None) -> date | None:
    """When ``doc`` may open: its proposal's stored date, else computed from its catalogue date."""
    if proposal is not None and proposal.eligible_from is not None:
        return proposal.eligible_from
    return eligible_from_meta({"date": doc.date_text, "year": doc.year, "genre": doc.genre})


def hold_not_yet_eligible(*, session: Session, to_release: Sequence[tuple[int, T]],
                          withheld: dict[str, list[dict[str, Any]]], today: date | None = None) -> list[tuple[int, T]]:
    """``to_release`` (``(document id, decision)`` pairs) without the documents whose opening date
    lies after ``today`` or is unknown; those are added to ``withheld`` under ``not_yet_eligible``
    and ``undated`` with their 档号 and date, so the release report names them (a key appears only
    when it holds something, so a release that holds nothing back reports as before)."""
    from review_app.store.review import current_proposal

    today = today or date.today()
    keep: list[tuple[int, T]] = []
    for doc_id, decision in to_release:
        doc = session.get(Document, doc_id)
        when = eligible_from(doc, current_proposal(session=session, document_id=doc_id))
        if when is None:
            withheld.setdefault(UNDATED, []).append({"id": doc_id, "reference_code": doc.reference_code,
                                                     "eligible_from": None})
        elif when > today:
            withheld.setdefault(NOT_YET, []).append({"id": doc_id, "reference_code": doc.reference_code,
                                                     "eligible_from": when.isoformat()})
        else:
            keep.append((doc_id, decision))
    return keep
