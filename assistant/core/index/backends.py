"""Search backends for stage 3, chosen by `ASSISTANT_SEARCH_BACKEND`, and the query-embedding cache.

- `local` (default, one centre): the in-process index of `retrieve.HybridRetriever` (bm25s + FAISS).
- `milvus` (a province: many centres and replicas share one search engine): the chunks live in a
  Milvus collection at `ASSISTANT_MILVUS_URI` — a Milvus cluster (`http://milvus:19530`), or a local
  file (`var/milvus.db`) served in-process by Milvus Lite for tests and trials.  Each chunk has its
  dense vector (the same vector the local index holds) and its text, which Milvus' built-in BM25
  function scores with its jieba analyzer.  The two lists are fused by reciprocal rank **in the
  engine** (`hybrid_search` with `RRFRanker(k=ASSISTANT_RRF_K)`); the law-only weights (BM25 1 :
  dense 3) are applied by sending the dense request three times, which is exactly weighted RRF.

Same interface as the local retriever (`search`, `embed`, `bm25`, `dense`), same scales: BM25 with
bm25s' k1/b (1.5/0.75), divided by (k1 + 1) as bm25s (Lucene's variant) leaves that factor out, over
the same tokens (the text is stored already cut by the index's own tokenizer, with its user dictionary
and stopwords, and the analyzer's dictionary holds every stored word, so both backends count the same
words); cosine for dense; RRF scores `w/(k+rank)`.  So every threshold of the pipeline means the same
on both (eval/reports/eval-backends.md puts the two side by side).

Item routing (item names, aliases, FAQ questions) stays in process: it is the catalogue of one
centre, a few thousand vectors at most.

The collection is named after the index fingerprint (`daoban_chunks_<fingerprint>_s<schema>`), so a
new corpus is a new collection and running replicas keep theirs until they restart.
`assistant index milvus` fills it before the replicas start (they refuse to start without it and name
that command); a Milvus Lite file is filled by the process that opens it.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from prometheus_client import Counter

from assistant.core.corpus.laws import law_key
from assistant.core.index.build import Index, chunk_tokens
from assistant.core.retrieve import Hit, HybridRetriever, Retrieval

log = logging.getLogger("assistant.search")

BM25_K1, BM25_B = 1.5, 0.75  # bm25s' defaults, so BM25 scores mean the same on both backends
MAX_TEXT = 60_000  # characters of BM25 text per chunk (Milvus VARCHAR limit: 65,535)


# ------------------------------------------------------------------ query-embedding cache

# one per process, on no registry: /metrics adds it to each app's registry (and, with several workers,
# prometheus-client's multiprocess files add the workers up)
CACHE_LOOKUPS = Counter("assistant_query_embedding_cache_lookups_total",
                        "Query-vector cache lookups: hit (embedding saved) or miss (embedded)", ["result"],
                        registry=None)


@dataclass
class CacheInfo:
    hits: int
    misses: int
    size: int
    capacity: int


class QueryVectorCache:
    """LRU of query vectors.  The same questions recur all day at a service centre ("结婚登记要带什么"),
    and embedding one is most of the CPU time of an answer.  Thread-safe; vectors are read-only."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, text: str, compute) -> np.ndarray:
        with self._lock:
            vec = self._data.get(text)
            if vec is not None:
                self._data.move_to_end(text)
                self.hits += 1
                CACHE_LOOKUPS.labels("hit").inc()
                return vec
            self.misses += 1
        CACHE_LOOKUPS.labels("miss").inc()
        vec = np.array(compute(text), dtype=np.float32)
        vec.setflags(write=False)
        with self._lock:
            self._data[text] = vec
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)
        return vec

    def info(self) -> CacheInfo:
        return CacheInfo(self.hits, self.misses, len(self._data), self.capacity)


