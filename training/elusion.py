"""Elusion sampling: how many sensitive documents hide among those the machine proposes to OPEN?

Before a committee opens a batch, a simple random sample of its OPEN proposals is reviewed blind
(the reviewer sees the document, not the proposal) and each is judged sensitive or not. With k
sensitive in a sample of n, the elusion rate p = k/n is reported with a 95 % confidence interval:
Clopper-Pearson (exact, conservative: the default, because an archive would rather over-state the
risk) or Wilson (tighter, approximate). Scaled to the batch, it says how many sensitive documents
the batch probably holds: "0 of 60 sampled; at most 4.9 % (95 %), i.e. at most 29 of 600".

Samples and judgements are stored (``review_app.store.model_registry``), audited, and shown to
the committee with ``summary``.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy.stats import beta, norm
from sqlmodel import Session

from review_app.store import model_registry as registry

METHODS = ("clopper-pearson", "wilson")


@dataclass(frozen=True)
class ElusionEstimate:
    sensitive: int
    sample_size: int
    population_size: int
    rate: float
    low: float
    high: float
    confidence: float
    method: str

    @property
    def expected_sensitive(self) -> tuple[float, float, float]:
        """(point, low, high) number of sensitive documents in the whole OPEN population."""
        n = self.population_size
        return self.rate * n, self.low * n, self.high * n

    def to_dict(self) -> dict:
        d = asdict(self)
        point, lo, hi = self.expected_sensitive
        d["expected_sensitive"] = {"point": round(point, 2), "low": round(lo, 2), "high": round(hi, 2)}
        return d

    def sentence(self) -> str:
        point, lo, hi = self.expected_sensitive
        return (f"{self.sensitive} of {self.sample_size} sampled OPEN proposals judged sensitive: "
                f"elusion {self.rate:.1%} (95 % CI {self.low:.1%} to {self.high:.1%}, {self.method}); "
                f"in the batch of {self.population_size}: about {point:.0f}, at most {math.ceil(hi - 1e-9)}")


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval from the beta distribution (never narrower than it should be)."""
    _check(k, n, confidence)
    a = 1 - confidence
    low = 0.0 if k == 0 else float(beta.ppf(a / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - a / 2, k + 1, n - k))
    return low, high


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval: good coverage for small n and p near 0, unlike the Wald interval."""
    _check(k, n, confidence)
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _check(k: int, n: int, confidence: float) -> None:
    if n <= 0:
        raise ValueError("the sample is empty: no estimate without judged documents")
    if not 0 <= k <= n:
        raise ValueError(f"{k} sensitive out of {n} is impossible")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")


def estimate(k: int, n: int, population: int, *, confidence: float = 0.95,
             method: str = "clopper-pearson") -> ElusionEstimate:
    if method not in METHODS:
        raise ValueError(f"unknown interval method {method!r}; use one of {METHODS}")
    if population < n:
        raise ValueError("the population cannot be smaller than the sample")
    low, high = (clopper_pearson if method == "clopper-pearson" else wilson)(k, n, confidence)
    return ElusionEstimate(sensitive=k, sample_size=n, population_size=population, rate=k / n, low=low,
                           high=high, confidence=confidence, method=method)


def sample_size_for(max_rate: float, confidence: float = 0.95) -> int:
    """Smallest n for which finding 0 sensitive shows the rate is below ``max_rate`` (exact bound).

    With k = 0 the Clopper-Pearson upper bound is 1 - (alpha/2)^(1/n); for 95 % and 5 % this
    gives 72 (the 'rule of three' 3/p = 60 is the one-sided approximation).
    """
    if not 0 < max_rate < 1:
        raise ValueError("max_rate must be between 0 and 1")
    alpha = 1 - confidence
    return math.ceil(math.log(alpha / 2) / math.log(1 - max_rate))


def draw(*, session: Session, actor: str, size: int | None = None, max_rate: float = 0.05,
         collection_id: int | None = None, seed: int | None = None, model_version: str = "",
         include_final: bool | None = None):
    """Draw and store a sample of the batch's OPEN proposals (size from ``max_rate`` if not given).

    ``include_final``: False samples only the proposals still before the committee (the check
    before a batch opens), True also those already decided; None (the default) does the first,
    and where none are left (the committee has decided them all, or they were released) the
    second, so the advice "draw a sample" after a release works.
    """
    auto = include_final is None
    if auto:
        include_final = not registry.open_proposal_ids(session=session, collection_id=collection_id)
    return registry.draw_elusion_sample(session=session, actor=actor, size=size or sample_size_for(max_rate),
                                        seed=seed, collection_id=collection_id, model_version=model_version,
                                        include_final=bool(include_final))


def judge(*, session: Session, sample_id: int, document_id: int, username: str, sensitive: bool, note: str = ""):
    return registry.record_elusion_judgement(session=session, sample_id=sample_id, document_id=document_id,
                                             username=username, sensitive=sensitive, note=note)


def summary(*, session: Session, sample_id: int, method: str = "clopper-pearson", confidence: float = 0.95) -> dict:
    """What the committee sees before opening the batch: progress and, once judged, the estimate."""
    st = registry.elusion_status(session=session, sample_id=sample_id)
    out = {"sample": st.sample.id, "collection": st.sample.collection_id, "population": st.sample.population_size,
           "size": len(st.sample.document_ids), "judged": st.judged, "sensitive": st.sensitive,
           "complete": st.complete, "drawn_by": st.sample.created_by, "seed": st.sample.seed,
           "model_version": st.sample.model_version, "estimate": None}
    if st.judged:
        est = estimate(st.sensitive, st.judged, st.sample.population_size, confidence=confidence, method=method)
        out["estimate"] = est.to_dict()
        out["text"] = est.sentence() + ("" if st.complete else f" (partial: {st.judged} of {out['size']} judged)")
    return out
