"""Read a built index from `index/` into memory: the `Index` every answer searches.

`build.py` writes the files this module reads (manifest.json, chunks.jsonl, userdict.txt,
bm25_chunks/, bm25_items/, dense.faiss, items.npz and the catalogue files); it also decides whether
the folder is still fresh (`build.check_fresh`, `build.load_index`), because only the build knows
what an index depends on.  This module does not import `build.py`, so the answering code can depend
on `Index` without pulling in the build.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import bm25s
import faiss
import numpy as np

from assistant.config import Settings
from assistant.core.catalogue import CatalogueIndex, load_catalogue_index
from assistant.core.corpus.chunks import Chunk
from assistant.core.corpus.laws import IN_FORCE, SUPERSEDED, effective_of, law_key, today, version_status
from assistant.core.corpus.load import Corpus, load_corpus
from assistant.core.index.embed import Embedder, make_embedder
from assistant.core.text.segment import Tokenizer

FORMAT = 1
REBUILD_HINT = "请运行 `assistant index build`（或 `make run`，它会自动重建）"


class IndexError_(RuntimeError):
    """The index is missing, stale or corrupt; the message says which command fixes it."""


@dataclass
class Index:
    settings: Settings
    corpus: Corpus
    chunks: list[Chunk]
    tokenizer: Tokenizer
    bm25_chunks: bm25s.BM25
    bm25_items: bm25s.BM25
    item_ids: list[str]  # row → item id of bm25_items
    dense: faiss.Index
    phrase_vecs: np.ndarray  # item phrases (queries side)
    phrase_items: list[str]  # row → item id
    phrase_texts: list[str]
    embedder: Embedder
    manifest: dict
    by_id: dict[str, Chunk] = field(default_factory=dict)
    by_item: dict[str, list[Chunk]] = field(default_factory=dict)
    by_article: dict[tuple[str, str], list[Chunk]] = field(default_factory=dict)
    law_versions: dict[str, list[str]] = field(default_factory=dict)  # law key → effective dates
    catalogue: CatalogueIndex | None = None  # catalogue-only items (ASSISTANT_CATALOGS)
    _uncitable: tuple = field(default=(None, None), repr=False)  # (day, mask): see uncitable_rows
    _vectors: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        self.by_id = {c.chunk_id: c for c in self.chunks}
        for c in self.chunks:
            if c.item_id:
                self.by_item.setdefault(c.item_id, []).append(c)
            if c.law and c.article:
                self.by_article.setdefault((law_key(c.law), c.article), []).append(c)
                dates = self.law_versions.setdefault(law_key(c.law), [])
                if effective_of(c) not in dates:
                    dates.append(effective_of(c))
        if self.catalogue is not None:  # citable, but not part of the retrieval arrays
            self.by_id.update({c.chunk_id: c for c in self.catalogue.chunks.values()})

    def law_status(self, c: Chunk, day: date | None = None) -> str:
        """现行有效 / 尚未施行 / 已被修订 for a law chunk, judged on `day` (default today, laws.today())."""
        return version_status(c, self.law_versions.get(law_key(c.law or ""), []), day or today())

    def citable(self, c: Chunk, day: date | None = None) -> bool:
        """False for the text of a law version replaced by one in force on `day` (default today): never cited."""
        return c.kind != "law" or self.law_status(c, day) != SUPERSEDED

    def uncitable_rows(self) -> np.ndarray:
        """Per chunk row, True for the text of a law version replaced by one in force today: `citable`
        for every row at once, worked out once a day instead of for every hit of every query."""
        day = today()
        if self._uncitable[0] != day:
            self._uncitable = (day, np.array([not self.citable(c, day) for c in self.chunks], dtype=bool))
        return self._uncitable[1]

    def vectors(self) -> np.ndarray:
        """The chunk vectors as one float32 matrix (row i = `dense.reconstruct(i)`), read once."""
        if self._vectors is None:
            n = self.dense.ntotal
            self._vectors = self.dense.reconstruct_n(0, n) if n else np.zeros((0, self.dense.d), np.float32)
        return self._vectors

    def article(self, law: str, article: str) -> Chunk | None:
        """The article of the version in force today; else of the version not yet in force
        (cited as 将于…起施行); never of a superseded version."""
        found = [c for c in self.by_article.get((law_key(law), article), []) if self.citable(c)]
        return next((c for c in found if self.law_status(c) == IN_FORCE), found[0] if found else None)


def read_manifest(index_dir: Path) -> dict:
    path = index_dir / "manifest.json"
    if not path.exists():
        raise IndexError_(f"索引不存在（{index_dir}）。{REBUILD_HINT}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise IndexError_(f"索引清单 manifest.json 已损坏。{REBUILD_HINT}") from None


def read_index(settings: Settings, manifest: dict, embedder: Embedder | None = None,
               corpus: Corpus | None = None) -> Index:
    """The index in `settings.index_dir` whose manifest is `manifest`, without asking whether it is
    fresh (`build.load_index` asks first).  Any unreadable file, or a chunk count that differs from
    the manifest's (a copy cut short), raises IndexError_ naming the command that rebuilds it.
    `corpus`: the corpus just read by the build that wrote the folder (`build.rebuild_index`), else
    the corpus files are read."""
    d = settings.index_dir
    try:
        corpus = corpus if corpus is not None else load_corpus(settings.corpus_dir)
        with (d / "chunks.jsonl").open(encoding="utf-8") as f:
            chunks = [Chunk.from_json(line) for line in f if line.strip()]
        tok = Tokenizer.from_file(d / "userdict.txt")
        bm = bm25s.BM25.load(str(d / "bm25_chunks"))
        bm_items = bm25s.BM25.load(str(d / "bm25_items"))
        dense = faiss.read_index(str(d / "dense.faiss"))
        with np.load(d / "items.npz") as z:
            pvecs, pitems, ptexts, item_ids = z["vectors"], list(z["items"]), list(z["texts"]), list(z["bm25_items"])
        catalogue = load_catalogue_index(d, manifest)
    except IndexError_:
        raise
    except Exception as e:  # noqa: BLE001 - any unreadable file means a corrupt index
        raise IndexError_(f"索引文件损坏（{type(e).__name__}: {e}）。{REBUILD_HINT}") from None
    counts = manifest.get("counts", {})
    if len(chunks) != counts.get("chunks") or dense.ntotal != len(chunks) or len(pvecs) != len(pitems):
        raise IndexError_(f"索引文件不完整（片段数与清单不符）。{REBUILD_HINT}")
    embedder = embedder or make_embedder(settings)
    return Index(settings=settings, corpus=corpus, chunks=chunks, tokenizer=tok, bm25_chunks=bm,
                 bm25_items=bm_items, item_ids=[str(i) for i in item_ids], dense=dense,
                 phrase_vecs=pvecs.astype(np.float32), phrase_items=[str(i) for i in pitems],
                 phrase_texts=[str(t) for t in ptexts], embedder=embedder, manifest=manifest, catalogue=catalogue)