class CachedRetriever(HybridRetriever):
    """The local retriever with the query-vector cache in front of the embedder."""

    def __init__(self, index: Index, cache_size: int | None = None, **kw):
        super().__init__(index, **kw)
        size = index.settings.query_cache_size if cache_size is None else cache_size
        self.query_cache = QueryVectorCache(size) if size > 0 else None

    def embed(self, query: str) -> np.ndarray:
        if self.query_cache is None:
            return super().embed(query)
        return self.query_cache.get(query, super().embed)


def make_retriever(index: Index):
    """The retriever `ASSISTANT_SEARCH_BACKEND` asks for (`local` or `milvus`)."""
    s = index.settings
    if s.search_backend == "milvus":
        return MilvusRetriever(index)
    return CachedRetriever(index)


# ------------------------------------------------------------------ Milvus


SCHEMA = 2  # bumped when the stored fields or the analyzer change: a new collection, never a mixed one


def collection_name(index: Index) -> str:
    prefix = index.settings.milvus_collection
    return f"{prefix}_{index.manifest.get('fingerprint', 'unknown')[:16]}_s{SCHEMA}"


def _client(settings):
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise RuntimeError("Milvus 后端需要 pymilvus（pip install -e '.[milvus]'）") from None
    if not settings.milvus_uri:
        raise RuntimeError("ASSISTANT_SEARCH_BACKEND=milvus 需要设置 ASSISTANT_MILVUS_URI"
                           "（如 http://milvus:19530，或本地文件 var/milvus.db）")
    uri = str(settings.milvus_uri)
    try:
        if uri.endswith(".db"):
            from pathlib import Path

            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        return MilvusClient(uri=uri, token=settings.milvus_token or "")
    except Exception as e:  # noqa: BLE001 - pymilvus raises several kinds; all mean "cannot connect"
        hint = ("Milvus Lite 文件只能由一个进程打开；多个进程或副本请运行 "
                "`milvus-lite server --data-dir DIR --port 19530` 并设 ASSISTANT_MILVUS_URI=http://127.0.0.1:19530"
                if uri.endswith(".db") else "请检查 ASSISTANT_MILVUS_URI 与 ASSISTANT_MILVUS_TOKEN")
        raise RuntimeError(f"无法连接 Milvus（{uri}：{type(e).__name__}）。{hint}") from None


def sync_collection(index: Index, client, name: str | None = None, batch: int = 256, log_=log.info,
                    create: bool = True) -> dict:
    """Create and fill the index's collection unless it already holds every chunk; returns timings.
    `create=False` (replicas on a shared cluster) raises instead, naming the command: two replicas
    filling the same collection at once would each insert every chunk."""
    from pymilvus import DataType, Function, FunctionType

    name = name or collection_name(index)
    t0 = time.perf_counter()
    if client.has_collection(name):
        n = int(client.get_collection_stats(name).get("row_count", 0))
        if n == len(index.chunks):
            client.load_collection(name)
            return {"collection": name, "rows": n, "created": False, "seconds": round(time.perf_counter() - t0, 2)}
        if not create:
            raise RuntimeError(f"Milvus 集合 {name} 只有 {n}/{len(index.chunks)} 个片段，请运行 `assistant index milvus`")
        log_(f"Milvus collection {name} has {n} of {len(index.chunks)} chunks: rebuilding")
        client.drop_collection(name)
    elif not create:
        raise RuntimeError(f"Milvus 中没有当前索引的集合 {name}，请先运行 `assistant index milvus`")
    dim = int(index.manifest.get("dim") or index.dense.d)
    tok = index.tokenizer
    texts = [chunk_tokens(tok, c) or ["∅"] for c in index.chunks]
    # jieba's exact mode keeps a word whole when it is in the dictionary: with every word of the stored
    # tokens in it, Milvus counts exactly the tokens bm25s counts (without it, 1,712 of 4,611 chunks of the
    # default corpus were re-cut: 未成 → 未 成, and their BM25 scores drifted by up to 25 %)
    words = sorted({w for t in texts for w in t if len(w) >= 2} | set(tok.user_words))
    schema = client.create_schema(auto_id=False, description=f"导办助手 chunks, index {index.manifest.get('fingerprint')}")
    schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
    schema.add_field("kind", DataType.VARCHAR, max_length=16)
    # stored already cut by the index's tokenizer; jieba's exact mode with the same user words keeps the cuts
    schema.add_field("text", DataType.VARCHAR, max_length=65_535, enable_analyzer=True,
                     analyzer_params={"tokenizer": {"type": "jieba", "mode": "exact", "dict": ["_default_", *words]}})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    params = client.prepare_index_params()
    params.add_index("vector", index_type="FLAT", metric_type="IP")
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": BM25_K1, "bm25_b": BM25_B})
    client.create_collection(name, schema=schema, index_params=params)
    vectors = index.dense.reconstruct_n(0, index.dense.ntotal)
    t_insert = time.perf_counter()
    for start in range(0, len(index.chunks), batch):
        rows = [{"chunk_id": c.chunk_id, "kind": c.kind, "vector": vectors[i].tolist(),
                 "text": " ".join(texts[i])[:MAX_TEXT]}
                for i, c in enumerate(index.chunks[start:start + batch], start)]
        client.insert(name, rows)
    client.flush(name)
    client.load_collection(name)
    out = {"collection": name, "rows": len(index.chunks), "created": True,
           "seconds": round(time.perf_counter() - t0, 2), "insert_seconds": round(time.perf_counter() - t_insert, 2)}
    log_(f"Milvus collection {name}: {out['rows']} chunks in {out['seconds']} s")
    return out


