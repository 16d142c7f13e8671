"""Stage 3: hybrid retrieval — BM25 (bm25s over jieba tokens) and dense (FAISS
inner product over normalised vectors), fused by weighted reciprocal rank.
Every hit keeps its score from each side so staff can see why it was found."""
from __future__ import annotations

from dataclasses import dataclass, replace

import faiss
import numpy as np

from assistant.core.corpus.chunks import Chunk
from assistant.core.corpus.laws import law_key
from assistant.core.dialogue.thresholds import SHELF
from assistant.core.index.build import Index
from assistant.core.index.dense_scan import DenseScan
from assistant.core.governing import law_words
from assistant.core.law_cues import cued_laws, title_cues
from assistant.core.law_rank import POOL as LAW_RERANK_POOL, ArticleStats, LawRanker, features as law_features
from assistant.core.understand import expand_terms

# The law ranking puts the governing laws the centre chose (Settings.laws, e.g. 劳动合同法) before the texts
# indexed beside them: administrative regulations (ASSISTANT_REGULATION_DIRS, e.g. 劳动合同法实施条例) and
# laws only the guides cite (ASSISTANT_CITED_LAWS, e.g. 劳动法).  Their fused score counts this much, so a
# regulation article leads only when it fits clearly better: "入职多久公司必须跟我签书面劳动合同" is answered
# from 劳动合同法 第十条, not from 实施条例 第五条.  Calibrated on the tune split of eval/policy_dev.jsonl
# (recall@5 0.852 without those texts indexed, 0.824 with them on one shelf at weight 1; on their own shelf
# 0.841 at 0.8, 0.852 at 0.7 to 0.4; 0.858 at 0.7 once each shelf reads 60 deep): eval/reports/laws-regulations.json.
# Since RRF counts ranks per shelf, at 0.7 a regulation's best article ranked below ~27 governing articles, and
# none of 58 tune questions about 工伤保险条例, 失业保险条例, 住房公积金管理条例, 劳动法 … had its article in the top 5;
# so a law the question names by its title (law_cues.py), an article that fits clearly better (SHELF.fit_margin)
# and a law (法) the guides cite count more: thresholds.py SHELF, eval/reports/s7-i11b-shelf-calibration.json.
SECONDARY_LAW_WEIGHT = SHELF.secondary
# The law ranking itself (kind "law") ranks all articles on one list, SHELF.law_pool deep, where a regulation
# counts this much (thresholds.py: on two shelves even an article both sides rank first stayed out of the top 5)
LAW_RANKING_SECONDARY = SHELF.law_secondary
# ... and this much when the question names that law by a word of its title (law_cues.py: "失业金" → 失业保险条例)
CUED_LAW_WEIGHT = SHELF.cued
FIT_MARGIN = SHELF.fit_margin
CITED_LAW_WEIGHT = SHELF.cited_law


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused (RRF)
    bm25: float
    dense: float
    bm25_rank: int | None
    dense_rank: int | None
    learned: float | None = None  # the law re-ranker's score (law_rank.py) when it ordered this hit

    def as_dict(self) -> dict:
        c = self.chunk
        out = {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": c.title, "section": c.section,
               "text": c.text, "source": c.source, "bm25": round(self.bm25, 4), "dense": round(self.dense, 4),
               "score": round(self.score, 5)}
        return out if self.learned is None else out | {"learned": round(self.learned, 3)}


@dataclass
class Retrieval:
    query: str
    tokens: list[str]
    qvec: np.ndarray  # (dim,)
    hits: list[Hit]


