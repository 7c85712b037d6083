"""Per-document decision proposals: a calibrated scikit-learn model under the policy layer.

How a proposal is made (``DecisionProposer.propose``):

1. The policy (models/policy.py) evaluates the rulebook: which rules fire, the floor they force
   (a SECRET_MARK without declassification forces CLOSED + STATE_SECRET), eligibility.
2. Features (``decision-features.v2``): counts and densities of the sensitive span labels,
   persons split by role (an official acting in office vs anyone else: a name alone is not
   sensitive), the span privacy model's P(private) of each personal-information span (an office
   phone vs a home one, judged by its context and its owner), catalogue metadata (classification
   密级, year, age), declassification, cues of each ground (the rulebook's words plus a wider
   vocabulary, ``DOC_CUES``) and rule firings, and hashed character n-gram TF-IDF of the title and
   text (character level: no segmenter to drift between training and serving). The catalogue
   genre is no longer a feature: it stood in for the template.
3. A multinomial LogisticRegression, calibrated by temperature scaling on out-of-fold
   predictions (``CalibratedClassifierCV(method="temperature", ensemble=False)``), gives
   P(OPEN), P(OPEN_REDACTED), P(CLOSED). Caution: OPEN only if P(OPEN) >= ``open_threshold``,
   tuned on a validation split for a target leak rate; otherwise the likelier of the other two.
4. The policy floor is applied last, so no model can open what the rulebook closes. One-vs-rest
   logistic models propose reason codes; forced reasons are always added.

The artifact is pickle-free: ``decision/manifest.json`` (configuration, classes, thresholds,
metrics, rulebook hash), ``decision/weights.npz`` (plain float arrays) and a copy of the
rulebook. Loading runs no code from the artifact.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import zlib
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse

from models.eligibility import document_date, review_after as compute_review_after
from models.persons import RECORD_LABELS, ROLES, is_official_person, person_role, record_subject_role
from models.policy import (
    DECISIONS,
    PERSONAL_INFO_LABELS,
    REASONS,
    Policy,
    PolicyResult,
    Rulebook,
    addressee_owned,
    to_halfwidth,
)
from models.pipeline import default_model_path  # one definition: honours KAIFANG_DEFAULT_MODEL
from models.spans import LABELS, Span

FEATURE_VERSION = "decision-features.v4"
WEIGHTS_FILE = "weights.npz"
MANIFEST_FILE = "manifest.json"
COMPONENT_KIND = "kaifang.decision"
CLASSIFICATION_LEVELS: tuple[str, ...] = ("绝密", "机密", "秘密", "内部")
#: Hashed catalogue-genre indicators: 0 since features v2. A genre string is one archive's
#: vocabulary, and in training it stood in for the template (任免通知 filed as personnel closed
#: like personnel files); the document's own cues generalise instead.
GENRE_BUCKETS = 0
_DIGIT_RE = re.compile(r"[0-9]")


# ---------------------------------------------------------------------------------------------
# Result type


@dataclass
class ProposalResult:
    """One proposal, with everything a committee (and the audit log) needs to check it."""

    decision: str
    reasons: list[str]
    closure: str | None
    review_after: date | None
    confidence: float
    probabilities: dict[str, float]
    fired_rules: list[str]
    evidence: list[dict]
    rulebook_version: str
    model_version: str
    eligible_from: date | None
    redact: list[dict]

    def to_dict(self) -> dict:
        """JSON-ready (dates as ISO strings)."""
        d = asdict(self)
        d["review_after"] = self.review_after.isoformat() if self.review_after else None
        d["eligible_from"] = self.eligible_from.isoformat() if self.eligible_from else None
        return d


# ---------------------------------------------------------------------------------------------
# Features


def coerce_spans(spans: Iterable[Span | Mapping[str, Any]]) -> list[Span]:
    """Accept Span objects or SCHEMA span dicts ({start, end, label, ...})."""
    out: list[Span] = []
    for s in spans or []:
        if isinstance(s, Span):
            out.append(s)
        elif isinstance(s, Mapping):
            out.append(Span(int(s["start"]), int(s["end"]), str(s["label"]),
                            float(s.get("score", 1.0)), str(s.get("source", "")), str(s.get("explanation", ""))))
        else:
            raise TypeError(f"a span must be a Span or a dict, got {type(s).__name__}")
    return out


def record_meta(record: Mapping[str, Any]) -> dict:
    """The catalogue metadata of a SCHEMA record (``meta`` keys of the contract)."""
    meta = dict(record.get("meta") or {})
    for k in ("title", "creator", "date", "year", "classification", "genre", "reference_code"):
        if k in record and k not in meta:
            meta[k] = record[k]
    return meta


def _classification_level(value: Any, policy: Policy) -> str:
    if not policy.is_classified_value(value):
        return "none"
    v = str(value)
    for level in CLASSIFICATION_LEVELS:
        if level in v:
            return level
    return "other"


#: Document-level cue lexicons of the features (evidence, not rules: the model weighs them).
#: Generic vocabulary of GUIDELINES' grounds, not the wording of any one template.
CUE_GROUPS: tuple[str, ...] = ("commercial_secret", "public_security", "private_matter", "public_document")
DOC_CUES: dict[str, re.Pattern] = {
    # public-facing records (rule 1): notices, publicity, appointments, commendations, published prices
    "public_document": re.compile(r"公示|公告|通告|通知|公报|表彰|嘉奖|光荣榜|名单|简报|批复|规划|任职|任免|任命|免去|兼任|拟任|"
                                r"零售价|公开报价|公开价格|价目|欢迎|特此|现予"),
    # records about a private person (rule 3): personnel, civil-status, medical, court and penalty files
    "private_matter": re.compile(r"履历|考察|政审|现实表现|家庭成员|社会关系|奖惩|鉴定|病历|病案|诊断|住院|判决|起诉|调解|离婚|"
                               r"纠纷|户口|户籍|户主|死亡|出生|普查|体检|手术|伤残|被告|原告|申请人|被申请人|当事人|"
                               r"被裁决人|患者|死者|受术人|自传|简历|本人签名|检讨|交代"),
    # public security, foreign and ethnic/religious relations (rule 6), beyond the rulebook's cues
    "public_security": re.compile(r"外籍|境外|涉外|外宾|外国|代表团|民族团结|民族地区|民族问题|宗教|稳定形势|不稳定|维稳|敌情|"
                           r"特务|间谍|台湾|叛逃|偷越|越界|外轮|两国|对外口径|暴乱|械斗|冲突|民族纠纷|信教|教徒|聚集|集会|游行|罢工"),
    # trade secrets (rule 5), beyond the rulebook's cues
    "commercial_secret": re.compile(r"企业秘密|商业秘密|底线|最低报价|底价|标底|成本|利润|配方|工艺参数|不得外传|仅限|核算|"
                             r"不得对外|内部掌握|报价|不公开|内部优惠|协议价"),
}
#: What kind of record a document is, read from its title lines (an archivist decides first by
#: the document type): a file about one private person (GUIDELINES rule 3) or a public-facing
#: document (rule 1). Generic record-type words, not any one archive's titles.
TITLE_KINDS: dict[str, re.Pattern] = {
    "private_file": re.compile(r"判决书|裁定书|起诉书|调解书|决定书|通知书|拘留|逮捕|劳动教养|收容|处罚|处分|"
                               r"病历|病案|出院|诊断|鉴定|死亡|抚恤|登记表|履历|简历表|政审|考察材料|审查|"
                               r"户口|户籍|迁移证|婚姻|结婚|离婚|收养|笔录|交代|检讨|申请书|申请表|证明书|"
                               r"学籍|档案材料|自传|请示.{0,6}处理|处理意见|家信|家书|来信"),
    "public_document": re.compile(r"通知|通告|公告|公报|公示|规划|计划|报告|总结|纪要|简报|名单|表彰|决议|"
                                  r"条例|办法|规定|意见|批复|函|大事记|志|新闻|消息|讲话|简介|目录|清单"),
}


def title_lines(text: str, n: int = 2, max_chars: int = 60) -> str:
    """The first ``n`` non-blank lines (a record's heading), at most ``max_chars`` each."""
    return "\n".join(line.strip()[:max_chars] for line in text[:heading_end(text, n)].split("\n")
                     if line.strip())


def heading_end(text: str, n: int = 2) -> int:
    """The offset just past the ``n``-th non-blank line (``title_lines``), or the text's end.
    Reads line by line from the start: a long record is never split whole."""
    seen = pos = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl + 1
        if text[pos:end].strip():
            seen += 1
            if seen == n:
                return end
        pos = end
    return len(text)


#: a letter's salutation line after a name (郑丽娟：, 王建国同志：): the addressee, not a title
_SALUTATION = re.compile(r"[ \u3000]*(?:同志|先生|女士|小姐|老师|师傅)?[ \u3000]*[:：][ \u3000]*(?:\n|$)")


def titled_private_persons(text: str, persons: Sequence[Span], meta: Mapping[str, Any],
                           roles: Sequence[str] | None = None) -> int:
    """How many private persons the record is titled by: named in its heading or in the
    catalogue title (病退回城申请及审批材料（郇丽娟）, 关于开除司马永康党籍的决定).

    Why: GUIDELINES rule 3 closes records *essentially about* a private person, and a record
    titled by a private person's name is about that person; an official's name in a heading
    (a signatory, 关于表彰某某同志) is counted by role, not here, and neither is the addressee
    of a letter's salutation (郑丽娟：): a reply to a petitioner is not titled by them.
    ``roles``: ``person_role`` of each of ``persons`` where the caller has them already.
    """
    end = heading_end(text)
    title = str(meta.get("title") or "")
    names = set()
    for i, p in enumerate(persons):
        name = text[p.start:p.end]
        in_heading = p.start < end and not _SALUTATION.match(text, p.end)
        if (in_heading or (len(name) >= 2 and name in title)) and name not in names \
                and (roles[i] if roles is not None else person_role(text, p)) == "private":
            names.add(name)
    return len(names)


def cue_features(text: str, spans: Sequence[Span], pr: PolicyResult) -> list[float]:
    """log(1 + hits) per cue group: the rulebook's cues plus the wider vocabulary of ``DOC_CUES``.

    One feature per ground, so that what the model learns from the rulebook's words carries over to
    synonyms it never saw in training (外籍人员 as well as 外事). A ``DOC_CUES`` word inside an
    organisation or place name (民族宗教事务局) is not a cue.
    """
    norm = to_halfwidth(text)
    names = [(s.start, s.end) for s in spans if s.label in ("ORG", "LOC")]
    out = []
    for g in CUE_GROUPS:
        hits = list(pr.cue_hits.get(g, []))
        extra = [m for m in DOC_CUES[g].finditer(norm)
                 if not any(m.start() < h["end"] and h["start"] < m.end() for h in hits)
                 and not any(a <= m.start() and m.end() <= b for a, b in names)]
        out.append(math.log1p(len(hits) + len(extra)))
    return out


def numeric_feature_names(rulebook: Rulebook) -> list[str]:
    names: list[str] = []
    for lab in LABELS:
        if lab != "PERSON":  # a name is not sensitive by itself (GUIDELINES 1-2): see person_* below
            names += [f"count:{lab}", f"density:{lab}"]
    names += ["pi_span_count", "pi_coverage", "pi_first_position", "sensitive_share", "log_length",
              "has_title"]
    names += ["person_other", "person_official_share", "titled_private_persons"]
    names += [f"persons:{r}" for r in ROLES]
    names += [f"record_subject:{r}" for r in ROLES]
    names += [f"classification:{c}" for c in ("none", *CLASSIFICATION_LEVELS, "other")]
    names += ["year", "year_missing", "age", "not_yet_eligible", "early_opening_genre",
              "declassified", "secret_mark", "floor:OPEN_REDACTED", "floor:CLOSED",
              "commercial_ranges"]
    names += [f"cue:{g}" for g in ("commercial_secret", "public_security", "private_matter", "public_document")]
    names += [f"title:{k}" for k in TITLE_KINDS]
    names += [f"rule:{r.id}" for r in rulebook.rules]
    names += [f"genre_bucket:{i}" for i in range(GENRE_BUCKETS)]
    names += ["private_pi_sum", "private_pi_max", "private_id_many", "official_pi_sum"]
    names += [f"private:{lab}" for lab in PERSONAL_INFO_LABELS]
    return names


def numeric_features(text: str, spans: Sequence[Span], meta: Mapping[str, Any], pr: PolicyResult,
                     policy: Policy, as_of: date, private: Sequence[float] | None = None) -> list[float]:
    """The dense features of one document, in the order of ``numeric_feature_names``.

    ``private[i]`` is P(span i is a private person's information) from the span privacy model
    (GUIDELINES rules 1-2: an office phone does not stop opening, a home phone does).
    """
    n = max(len(text), 1)
    counts = {lab: 0 for lab in LABELS}
    for s in spans:
        counts[s.label] += 1
    f: list[float] = []
    for lab in LABELS:
        if lab != "PERSON":
            f += [math.log1p(counts[lab]), 1000.0 * counts[lab] / n]
    pi = [s for s in spans if s.label in PERSONAL_INFO_LABELS]
    sensitive = [s for s in spans if s.label not in ("ORG", "LOC", "PERSON")]
    f += [
        math.log1p(len(pi)),
        sum(s.length for s in pi) / n,
        (min(s.start for s in pi) / n) if pi else 1.0,
        len(sensitive) / max(len(spans), 1),
        math.log1p(len(text)),
        1.0 if meta.get("title") else 0.0,
    ]
    persons = [s for s in spans if s.label == "PERSON"]
    official = sum(1 for s in persons if is_official_person(text, s))
    # how many officials are named says nothing (GUIDELINES 1): only persons outside an official role count
    # who the persons are and whose the personal records are (models.persons): an official's
    # name or a martyr's arrest does not make a record private, a private person's diagnosis does
    roles = [person_role(text, s) for s in persons]
    f += [math.log1p(len(persons) - official), (official / len(persons)) if persons else 0.0,
          math.log1p(titled_private_persons(text, persons, meta, roles))]
    f += [math.log1p(roles.count(r)) for r in ROLES]
    subjects = [record_subject_role(text, s, persons) for s in spans if s.label in RECORD_LABELS]
    f += [math.log1p(subjects.count(r)) for r in ROLES]
    level = _classification_level(meta.get("classification"), policy)
    f += [1.0 if level == c else 0.0 for c in ("none", *CLASSIFICATION_LEVELS, "other")]
    d = document_date(meta)
    f += [
        ((d.year - 1980) / 30.0) if d else 0.0,
        0.0 if d else 1.0,
        ((as_of - d).days / 365.25 / 25.0) if d else 0.0,
        1.0 if pr.conditions["not_yet_eligible"] else 0.0,
        1.0 if pr.conditions["early_opening_genre"] else 0.0,
        1.0 if pr.declassified else 0.0,
        1.0 if pr.secret_marks else 0.0,
        1.0 if pr.floor == "OPEN_REDACTED" else 0.0,
        1.0 if pr.floor == "CLOSED" else 0.0,
        math.log1p(len(pr.commercial_ranges)),
    ]
    f += cue_features(text, spans, pr)
    title = to_halfwidth(title_lines(text))
    f += [1.0 if pat.search(title) else 0.0 for pat in TITLE_KINDS.values()]
    fired = set(pr.fired_ids)
    f += [1.0 if r.id in fired else 0.0 for r in policy.rulebook.rules]
    genre = [0.0] * GENRE_BUCKETS
    if meta.get("genre") and GENRE_BUCKETS:
        genre[zlib.crc32(str(meta["genre"]).encode("utf-8")) % GENRE_BUCKETS] = 1.0
    private = list(private) if private is not None else [1.0 if s.label in PERSONAL_INFO_LABELS else 0.0 for s in spans]
    pi_p = [(s, p) for s, p in zip(spans, private) if s.label in PERSONAL_INFO_LABELS]
    ids = sum(p for s, p in pi_p if s.label == "ID_NUMBER")
    f_priv = [math.log1p(sum(p for _, p in pi_p)), max((p for _, p in pi_p), default=0.0),
              1.0 if ids >= 2.5 else 0.0, math.log1p(sum(1.0 - p for _, p in pi_p))]
    f_priv += [math.log1p(sum(p for s, p in pi_p if s.label == lab)) for lab in PERSONAL_INFO_LABELS]
    return f + genre + f_priv


def text_for_ngrams(text: str, meta: Mapping[str, Any]) -> str:
    """Title + text, half-width, digits folded to 0 so that numbers generalise."""
    return _DIGIT_RE.sub("0", to_halfwidth(f"{meta.get('title') or ''}\n{text}"))


PRIVACY_FEATURES = 2 ** 12


_SECOND_PERSON = re.compile(r"[你您]")
_PRIVATE_OWNER = re.compile(r"本人|家庭|住宅|宅电|私人|个人|家住|住址")


def span_context_tokens(text: str, span: Span, spans: Sequence[Span] | None = None) -> list[str]:
    """What the privacy model sees of a span: its label, the characters around it and, given the
    document's other spans, whose it is.

    Left context (宅电, 家住, 本人身份证 ... vs 办公电话, 受理电话, 开户行) decides most cases; digits
    are folded so that the number itself never matters. The owner is the nearest organisation or
    person named just before the span (an office's number follows the office; a private number
    follows a private person, or the letter's addressee, 你/您).
    """
    left = _DIGIT_RE.sub("0", to_halfwidth(text[max(0, span.start - 12):span.start]))
    right = _DIGIT_RE.sub("0", to_halfwidth(text[span.end:span.end + 8]))
    toks = [f"lab={span.label}"]
    near = left[-6:]
    for n in (1, 2, 3):
        toks += [f"L{n}:{left[i:i + n]}" for i in range(len(left) - n + 1)]
        toks += [f"N{n}:{near[i:i + n]}|{span.label}" for i in range(len(near) - n + 1)]
        toks += [f"R{n}:{right[i:i + n]}" for i in range(len(right) - n + 1)]
    if spans is not None:
        prev = [s for s in spans if s.label in ("PERSON", "ORG") and s.end <= span.start and span.start - s.end <= 30]
        if prev:
            o = max(prev, key=lambda s: s.end)
            owner = o.label if o.label == "ORG" else ("PERSON:official" if is_official_person(text, o) else "PERSON:other")
        else:
            owner = "none"
        toks += [f"owner={owner}", f"owner={owner}|{span.label}"]
        wide = text[max(0, span.start - 30):span.start]
        if _SECOND_PERSON.search(wide):
            toks.append("second_person")
        if _PRIVATE_OWNER.search(wide):
            toks.append("private_owner")
    return toks


def span_context_matrix(items: Sequence[tuple]) -> sparse.csr_matrix:
    """Hashed context tokens of (text, span) or (text, span, the document's spans) items."""
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(n_features=PRIVACY_FEATURES, input_type="string", alternate_sign=False)
    if not items:
        return sparse.csr_matrix((0, PRIVACY_FEATURES))
    return hasher.transform([span_context_tokens(*it) for it in items]).tocsr()


@dataclass(frozen=True)
class FeatureConfig:
    n_text_features: int = 2 ** 14
    ngram_min: int = 1
    ngram_max: int = 3
    numeric_weight: float = 1.0
    text_weight: float = 1.0

    def vectorizer(self):
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(analyzer="char", ngram_range=(self.ngram_min, self.ngram_max),
                                 n_features=self.n_text_features, alternate_sign=False, norm=None,
                                 lowercase=False)


class FeatureSpace:
    """Turns documents into the model's matrix: [tf-idf of hashed char n-grams | scaled numerics].

    Learned state (idf, numeric mean/scale) is plain arrays, saved in weights.npz.
    """

    def __init__(self, policy: Policy, config: FeatureConfig, idf: np.ndarray | None = None,
                 mean: np.ndarray | None = None, scale: np.ndarray | None = None,
                 privacy: "LinearState | None" = None):
        self.policy = policy
        self.config = config
        self.names = numeric_feature_names(policy.rulebook)
        self.idf, self.mean, self.scale = idf, mean, scale
        self.privacy = privacy  # span privacy model; None: every personal-information span counts as private
        self._vec = config.vectorizer()

    def private_scores(self, texts: Sequence[str], spans_list: Sequence[Sequence[Span]]) -> list[list[float]]:
        """P(private) for every span (0.0 for non-personal labels; 1.0 for all PI without a model)."""
        items = [(i, j) for i, spans in enumerate(spans_list) for j, s in enumerate(spans) if s.label in PERSONAL_INFO_LABELS]
        out = [[0.0] * len(spans) for spans in spans_list]
        if not items:
            return out
        if self.privacy is None:
            p = np.ones(len(items))
        else:
            M = span_context_matrix([(texts[i], spans_list[i][j], spans_list[i]) for i, j in items])
            p = _sigmoid(self.privacy.logits(M)[:, 0])
            p = np.where([addressee_owned(texts[i], spans_list[i][j]) for i, j in items], np.maximum(p, 0.95), p)
        for (i, j), v in zip(items, p):
            out[i][j] = float(v)
        return out

    def raw(self, texts: Sequence[str], spans_list: Sequence[Sequence[Span]], metas: Sequence[Mapping[str, Any]],
            as_of: date, private: Sequence[Sequence[float]] | None = None,
            ) -> tuple[sparse.csr_matrix, np.ndarray, list[PolicyResult], list[list[float]]]:
        prs = [self.policy.evaluate(t, s, m, as_of) for t, s, m in zip(texts, spans_list, metas)]
        private = [list(p) for p in private] if private is not None else self.private_scores(texts, spans_list)
        counts = self._vec.transform([text_for_ngrams(t, m) for t, m in zip(texts, metas)]).tocsr()
        num = np.array([numeric_features(t, s, m, pr, self.policy, as_of, pv)
                        for t, s, m, pr, pv in zip(texts, spans_list, metas, prs, private)], dtype=np.float64)
        return counts, num.reshape(len(texts), len(self.names)), prs, private

    def fit(self, counts: sparse.csr_matrix, num: np.ndarray) -> "FeatureSpace":
        n_docs = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
        self.idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
        self.mean = num.mean(axis=0)
        scale = num.std(axis=0)
        self.scale = np.where(scale > 1e-9, scale, 1.0)
        return self

    def transform(self, counts: sparse.csr_matrix, num: np.ndarray) -> sparse.csr_matrix:
        if self.idf is None:
            raise RuntimeError("FeatureSpace is not fitted")
        tf = counts.astype(np.float64).copy()
        tf.data = 1.0 + np.log(tf.data)
        tf = tf.multiply(self.idf[np.newaxis, :]).tocsr()
        norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        tf = sparse.diags(self.config.text_weight / norms) @ tf
        z = (num - self.mean) / self.scale * self.config.numeric_weight
        return sparse.hstack([tf, sparse.csr_matrix(z)], format="csr")

    def feature_label(self, j: int, ngram_index: Mapping[int, str], meta: Mapping[str, Any] | None = None) -> str:
        n_text = self.config.n_text_features
        if j >= n_text:
            name = self.names[j - n_text]
            if name.startswith("genre_bucket:") and meta and meta.get("genre") and GENRE_BUCKETS:
                own = zlib.crc32(str(meta["genre"]).encode("utf-8")) % GENRE_BUCKETS
                if int(name.split(":")[1]) == own:
                    return f"genre:{meta['genre']}"
            return name
        return f"ngram:{ngram_index.get(j, f'#{j}')}"

    def ngram_index(self, text: str, meta: Mapping[str, Any]) -> dict[int, str]:
        """Hash index -> the n-gram of this document that produced it (for explanations)."""
        from sklearn.utils import murmurhash3_32

        n = self.config.n_text_features
        out: dict[int, str] = {}
        for g in self._vec.build_analyzer()(text_for_ngrams(text, meta)):
            out.setdefault(abs(murmurhash3_32(g, seed=0, positive=False)) % n, g)
        return out


# ---------------------------------------------------------------------------------------------
# The model: plain arrays, so that loading runs no code from the artifact


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class LinearState:
    """A fitted linear model's parameters: logits = X @ coef.T + intercept."""

    coef: np.ndarray
    intercept: np.ndarray

    def logits(self, X: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef.T) + self.intercept


@dataclass
class DecisionModelState:
    classes: tuple[str, ...]
    decision: LinearState
    beta: float  # inverse temperature of the calibration
    reasons: dict[str, LinearState]  # one-vs-rest; coef rows of zeros + intercept for constant codes
    closure: LinearState | None  # P(DEFERRED) for CLOSED documents; None: rulebook default
    open_threshold: float
    reason_threshold: float = 0.5
    private_threshold: float = 0.2  # mask a personal-information span when P(private) >= this (cautious)

    def proba(self, X: sparse.csr_matrix) -> np.ndarray:
        return _softmax(self.beta * self.decision.logits(X))

    def reason_proba(self, X: sparse.csr_matrix) -> dict[str, np.ndarray]:
        return {r: _sigmoid(st.logits(X)[:, 0]) for r, st in self.reasons.items()}


# ---------------------------------------------------------------------------------------------
# The proposer


class DecisionProposer:
    """Proposes OPEN / OPEN_REDACTED / CLOSED with reasons, calibrated confidence and evidence."""

    def __init__(self, *, policy: Policy, features: FeatureSpace, state: DecisionModelState,
                 version: str, manifest: dict | None = None):
        self.policy = policy
        self.features = features
        self.state = state
        self.version = version
        self.manifest = manifest or {}
        self.manifest_dir: Path | None = None  # where it was loaded from, if it was

    @property
    def rulebook_version(self) -> str:
        return self.policy.version

    # -------------------------------------------------------------- persistence
    @staticmethod
    def resolve_dir(path: str | Path | None) -> Path:
        """A model-version dir (with decision/) or a decision dir itself; None = the default."""
        p = Path(path) if path is not None else default_model_path()
        if (p / "decision" / MANIFEST_FILE).is_file():
            return p / "decision"
        if (p / MANIFEST_FILE).is_file() and (p / WEIGHTS_FILE).is_file():
            return p
        raise FileNotFoundError(f"no decision model under {p} (expected {p}/decision/{MANIFEST_FILE})")

    @classmethod
    def load(cls, path: str | Path | None = None) -> "DecisionProposer":
        d = cls.resolve_dir(path)
        manifest = json.loads((d / MANIFEST_FILE).read_text(encoding="utf-8"))
        if manifest.get("kind") != COMPONENT_KIND:
            raise ValueError(f"{d}/{MANIFEST_FILE} is not a Kaifang decision model (kind={manifest.get('kind')!r})")
        if manifest.get("feature_version") != FEATURE_VERSION:
            raise ValueError(f"decision model {d} uses features {manifest.get('feature_version')!r}; "
                             f"this code computes {FEATURE_VERSION!r}: retrain it")
        rb_path = d / manifest["rulebook_file"]
        policy = Policy.load(rb_path)
        if manifest.get("rulebook_sha256") and policy.rulebook.sha256 != manifest["rulebook_sha256"]:
            raise ValueError(f"rulebook {rb_path} was changed after training (sha256 mismatch)")
        with np.load(d / WEIGHTS_FILE, allow_pickle=False) as w:
            arrays = {k: w[k] for k in w.files}
        cfg = FeatureConfig(**manifest["feature_config"])
        privacy = (LinearState(arrays["privacy_coef"], arrays["privacy_intercept"])
                   if "privacy_coef" in arrays else None)
        fs = FeatureSpace(policy, cfg, idf=arrays["idf"], mean=arrays["num_mean"], scale=arrays["num_scale"],
                          privacy=privacy)
        if fs.names != manifest["numeric_features"]:
            raise ValueError("numeric feature names differ from the ones the model was trained with")
        reasons = {r: LinearState(arrays[f"reason_coef:{r}"], arrays[f"reason_intercept:{r}"])
                   for r in manifest["reason_codes"]}
        closure = (LinearState(arrays["closure_coef"], arrays["closure_intercept"])
                   if "closure_coef" in arrays else None)
        state = DecisionModelState(
            classes=tuple(manifest["classes"]),
            decision=LinearState(arrays["decision_coef"], arrays["decision_intercept"]),
            beta=float(manifest["calibration"]["beta"]), reasons=reasons, closure=closure,
            open_threshold=float(manifest["open_threshold"]),
            reason_threshold=float(manifest.get("reason_threshold", 0.5)),
            private_threshold=float(manifest.get("private_threshold", 0.2)),
        )
        proposer = cls(policy=policy, features=fs, state=state, version=str(manifest["version"]), manifest=manifest)
        proposer.manifest_dir = d
        return proposer

    def save(self, out_dir: str | Path, *, extra_manifest: Mapping[str, Any] | None = None) -> Path:
        """Write decision/ atomically: a temp dir renamed into place (an existing dir is replaced)."""
        out = Path(out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            arrays = {
                "idf": self.features.idf, "num_mean": self.features.mean, "num_scale": self.features.scale,
                "decision_coef": self.state.decision.coef, "decision_intercept": self.state.decision.intercept,
            }
            for r, st in self.state.reasons.items():
                arrays[f"reason_coef:{r}"] = st.coef
                arrays[f"reason_intercept:{r}"] = st.intercept
            if self.features.privacy is not None:
                arrays["privacy_coef"] = self.features.privacy.coef
                arrays["privacy_intercept"] = self.features.privacy.intercept
            if self.state.closure is not None:
                arrays["closure_coef"] = self.state.closure.coef
                arrays["closure_intercept"] = self.state.closure.intercept
            np.savez_compressed(tmp / WEIGHTS_FILE, **arrays)
            rb_name = self.policy.rulebook.path.name
            if not self.policy.rulebook.source:
                raise ValueError("the rulebook was not loaded from a file; cannot save a model with it")
            (tmp / rb_name).write_bytes(self.policy.rulebook.source)
            manifest = {
                **self.manifest, **(extra_manifest or {}),
                "kind": COMPONENT_KIND, "version": self.version, "feature_version": FEATURE_VERSION,
                "feature_config": asdict(self.features.config), "numeric_features": self.features.names,
                "classes": list(self.state.classes), "reason_codes": list(self.state.reasons),
                "calibration": {"method": "temperature", "beta": float(self.state.beta)},
                "open_threshold": float(self.state.open_threshold),
                "reason_threshold": float(self.state.reason_threshold),
                "private_threshold": float(self.state.private_threshold),
                "privacy_model": self.features.privacy is not None,
                "rulebook_file": rb_name, "rulebook_version": self.policy.version,
                "rulebook_sha256": self.policy.rulebook.sha256,
                "weights_sha256": hashlib.sha256((tmp / WEIGHTS_FILE).read_bytes()).hexdigest(),
            }
            (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True),
                                             encoding="utf-8")
            self.manifest = manifest
            if (out / "README.md").is_file():  # the hand-written model card survives a rebuild
                shutil.copy2(out / "README.md", tmp / "README.md")
            if out.exists():
                old = out.with_name(f".{out.name}.old-{os.getpid()}")
                os.replace(out, old)
                os.replace(tmp, out)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return out

    # -------------------------------------------------------------- inference
    def matrix(self, texts: Sequence[str], spans_list: Sequence[Sequence[Span]], metas: Sequence[Mapping[str, Any]],
               as_of: date) -> tuple[sparse.csr_matrix, list[PolicyResult]]:
        X, prs, _ = self._matrix(texts, spans_list, metas, as_of)
        return X, prs

    def _matrix(self, texts, spans_list, metas, as_of):
        counts, num, prs, private = self.features.raw(texts, spans_list, metas, as_of)
        return self.features.transform(counts, num), prs, private

    def predict_proba(self, texts: Sequence[str], spans_list: Sequence[Sequence[Span]],
                      metas: Sequence[Mapping[str, Any]] | None = None, as_of: date | None = None) -> np.ndarray:
        """The calibrated model probabilities (columns in ``state.classes``), before the policy."""
        metas = metas if metas is not None else [{}] * len(texts)
        X, _ = self.matrix(list(texts), [coerce_spans(s) for s in spans_list], list(metas), as_of or date.today())
        return self.state.proba(X)

    def propose(self, text: str, spans: Sequence[Span | Mapping[str, Any]], meta: Mapping[str, Any] | None = None,
                as_of: date | None = None) -> ProposalResult:
        """Propose a decision for one document (``meta`` keys: title, date, year, classification, genre ...)."""
        return self.propose_many([text], [spans], [meta or {}], as_of=as_of)[0]

    def propose_many(self, texts: Sequence[str], spans_list: Sequence[Sequence[Span | Mapping[str, Any]]],
                     metas: Sequence[Mapping[str, Any] | None] | None = None, as_of: date | None = None,
                     ) -> list[ProposalResult]:
        """Propose for a batch (vectorised features); one result per text, in order."""
        texts = list(texts)
        spans_list = [coerce_spans(s) for s in spans_list]
        metas = [dict(m or {}) for m in (metas if metas is not None else [{}] * len(texts))]
        if not (len(texts) == len(spans_list) == len(metas)):
            raise ValueError(f"texts ({len(texts)}), spans ({len(spans_list)}) and metas ({len(metas)}) differ in length")
        for k, (t, spans) in enumerate(zip(texts, spans_list)):
            if not isinstance(t, str):
                raise TypeError("every text must be a str")
            bad = next((sp for sp in spans if sp.end > len(t)), None)
            if bad is not None:
                raise ValueError(f"document {k}: span [{bad.start}, {bad.end}) {bad.label} lies outside the text "
                                 f"({len(t)} characters); offsets are code points into the original text")
        if not texts:
            return []
        as_of = as_of or date.today()
        X, prs, private = self._matrix(texts, spans_list, metas, as_of)
        proba = self.state.proba(X)
        rproba = self.state.reason_proba(X)
        closure_p = _sigmoid(self.state.closure.logits(X)[:, 0]) if self.state.closure is not None else None
        results = []
        for i, (text, spans, meta, pr) in enumerate(zip(texts, spans_list, metas, prs)):
            results.append(self._decide(i, X, text, spans, meta, pr, proba[i], {r: float(p[i]) for r, p in rproba.items()},
                                        None if closure_p is None else float(closure_p[i]), as_of, private[i]))
        return results

    def model_decision(self, p: np.ndarray) -> str:
        """The cautious decision rule: OPEN only when P(OPEN) clears the tuned threshold."""
        cls = list(self.state.classes)
        if p[cls.index("OPEN")] >= self.state.open_threshold:
            return "OPEN"
        return "OPEN_REDACTED" if p[cls.index("OPEN_REDACTED")] >= p[cls.index("CLOSED")] else "CLOSED"

    def _decide(self, i: int, X: sparse.csr_matrix, text: str, spans: list[Span], meta: Mapping[str, Any],
                pr: PolicyResult, p: np.ndarray, rp: dict[str, float], p_deferred: float | None,
                as_of: date, private: Sequence[float]) -> ProposalResult:
        cls = list(self.state.classes)
        model_dec = self.model_decision(p)
        model_reasons = [r for r in REASONS if rp.get(r, 0.0) >= self.state.reason_threshold]
        decision, reasons = self.policy.apply(model_dec, model_reasons, pr)
        if decision != "OPEN" and not reasons:
            reasons = [max(rp, key=rp.get)] if rp else ["OTHER"]
        # The policy conditions the distribution: outcomes below the floor have probability 0.
        post = np.array([p[cls.index(d)] if _sev(d) >= _sev(pr.floor) else 0.0 for d in DECISIONS])
        post = post / post.sum() if post.sum() > 0 else np.array([1.0 if d == pr.floor else 0.0 for d in DECISIONS])
        probabilities = {d: round(float(v), 6) for d, v in zip(DECISIONS, post)}
        confidence = float(post[DECISIONS.index(decision)])

        closure = review = None
        if decision == "CLOSED":
            closure = self._closure(pr, reasons, p_deferred)
            if closure == "DEFERRED":
                review = compute_review_after(as_of=as_of, eligible=pr.eligible_from,
                                              mark_expiries=pr.mark_expiries, params=self.policy.params)
        redact: list[dict] = []
        if decision == "OPEN_REDACTED":
            if "PERSONAL_INFO" in reasons:
                # a private person's information is masked; an office's published contact is not
                # (GUIDELINES 1-2). Cautious threshold; forced labels (PI-01) are always masked.
                forced = {lab for f in pr.fired if f.kind == "force" for lab in
                          (self.policy.rulebook.rule(f.id).when.get("labels_any") or [])}
                redact += [{"start": s.start, "end": s.end, "label": s.label, "reason": "PERSONAL_INFO",
                            "text": text[s.start:s.end], "p_private": round(float(pv), 4)}
                           for s, pv in zip(spans, private) if s.label in PERSONAL_INFO_LABELS
                           and (pv >= self.state.private_threshold or s.label in forced)]
            if "COMMERCIAL_SECRET" in reasons:
                redact += [{**r, "text": text[r["start"]:r["end"]]} for r in pr.commercial_ranges
                           if not any(r["start"] < x["end"] and x["start"] < r["end"] for x in redact)]
            redact.sort(key=lambda r: (r["start"], r["end"]))

        evidence: list[dict] = [f.to_dict() for f in pr.fired]
        if decision == "OPEN_REDACTED" and not redact:
            # Cautious OPEN_REDACTED with nothing found to mask: the reviewer marks the ranges
            # (or opens it). Never silently turned into OPEN: the detector may have missed them.
            evidence.append({"kind": "note", "code": "REDACT_EMPTY",
                             "wording_zh": "建议部分开放，但未检出需屏蔽的内容，请审核人员标出屏蔽范围或改为开放。",
                             "wording_en": "Proposed OPEN_REDACTED but nothing to mask was found: mark the ranges or open it."})
        evidence.append({"kind": "model", "model_version": self.version,
                         "probabilities": {c: round(float(v), 6) for c, v in zip(cls, p)},
                         "model_decision": model_dec, "open_threshold": self.state.open_threshold,
                         "policy_floor": pr.floor, "overridden": decision != model_dec,
                         "reason_probabilities": {r: round(v, 6) for r, v in rp.items()}})
        evidence += self._top_features(i, X, text, meta, cls.index(decision))
        driving = {"SECRET_MARK", *PERSONAL_INFO_LABELS}
        evidence += [{"kind": "span", "start": s.start, "end": s.end, "label": s.label,
                      "text": text[s.start:s.end], "score": round(float(s.score), 4), "source": s.source}
                     for s in spans if s.label in driving]
        return ProposalResult(
            decision=decision, reasons=reasons, closure=closure, review_after=review,
            confidence=round(confidence, 6), probabilities=probabilities, fired_rules=pr.fired_ids,
            evidence=evidence, rulebook_version=self.policy.version, model_version=self.version,
            eligible_from=pr.eligible_from, redact=redact,
        )

    def _closure(self, pr: PolicyResult, reasons: list[str], p_deferred: float | None) -> str:
        """DEFERRED when a forced rule says so; else the model's closure; else by reason.

        Default by reason (rulebook v1): state secrets, public security and trade secrets are
        deferred (they expire); personal information is controlled use (控制使用).
        """
        if pr.forced_closure:
            return pr.forced_closure
        if p_deferred is not None:
            return "DEFERRED" if p_deferred >= 0.5 else "CONTROLLED"
        return "DEFERRED" if set(reasons) & {"STATE_SECRET", "PUBLIC_SECURITY", "COMMERCIAL_SECRET"} else "CONTROLLED"

    def _top_features(self, i: int, X: sparse.csr_matrix, text: str, meta: Mapping[str, Any], k: int,
                      top: int = 8) -> list[dict]:
        """The features that pushed the logit of class ``k`` up the most, relative to the others."""
        row = X.getrow(i)
        W = self.state.decision.coef
        rel = W[k] - W.mean(axis=0)
        contrib = row.data * rel[row.indices] * self.state.beta
        order = np.argsort(-contrib)[:top]
        ngrams = self.features.ngram_index(text, meta)
        out = []
        for o in order:
            if contrib[o] <= 0:
                break
            j = int(row.indices[o])
            item = {"kind": "feature", "name": self.features.feature_label(j, ngrams, meta),
                    "contribution": round(float(contrib[o]), 4), "class": self.state.classes[k]}
            n_text = self.features.config.n_text_features
            if j >= n_text:  # the raw value: a driver may be an ABSENT cue (value 0, below the mean)
                c = j - n_text
                item["value"] = round(float(row.data[o] / self.features.config.numeric_weight
                                            * self.features.scale[c] + self.features.mean[c]), 4)
            out.append(item)
        return out


def _sev(d: str) -> int:
    return DECISIONS.index(d)


def new_version_name(weights_digest: str, created: datetime | None = None) -> str:
    created = created or datetime.now(timezone.utc)
    return f"decision-{created:%Y%m%d}-{weights_digest[:8]}"


# ---------------------------------------------------------------------------------------------
# Metrics (the ``decisions`` block of ``kaifang evaluate`` is models.evaluation's; these are the
# same definitions, used by training and the benchmark, plus calibration)


def decision_metrics(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """``models.evaluation.decision_scores`` (the one definition) plus ``n``.

    leak_rate: share of gold OPEN_REDACTED or CLOSED documents proposed OPEN; over_closure_rate:
    share of gold OPEN documents proposed CLOSED; open_recall: share of gold OPEN documents
    proposed OPEN (what open review is for). A rate without documents to count is None.
    """
    from models.evaluation import decision_scores

    out = decision_scores(gold, pred)
    out["n"] = out["documents"]
    return out


def calibration_metrics(proba: np.ndarray, gold_idx: Sequence[int], n_bins: int = 10) -> dict:
    """Multiclass Brier score (mean over documents of the squared error summed over classes),
    top-label expected calibration error (equal-width bins) and log loss."""
    proba = np.asarray(proba, dtype=np.float64)
    y = np.zeros_like(proba)
    y[np.arange(len(gold_idx)), np.asarray(gold_idx)] = 1.0
    brier = float(np.mean(np.sum((proba - y) ** 2, axis=1))) if len(proba) else 0.0
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == np.asarray(gold_idx)).astype(np.float64)
    ece = 0.0
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(conf[m].mean() - correct[m].mean())
    p_true = np.clip(proba[np.arange(len(gold_idx)), np.asarray(gold_idx)], 1e-12, 1.0)
    log_loss = float(-np.mean(np.log(p_true))) + 0.0 if len(proba) else 0.0  # + 0.0: no "-0.0"
    return {"brier": brier, "ece": float(ece), "log_loss": log_loss}