def _bm25_score(distance: float) -> float:
    """Milvus' BM25 on bm25s' scale.  Milvus multiplies each term by (k1 + 1), bm25s (Lucene's variant)
    does not; the ranking is the same.  Milvus returns the score as a similarity, Milvus Lite negated."""
    return abs(distance) / (BM25_K1 + 1)


class MilvusRetriever(CachedRetriever):
    """Chunk retrieval on Milvus: dense + built-in BM25, fused by RRF in the engine."""

    def __init__(self, index: Index, client=None, name: str | None = None, **kw):
        super().__init__(index, **kw)
        self.client = client or _client(index.settings)
        self.name = name or collection_name(index)
        # a Milvus Lite file belongs to this process: fill it here; a shared cluster is filled once, by the CLI
        local_file = str(index.settings.milvus_uri or "").endswith(".db")
        self.build = sync_collection(index, self.client, self.name, create=local_file)

    def ready(self) -> str | None:
        """None when the collection answers, else the reason (for /readyz)."""
        try:
            if not self.client.has_collection(self.name):
                return f"Milvus 中没有集合 {self.name}，请运行 `assistant index milvus`"
            return None
        except Exception as e:  # noqa: BLE001 - any failure means not ready
            return f"Milvus 不可用（{type(e).__name__}），请检查 ASSISTANT_MILVUS_URI"

    @staticmethod
    def _filter(kind: str | None) -> str:
        return f'kind == "{kind}"' if kind in ("guide", "law") else ""

    def _requests(self, tokens: list[str], qvec: np.ndarray, n: int, kind: str | None):
        from pymilvus import AnnSearchRequest

        expr = self._filter(kind)
        bm = AnnSearchRequest(data=[" ".join(tokens)], anns_field="sparse", param={"metric_type": "BM25"},
                              limit=n, expr=expr or None)
        dn = AnnSearchRequest(data=[qvec.astype(np.float32).tolist()], anns_field="vector",
                              param={"metric_type": "IP"}, limit=n, expr=expr or None)
        return bm, dn

    def bm25(self, tokens: list[str], n: int, kind: str | None = None) -> list[tuple[str, float]]:
        if not tokens:
            return []
        res = self.client.search(self.name, data=[" ".join(tokens)], anns_field="sparse", limit=n,
                                 filter=self._filter(kind), output_fields=["kind"],
                                 search_params={"metric_type": "BM25"})
        out = [(h["chunk_id"], _bm25_score(h["distance"])) for h in res[0]]
        return [(i, s) for i, s in sorted(out, key=lambda x: -x[1]) if s > 0]

    def dense(self, qvec: np.ndarray, n: int, kind: str | None = None) -> list[tuple[str, float]]:
        res = self.client.search(self.name, data=[qvec.astype(np.float32).tolist()], anns_field="vector", limit=n,
                                 filter=self._filter(kind), output_fields=["kind"],
                                 search_params={"metric_type": "IP"})
        return [(h["chunk_id"], float(h["distance"])) for h in res[0]]

    def search_laws(self, laws: list[str], query: str, k: int, qvec: np.ndarray, tokens: list[str]) -> list[Hit]:
        """The named laws' articles among the law side's `pool` best (Milvus filters by kind only)."""
        keys = {law_key(name) for name in laws}
        hits = self.search(query, k=self.pool, kind="law", qvec=qvec, tokens=tokens).hits
        return [h for h in hits if law_key(h.chunk.law or "") in keys][:k]

    def search(self, query: str, k: int = 20, kind: str | None = None, qvec: np.ndarray | None = None,
               tokens: list[str] | None = None) -> Retrieval:
        from pymilvus import RRFRanker

        tokens = self.index.tokenizer.tokens(query) if tokens is None else tokens
        tokens = self.law_tokens(query, tokens) if kind == "law" else tokens
        qvec = self.embed(query) if qvec is None else qvec
        w_bm25, w_dense = self.law_weights if kind == "law" else (self.w_bm25, self.w_dense)
        bm_req, dn_req = self._requests(tokens, qvec, self.pool, kind)
        reps = (_repeat(w_bm25), _repeat(w_dense))
        reqs = [bm_req] * reps[0] * bool(tokens) + [dn_req] * reps[1]
        fused = self.client.hybrid_search(self.name, reqs, ranker=RRFRanker(self.rrf_k), limit=self.pool,
                                          output_fields=["vector"])[0] if reqs else []
        # each side's own score and rank, for the trace and for the pipeline's thresholds
        b = {cid: (rank, s) for rank, (cid, s) in enumerate(self.bm25(tokens, self.pool, kind), 1)}
        d = {cid: (rank, s) for rank, (cid, s) in enumerate(self.dense(qvec, self.pool, kind), 1)}
        hits = []
        for h in fused:
            cid = h["chunk_id"]
            chunk = self.index.by_id.get(cid)
            if chunk is None:  # the collection belongs to another index build
                continue
            br, bs = b.get(cid, (None, 0.0))
            dr, ds = d.get(cid, (None, None))
            if ds is None:
                ds = float(np.asarray(h["entity"]["vector"], dtype=np.float32) @ qvec)
            hits.append(Hit(chunk, abs(float(h["distance"])) * self.law_weight(chunk, kind), bs, ds, br, dr))
        # equal RRF scores are common (rank 3 on one side only = rank 3 on the other side only); break ties
        # as the local retriever does: BM25 hits in BM25 order, then dense-only hits in dense order
        hits.sort(key=lambda x: (-round(x.score, 9), x.bm25_rank is None, x.bm25_rank or x.dense_rank or 0))
        if kind == "law" and self.law_ranker is not None:  # the same learned order as the local backend
            hits = self.rerank_laws(query, hits)
        return Retrieval(query=query, tokens=tokens, qvec=qvec, hits=hits[:k])


def _repeat(weight: float) -> int:
    """How many times a request is sent to weight it in RRF (weights are small whole numbers)."""
    n = round(weight)
    if abs(n - weight) > 1e-9 or n < 0:
        raise ValueError(f"Milvus 后端的检索权重须为非负整数（当前 {weight}），RRF 在引擎内按请求次数加权")
    return n