class HybridRetriever:
    def __init__(self, index: Index, pool: int = 60):
        self.index = index
        self.pool = pool
        s = index.settings
        self.rrf_k, self.w_bm25, self.w_dense = s.rrf_k, s.bm25_weight, s.dense_weight
        self._masks: dict[str, np.ndarray] = {}
        self._selectors: dict[str, tuple] = {}
        self._secondary: np.ndarray | None = None
        self._cues: dict[str, set[str]] | None = None
        self._shelf_weights: np.ndarray | None = None
        self._law_rows: dict[str, np.ndarray] = {}
        self._key_rows: dict[str, list[int]] | None = None
        self.law_weights = (s.law_bm25_weight, s.law_dense_weight)
        # the law ranking's first articles re-ordered by learned weights (law_rank.py); None: the fused order
        self.law_ranker = LawRanker.load()
        self._article_stats: ArticleStats | None = None
        self.primary_laws = set(s.laws)
        self.all_db_laws = s.all_laws
        self.regulations = bool(s.regulation_dirs)
        self.shelved = self.regulations or (s.cited_laws and not s.all_laws)
        self.scan = DenseScan(index)

    def embed(self, query: str) -> np.ndarray:
        return self.index.embedder.queries([query])[0]

    def bm25(self, tokens: list[str], n: int, kind: str | None = None) -> list[tuple[int, float]]:
        if not tokens:
            return []
        scores = self.index.bm25_chunks.get_scores(tokens)
        if kind:
            mask = self._kind_mask(kind)
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def dense(self, qvec: np.ndarray, n: int, kind: str | None = None) -> list[tuple[int, float]]:
        if self.index.dense.ntotal == 0:
            return []
        if self.scan.exact:  # one pass over the matrix per question vector, the same hits (index/dense_scan.py)
            hits = self.scan.search(qvec, n, self._kind_mask(kind) if kind else None)
            if hits is not None:
                return hits
        params = self._kind_selector(kind) if kind else None
        sims, ids = self.index.dense.search(qvec[None, :].astype(np.float32), n, params=params)
        keep = ids[0] >= 0
        return list(zip(ids[0][keep].tolist(), sims[0][keep].tolist()))

    def _kind_selector(self, kind: str):
        """FAISS search parameters that visit only the chunks of `kind` (made once per kind)."""
        if kind not in self._selectors:
            bits = np.packbits(self._kind_mask(kind), bitorder="little")
            sel = faiss.IDSelectorBitmap(len(self.index.chunks), faiss.swig_ptr(bits))
            self._selectors[kind] = (faiss.SearchParameters(sel=sel), sel, bits)  # the bitmap must stay alive
        return self._selectors[kind][0]

    def _shelf_ranks(self, side: list[tuple[int, float]]) -> list[int]:
        """Ranks counted on two shelves: the guides and governing laws, and the regulations and cited-only
        laws beside them, so that indexing 1,800 regulation articles pushes no guide passage and no article of
        劳动合同法 down its side's ranking (item scores and the law ranking keep their calibration)."""
        if not side:
            return []
        secondary = self._secondary_mask()[[i for i, _ in side]]
        return np.where(secondary, np.cumsum(secondary), np.cumsum(~secondary)).tolist()

    def _law_shelf_weights(self) -> np.ndarray:
        """Per chunk, `law_weight` in the law ranking (1, CITED_LAW_WEIGHT or SECONDARY_LAW_WEIGHT), worked out
        once per index: each law question starts from a copy."""
        if self._shelf_weights is None:
            self._shelf_weights = np.array([self.law_weight(c, "law") for c in self.index.chunks])
        return self._shelf_weights

    def _secondary_mask(self) -> np.ndarray:
        """Per chunk: on the second shelf (a regulation or a cited-only law), worked out once per index
        rather than for every hit of every query."""
        if self._secondary is None:
            self._secondary = np.array([c.kind == "law" and not self.governing(c) for c in self.index.chunks], dtype=bool)
        return self._secondary

    def law_weight(self, chunk: Chunk, kind: str | None) -> float:
        """How much a hit's fused score counts in the law ranking: LAW_RANKING_SECONDARY for a regulation,
        CITED_LAW_WEIGHT for a law only the guides cite, else 1 (the Milvus backend; the local one also lets a
        law the question names, or an article that fits clearly better, count CUED_LAW_WEIGHT: _weights)."""
        if kind != "law" or chunk.kind != "law" or self.governing(chunk):
            return 1.0
        return CITED_LAW_WEIGHT if chunk.source.startswith("laws.db") else LAW_RANKING_SECONDARY

    def governing(self, chunk: Chunk) -> bool:
        """A governing law: from laws.db, one of Settings.laws (or any, with ASSISTANT_ALL_LAWS); from
        Markdown, anything but a regulation while ASSISTANT_REGULATION_DIRS is set (条例/规定/办法/细则)."""
        if chunk.source.startswith("laws.db"):
            return self.all_db_laws or chunk.law in self.primary_laws
        return not self.regulations or (chunk.law.endswith("法") and not chunk.law.endswith("办法"))

    def _kind_mask(self, kind: str) -> np.ndarray:
        """Per chunk: of `kind`; "law:公司法|公证法" — an article of one of those laws (law_key names)."""
        if kind not in self._masks:
            if kind.startswith("law:"):
                mask = np.zeros(len(self.index.chunks), dtype=bool)
                for key in set(kind[4:].split("|")):
                    mask[self._law_key_rows().get(key, [])] = True
                self._masks[kind] = mask
            else:
                self._masks[kind] = np.array([c.kind == kind for c in self.index.chunks])
        return self._masks[kind]

    def _law_key_rows(self) -> dict[str, list[int]]:
        """law_key → the rows of that law's articles, worked out once per index (each law search names its own
        set of laws: a mask for a new set is then a few assignments, not a pass over every chunk)."""
        if self._key_rows is None:
            self._key_rows = {}
            for i, c in enumerate(self.index.chunks):
                if c.kind == "law":
                    self._key_rows.setdefault(law_key(c.law or ""), []).append(i)
        return self._key_rows

    def search_laws(self, laws: list[str], query: str, k: int, qvec: np.ndarray, tokens: list[str]) -> list[Hit]:
        """The best articles of the named laws alone ("股权卖给外人" within 公司法, the law an item rests on)."""
        keys = sorted({law_key(name) for name in laws})
        if not keys:
            return []
        return self.search(query, k=k, kind="law:" + "|".join(keys), qvec=qvec, tokens=tokens).hits

    def law_tokens(self, query: str, tokens: list[str]) -> list[str]:
        """The BM25 words of a law question: the person's own plus the official words the term map gives for
        them (corpus/lexicon/terms.yaml: 个税 → 个人所得税, 失业金 → 失业保险金), which the articles use."""
        words = f"{expand_terms(query)} {law_words(query)}".strip()
        extra = self.index.tokenizer.tokens(words) if words else []
        return tokens + [t for t in dict.fromkeys(extra) if t not in tokens]

    def search(self, query: str, k: int = 20, kind: str | None = None, qvec: np.ndarray | None = None,
               tokens: list[str] | None = None) -> Retrieval:
        tokens = self.index.tokenizer.tokens(query) if tokens is None else tokens
        tokens = self.law_tokens(query, tokens) if kind == "law" else tokens
        qvec = self.embed(query) if qvec is None else qvec
        # the mixed search ranks on two shelves, each side read deeper so that each shelf still gets `pool`
        # candidates; the law ranking ranks all articles on one list (SHELF.law_pool deep), and so do the laws
        # an item names (kind "law:…", its 设定依据): 工伤保险条例 counts like 社会保险法
        one_list = bool(kind and kind.startswith("law"))
        pool = SHELF.law_pool if kind == "law" else self.pool
        depth = pool * (3 if self.shelved and not one_list else 1)
        b = self.bm25(tokens, depth, kind)
        d = self.dense(qvec, depth, kind)
        w_bm25, w_dense = self.law_weights if one_list else (self.w_bm25, self.w_dense)
        ranks = (lambda side: list(range(1, len(side) + 1))) if one_list else self._shelf_ranks
        fused: dict[int, list] = {}
        for rank, (i, s) in zip(ranks(b), b):
            if rank > pool:
                continue
            fused.setdefault(i, [0.0, 0.0, None, None, None])
            fused[i][0] += w_bm25 / (self.rrf_k + rank)
            fused[i][1], fused[i][3] = s, rank
        for rank, (i, s) in zip(ranks(d), d):
            if rank > pool:
                continue
            fused.setdefault(i, [0.0, 0.0, None, None, None])
            fused[i][0] += w_dense / (self.rrf_k + rank)
            fused[i][2], fused[i][4] = s, rank
        weights = self._weights(query, fused, kind)
        if kind == "law" and self.law_ranker is not None:
            hits = self.rerank_laws(query, self._best(fused, qvec, max(k, LAW_RERANK_POOL), weights))
            return Retrieval(query=query, tokens=tokens, qvec=qvec, hits=hits[:k])
        return Retrieval(query=query, tokens=tokens, qvec=qvec, hits=self._best(fused, qvec, k, weights))

    def law_cues(self) -> dict[str, set[str]]:
        """Per second-shelf law, the title pieces that name it (law_cues.py), worked out once per index."""
        if self._cues is None:
            secondary = self._secondary_mask()
            names = {c.law for c in self.index.chunks if c.law}
            second = {c.law for c, s in zip(self.index.chunks, secondary) if s and c.law}
            self._cues = title_cues(second, names - second, self.index.chunks)
        return self._cues

    def article_stats(self) -> ArticleStats:
        """What the re-ranker needs of every article (~0.5 s for the default corpus): made by the Assistant that
        owns this retriever, so that a newly published index answers its first question as fast as the next."""
        if self._article_stats is None:
            self._article_stats = ArticleStats(self.index.chunks)
        return self._article_stats

    def law_features(self, query: str, hits: list[Hit]) -> np.ndarray:
        """law_rank.FEATURES of the law ranking's first hits (the question with the term map's words added)."""
        text = f"{query} {expand_terms(query)} {law_words(query)}"
        return law_features(self.article_stats(), text, hits, [not self.governing(h.chunk) for h in hits],
                            cued_laws(query, self.law_cues()))

    def rerank_laws(self, query: str, hits: list[Hit]) -> list[Hit]:
        """The first LAW_RERANK_POOL hits of the law ranking in the learned order (law_rank.py), the rest after."""
        head = hits[:LAW_RERANK_POOL]
        if len(head) < 2:
            return hits
        scores = self.law_ranker.scores(self.law_features(query, head))
        order = np.argsort(-scores, kind="stable")
        return [replace(head[i], learned=float(scores[i])) for i in order] + hits[LAW_RERANK_POOL:]

    def _weights(self, query: str, fused: dict[int, list], kind: str | None) -> np.ndarray:
        """Per chunk, how much its fused score counts for this question: 1 within the laws an item names;
        SECONDARY_LAW_WEIGHT on the second shelf (the mixed search of guides and laws stays as calibrated);
        in the law ranking, LAW_RANKING_SECONDARY for a regulation, CITED_LAW_WEIGHT for a law the guides cite and
        CUED_LAW_WEIGHT for a second-shelf law the question names by its title or whose article fits clearly better."""
        secondary = self._secondary_mask()
        if kind is not None and kind.startswith("law:"):
            return np.ones(len(secondary))
        if kind != "law":
            return np.where(secondary, SECONDARY_LAW_WEIGHT, 1.0)
        w = self._law_shelf_weights().copy()
        for name in cued_laws(query, self.law_cues()):
            if name not in self._law_rows:
                self._law_rows[name] = np.array([c.law == name for c in self.index.chunks])
            w = np.where(self._law_rows[name], CUED_LAW_WEIGHT, w)
        if FIT_MARGIN is not None:
            best = max((v[2] for i, v in fused.items() if v[4] is not None and not secondary[i]), default=None)
            for i, v in fused.items():
                if secondary[i] and v[4] is not None and best is not None and v[2] >= best + FIT_MARGIN:
                    w[i] = max(w[i], CUED_LAW_WEIGHT)
        return w

    def _best(self, fused: dict[int, list], qvec: np.ndarray, k: int, weights: np.ndarray) -> list[Hit]:
        """The k best fused candidates as hits (a law text replaced by a version now in force is never one);
        only those k are built, and only theirs BM25-only hits get a dense score (for the trace)."""
        uncitable = self.index.uncitable_rows()
        scored = [(i, v[0] * weights[i]) for i, v in fused.items() if not uncitable[i]]
        scored.sort(key=lambda x: -x[1])  # stable: ties keep the BM25-then-dense order
        hits = []
        for i, score in scored[:k]:
            _, bs, ds, br, dr = fused[i]
            if ds is None:
                ds = float(self.index.vectors()[i] @ qvec)
            hits.append(Hit(self.index.chunks[i], score, bs, ds, br, dr))
        return hits
