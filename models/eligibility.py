"""When a record may be opened, and when a deferred closure comes back for review.

Law (quoted in models/rulebook/rulebook-v1.yaml):

* Archives Law 2020, art. 27: records in archives at county level and above open to the public
  when 25 years have passed since they were formed (自形成之日起满二十五年); economic, educational,
  scientific, technological and cultural records may open earlier (可以少于二十五年), records
  touching national security or major interests may open later.
* The Archives Law does not fix "earlier": the rulebook's ``early_opening_years`` is the archive's
  documented local choice (10 in rulebook v1), applied to the genres in ``early_opening_genres``.
* State Secrets Law 2024, art. 20: without another period, 绝密 lasts at most 30 years, 机密 20,
  秘密 10. Used only to schedule the review of a DEFERRED closure: GUIDELINES rule 4 keeps a
  marked record closed until an explicit declassification statement exists, whatever the period.

Everything here is pure date arithmetic on catalogue metadata, so it is cheap and testable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping

_CN_DIGITS = str.maketrans("〇零一二三四五六七八九０１２３４５６７８９", "00123456789" "0123456789")
_DATE_RE = re.compile(r"(\d{4})\s*(?:[-./年]\s*(\d{1,2})\s*(?:[-./月]\s*(\d{1,2})\s*日?)?)?")
_MARK_PERIOD_RE = re.compile(r"(绝密|机密|秘密)\s*[★☆*＊]?\s*(?:(\d+)\s*年|(长期))?")


@dataclass(frozen=True)
class EligibilityParams:
    """The rulebook's eligibility parameters (see ``parameters`` in the rulebook)."""

    standard_opening_years: int = 25
    early_opening_years: int = 10
    early_opening_genres: tuple[str, ...] = (
        "经济", "教育", "科技", "科学", "技术", "文化",
        "economic", "economy", "education", "science", "scientific", "technology",
        "technological", "culture", "cultural",
    )
    deferred_review_years: int = 5
    max_secret_years: Mapping[str, int] = field(default_factory=lambda: {"绝密": 30, "机密": 20, "秘密": 10})

    @classmethod
    def from_rulebook(cls, parameters: Mapping[str, Any]) -> "EligibilityParams":
        """Build from the rulebook's ``parameters`` mapping, validating types."""
        base = cls()
        try:
            return cls(
                standard_opening_years=int(parameters.get("standard_opening_years", base.standard_opening_years)),
                early_opening_years=int(parameters.get("early_opening_years", base.early_opening_years)),
                early_opening_genres=tuple(str(g) for g in parameters.get("early_opening_genres", base.early_opening_genres)),
                deferred_review_years=int(parameters.get("deferred_review_years", base.deferred_review_years)),
                max_secret_years={str(k): int(v) for k, v in dict(parameters.get("max_secret_years", base.max_secret_years)).items()},
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad eligibility parameters in rulebook: {exc}") from exc


def add_years(d: date, years: int) -> date:
    """``d`` plus whole years; 29 February becomes 28 February in a non-leap target year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def parse_date(value: Any, *, latest: bool = True) -> date | None:
    """Parse a catalogue date: ISO, 1987年3月15日, 一九八七年, 1987.03, a bare year, date/datetime.

    A partial date resolves to the LAST day it could mean when ``latest`` (1987 -> 1987-12-31),
    because opening a record early is the error that matters: eligibility is never overstated.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int):
        if not 1000 <= value <= 9999:
            return None
        return date(value, 12, 31) if latest else date(value, 1, 1)
    m = _DATE_RE.search(str(value).translate(_CN_DIGITS))
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    try:
        if month is None:
            return date(year, 12, 31) if latest else date(year, 1, 1)
        if day is None:
            if not latest:
                return date(year, month, 1)
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(year, month, day)
    except ValueError:
        return None


def document_date(meta: Mapping[str, Any]) -> date | None:
    """The record's formation date from ``meta['date']``, else ``meta['year']``; None if unknown."""
    d = parse_date(meta.get("date"))
    if d is None:
        d = parse_date(meta.get("year"))
    return d


def is_early_opening_genre(genre: Any, params: EligibilityParams) -> bool:
    """True when the catalogue genre names an economic/educational/sci-tech/cultural record."""
    if not genre:
        return False
    g = str(genre).lower()
    return any(key.lower() in g for key in params.early_opening_genres)


def opening_years(meta: Mapping[str, Any], params: EligibilityParams) -> int:
    """25 years, or the rulebook's shorter period for early-opening genres (art. 27)."""
    if is_early_opening_genre(meta.get("genre"), params):
        return params.early_opening_years
    return params.standard_opening_years


def eligible_from(meta: Mapping[str, Any], params: EligibilityParams | None = None) -> date | None:
    """The date from which the record may be opened; None when the catalogue gives no date."""
    params = params or EligibilityParams()
    d = document_date(meta)
    if d is None:
        return None
    return add_years(d, opening_years(meta, params))


def marking_expiry(mark_text: str, doc_date: date | None, params: EligibilityParams | None = None) -> date | None:
    """When the secrecy period printed in a marking ends (机密★10年 -> date + 10 years).

    ``长期`` (long-term) and unknown dates give None. A bare level uses the statutory maximum
    (State Secrets Law art. 20). This never declassifies anything: it only schedules a review.
    """
    params = params or EligibilityParams()
    if doc_date is None:
        return None
    m = _MARK_PERIOD_RE.search(mark_text.translate(_CN_DIGITS))
    if not m or m.group(3):
        return None
    years = int(m.group(2)) if m.group(2) else params.max_secret_years.get(m.group(1))
    return add_years(doc_date, years) if years else None


def review_after(
    *,
    as_of: date,
    eligible: date | None,
    mark_expiries: list[date],
    params: EligibilityParams | None = None,
) -> date:
    """When a DEFERRED closure comes back to the queue.

    The latest of: the rulebook's review interval from ``as_of``, the eligibility date, and the
    end of any printed secrecy period. Never earlier than ``as_of`` plus the interval, so a
    deferral is not re-reviewed the next morning.
    """
    params = params or EligibilityParams()
    candidates = [add_years(as_of, params.deferred_review_years)]
    if eligible is not None:
        candidates.append(eligible)
    candidates.extend(mark_expiries)
    return max(candidates)
