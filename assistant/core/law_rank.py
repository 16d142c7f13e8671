"""A learned re-ranking of the law ranking's first articles (issue 11, round 10).

The law ranking fuses BM25 and meaning by reciprocal rank and then weighs the shelves by hand (a regulation
counts less unless the question names it, thresholds.py SHELF).  On the tune split the governing article is
among the first five for ~0.89 of policy questions, on the holdout for ~0.83: the hand weights fit the
questions they were tuned on.  Here the first POOL articles of that ranking are re-ordered by a linear model of
features of each (question, article) pair — the fused score and both sides' scores and ranks, the shelf, how
much of the pool the article's law holds, the character pairs the question shares with the article and with
the law's title, and whether the article is of the kind the question asks for (a number for "几个月", a
penalty for "罚多少", not a 立法目的 first article) — whose weights are LEARNED from every labelled law question
read so far (eval/law_train.py: listwise softmax loss, numpy; cross-validated by leaving one set out).

The weights and the report they came from are data: assistant/data/law_ranker.json.  Without that file the
hand-weighted order stands.  Cost per question: POOL × len(FEATURES) numbers; every article's character pairs
are worked out once per index.

Example: "国庆节那几天上班，工资怎么算" — the fused order puts 《劳动合同法》第七十二条 (非全日制 小时工资)
first; 《劳动法》第四十四条 (法定休假日安排劳动者工作的，支付不低于工资的百分之三百) shares 工资 and 休假日
(节 → 法定节假日 by the term map) and is of the asked kind (an amount), so it can rise.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

from assistant.core.catalogue_match import bigrams
from assistant.core.catalogue_rank import Ranker, reciprocal_ranks
from assistant.core.law_cues import title_pieces

POOL = 30  # articles re-ranked: the fused order's first 30 hold the governing article for ~0.95 of read questions
WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "law_ranker.json"
FEATURES = ("fused", "fused_rank", "cos_gap", "cos_rank", "bm25", "bm25_rank", "regulation", "cued",
            "law_share", "law_best", "q_cover", "a_cover", "title_cover", "number_asked", "number_unasked",
            "penalty_asked", "penalty_unasked", "preamble", "definition", "length")

# what kind of clause the question asks for: a number (几个月, 多少钱, 多久, 比例) or what follows a breach
_ASKS_NUMBER = re.compile(r"几|多少|多久|多长|多大|多高|比例|百分之|多少钱|怎么算|咋算|上限|最多|最少|至少|最长|最低|标准")
_ASKS_PENALTY = re.compile(r"罚|处罚|后果|责任|赔偿|赔|坐牢|违法|犯法|滞纳金|处分|吊销")
_HAS_NUMBER = re.compile(r"[0-9０-９]|[一二三四五六七八九十百千万两半]+(?:个)?(?:日|天|月|年|周岁|岁|倍|小时|周|个工作日|元|人)|百分之")
_PENALTY = re.compile(r"罚款|处以|吊销|责令|追究|赔偿|处分|没收")
_PREAMBLE = re.compile(r"^为了|制定本(?:法|条例|办法|规定)|本(?:法|条例|办法|规定)适用于")
_DEFINITION = re.compile(r"是指|所称")


class ArticleStats:
    """Every law article's character pairs with their rarity (IDF over the law articles) and total weight, its
    title's core pairs (law_cues.title_pieces), and what kind of clause it is (a number, a penalty, a 立法目的, a
    definition): worked out once per index, so that a question costs only the pairs it shares with each article."""

    def __init__(self, chunks):
        laws = [c for c in chunks if c.kind == "law"]
        self.pairs = {c.chunk_id: frozenset(bigrams(c.text)) for c in laws}
        self.title = {c.law: frozenset(title_pieces(c.law or "")) for c in laws}
        df = Counter(b for p in self.pairs.values() for b in p)
        self.idf = {b: math.log((len(laws) + 1) / (d + 0.5)) for b, d in df.items()}
        self.total = {cid: self.weight(p) for cid, p in self.pairs.items()}
        self.title_total = {law: self.weight(p) for law, p in self.title.items()}
        self.kinds = {c.chunk_id: (bool(_HAS_NUMBER.search(c.text)), bool(_PENALTY.search(c.text)),
                                   bool(_PREAMBLE.search(c.text)), bool(_DEFINITION.search(c.text))) for c in laws}

    def weight(self, pairs) -> float:
        return sum(self.idf.get(x, 0.0) for x in pairs)


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def features(stats: ArticleStats, text: str, hits: list, regulation: list[bool], cued: set[str]) -> np.ndarray:
    """One row of FEATURES per hit (the fused order's first POOL); `text` is the question with the term map's
    official words added (law_tokens' words), `regulation` marks second-shelf laws, `cued` the laws the
    question names."""
    q = set(bigrams(text))
    q_total = stats.weight(q)
    fused = np.array([h.score for h in hits], dtype=np.float32)
    cos = np.array([h.dense for h in hits], dtype=np.float32)
    bm = np.array([h.bm25 or 0.0 for h in hits], dtype=np.float32)
    laws = [h.chunk.law for h in hits]
    top = Counter(laws[:10])
    best: dict[str, int] = {}
    for r, law in enumerate(laws):
        best.setdefault(law, r)
    number, penalty = bool(_ASKS_NUMBER.search(text)), bool(_ASKS_PENALTY.search(text))
    rows = []
    for r, h in enumerate(hits):
        c = h.chunk
        pairs, total = stats.pairs[c.chunk_id], stats.total[c.chunk_id]
        has_num, is_pen, preamble, definition = stats.kinds[c.chunk_id]
        shared = stats.weight(pairs & q)
        title = stats.title.get(c.law, frozenset())
        rows.append((float(regulation[r]), float(c.law in cued), top[c.law] / min(10, len(hits)),
                     1.0 / (1.0 + best[c.law]), _share(shared, q_total), _share(shared, total),
                     _share(stats.weight(title & q), stats.title_total.get(c.law, 0.0)),
                     float(number and has_num), float(not number and has_num),
                     float(penalty and is_pen), float(not penalty and is_pen),
                     float(preamble), float(definition), math.log(1 + len(c.text))))
    rest = np.asarray(rows, dtype=np.float32).reshape(len(hits), len(FEATURES) - 6)
    head = np.stack([fused / (fused.max() or 1.0), reciprocal_ranks(fused), cos - cos.max(), reciprocal_ranks(cos),
                     bm / (bm.max() or 1.0), reciprocal_ranks(bm)], axis=1)
    return np.concatenate([head, rest], axis=1)


class LawRanker(Ranker):
    """score = ((f − mean) / scale) · w over FEATURES (catalogue_rank.Ranker's model, this file's features)."""
    NAMES, PATH = FEATURES, WEIGHTS
