"""The Milvus backend (Milvus Lite on a local file) finds what the in-process index
finds, with the same score scales, fused by RRF inside the engine; and the query-vector cache."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="pymilvus 未安装（pip install -e '.[milvus]'），跳过 Milvus 测试")
pytest.importorskip("milvus_lite", reason="milvus-lite 未安装（pip install -e '.[milvus]'），跳过 Milvus 测试")

from assistant.config import ROOT, get_settings  # noqa: E402

pytestmark = pytest.mark.slow  # Milvus Lite is pure Python: filling and searching it takes a minute or two

GUIDES = ["marriage-registration", "divorce-registration", "marriage-certificate-reissue",
          "housing-fund-withdrawal-rent", "residence-permit", "social-security-card"]
LAWS = ["中华人民共和国护照法", "中华人民共和国居民身份证法"]
QUESTIONS = ["结婚登记要带什么材料", "租房提取公积金", "身份证丢了怎么补办", "护照有效期多久", "居住证怎么办",
             "离婚需要双方到场吗", "社保卡在哪里领"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small index (6 guides, 2 laws) in a temp dir; vectors come from the main index's embedding
    cache when it has them, so the build embeds little or nothing."""
    from assistant.core.index.build import build_index, load_index

    tmp = tmp_path_factory.mktemp("milvus")
    corpus = tmp / "corpus"
    (corpus / "guides").mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / "centre.yaml", corpus / "centre.yaml")
    for g in GUIDES:
        shutil.copy(ROOT / "corpus" / "guides" / f"{g}.yaml", corpus / "guides" / f"{g}.yaml")
    index_dir = tmp / "index"
    index_dir.mkdir()
    for f in (ROOT / "index").glob("emb-*.npz"):
        shutil.copy(f, index_dir / f.name)
    settings = get_settings(corpus_dir=corpus, index_dir=index_dir, laws=LAWS, all_laws=False, law_dirs=[], regulation_dirs=[], cited_laws=False,
                            milvus_uri=str(tmp / "milvus.db"))
    build_index(settings, log=lambda *_: None)
    return load_index(settings)


@pytest.fixture(scope="module")
def milvus(small):
    from assistant.core.index.backends import MilvusRetriever

    return MilvusRetriever(small)


def test_collection_holds_every_chunk_and_is_reused(small, milvus):
    from assistant.core.index.backends import MilvusRetriever, collection_name

    assert milvus.build["created"] and milvus.build["rows"] == len(small.chunks)
    assert milvus.name == collection_name(small) and small.manifest["fingerprint"][:16] in milvus.name
    again = MilvusRetriever(small, client=milvus.client)
    assert again.build["created"] is False and again.build["rows"] == len(small.chunks)
    assert milvus.ready() is None


def test_same_hits_and_scores_as_the_in_process_index(small, milvus):
    from assistant.core.retrieve import HybridRetriever

    local = HybridRetriever(small)
    for q in QUESTIONS:
        qvec = local.embed(q)
        a = local.search(q, k=10, qvec=qvec)
        b = milvus.search(q, k=10, qvec=qvec)
        assert a.hits[0].chunk.chunk_id == b.hits[0].chunk.chunk_id, q
        top_a, top_b = {h.chunk.chunk_id for h in a.hits[:5]}, {h.chunk.chunk_id for h in b.hits[:5]}
        assert len(top_a & top_b) >= 4, q
        by_id = {h.chunk.chunk_id: h for h in a.hits}
        for h in b.hits[:5]:
            if h.chunk.chunk_id in by_id:
                mine = by_id[h.chunk.chunk_id]
                assert h.dense == pytest.approx(mine.dense, abs=1e-4)  # cosine on both
                assert h.bm25 == pytest.approx(mine.bm25, rel=0.01, abs=0.01), (q, h.chunk.chunk_id)
                assert h.score == pytest.approx(mine.score, rel=0.05)  # the same RRF formula, w/(60+rank)


def test_engine_fusion_is_weighted_rrf_of_each_side(small, milvus):
    q = "护照有效期多久"
    r = milvus.search(q, k=10, kind="law")
    assert r.hits and all(h.chunk.kind == "law" for h in r.hits)
    w_b, w_d = small.settings.law_bm25_weight, small.settings.law_dense_weight
    for h in r.hits:
        expect = (w_b / (60 + h.bm25_rank) if h.bm25_rank else 0) + (w_d / (60 + h.dense_rank) if h.dense_rank else 0)
        assert h.score == pytest.approx(expect, rel=1e-3)
    guide_only = milvus.search("结婚登记要带什么材料", k=10, kind="guide")
    assert guide_only.hits and all(h.chunk.kind == "guide" for h in guide_only.hits)


def test_the_pipeline_answers_the_same_on_milvus(small, milvus):
    from assistant.core.assistant import Assistant

    local = Assistant(small)
    on_milvus = Assistant(small)
    on_milvus.retriever = milvus
    for q in ["我和女朋友想去领证，要带啥", "护照有效期是几年，法律怎么规定的", "明天天气怎么样", "租房能取公积金吗"]:
        a, b = local.answer(q), on_milvus.answer(q)
        assert (a.kind, [i.id for i in a.items]) == (b.kind, [i.id for i in b.items]), q
        assert [c.chunk_id for c in a.citations][:3] == [c.chunk_id for c in b.citations][:3], q


def test_backend_is_chosen_by_the_setting(small, tmp_path):
    from assistant.core.index.backends import CachedRetriever, MilvusRetriever, make_retriever

    assert type(make_retriever(small)) is CachedRetriever
    small.settings = small.settings.model_copy(update={"search_backend": "milvus"})
    try:
        assert isinstance(make_retriever(small), MilvusRetriever)
        small.settings = small.settings.model_copy(update={"milvus_uri": None})
        with pytest.raises(RuntimeError, match="ASSISTANT_MILVUS_URI"):
            make_retriever(small)
    finally:
        small.settings = small.settings.model_copy(update={"search_backend": "local",
                                                           "milvus_uri": str(tmp_path / "x.db")})


def test_readiness_names_a_missing_collection(small, milvus):
    from assistant.core.index.backends import MilvusRetriever

    other = MilvusRetriever.__new__(MilvusRetriever)
    other.client, other.name = milvus.client, "daoban_chunks_does_not_exist"
    assert "assistant index milvus" in other.ready()


def test_query_vector_cache_is_an_lru_with_counts(small):
    from assistant.core.index.backends import CachedRetriever

    r = CachedRetriever(small, cache_size=2)
    calls: list[str] = []
    real = small.embedder.queries

    def counting(texts):
        calls.extend(texts)
        return real(texts)

    small.embedder.queries = counting
    try:
        v1 = r.embed("结婚登记")
        assert np.array_equal(r.embed("结婚登记"), v1) and calls == ["结婚登记"]
        r.embed("离婚登记")
        r.embed("护照")  # evicts 结婚登记, the least recently used
        r.embed("结婚登记")
        assert calls == ["结婚登记", "离婚登记", "护照", "结婚登记"]
        info = r.query_cache.info()
        assert (info.hits, info.misses, info.size, info.capacity) == (1, 4, 2, 2)
        with pytest.raises(ValueError):
            v1[0] = 1.0  # shared between requests: read-only
        off = CachedRetriever(small, cache_size=0)
        off.embed("结婚登记")
        off.embed("结婚登记")
        assert off.query_cache is None and calls[-2:] == ["结婚登记", "结婚登记"]
    finally:
        small.embedder.queries = real


def test_index_milvus_command_fills_the_collection(small, tmp_path):
    import os

    from servers import run_cli

    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(small.settings.corpus_dir),
           "ASSISTANT_INDEX_DIR": str(small.settings.index_dir), "ASSISTANT_LAWS": __import__("json").dumps(LAWS),
           "ASSISTANT_REGULATION_DIRS": "[]", "ASSISTANT_CITED_LAWS": "false",
           "ASSISTANT_MILVUS_URI": str(tmp_path / "cli.db")}
    r = run_cli(["index", "milvus"], env)
    assert r.returncode == 0, r.stderr
    assert "Milvus 集合已写入" in r.stdout and str(len(small.chunks)) in r.stdout
    r = run_cli(["index", "milvus"], env)
    assert r.returncode == 0 and "已是最新" in r.stdout
    bad = run_cli(["index", "milvus"], {k: v for k, v in env.items() if k != "ASSISTANT_MILVUS_URI"})
    assert bad.returncode == 1 and "ASSISTANT_MILVUS_URI" in bad.stderr
    assert Path(tmp_path / "cli.db").exists()


def test_a_replica_on_a_shared_cluster_does_not_fill_the_collection_itself(small, milvus):
    from assistant.core.index.backends import sync_collection

    with pytest.raises(RuntimeError, match="assistant index milvus"):
        sync_collection(small, milvus.client, "daoban_chunks_not_filled", create=False)
    assert not milvus.client.has_collection("daoban_chunks_not_filled")


def test_a_milvus_lite_file_that_cannot_be_opened_is_refused_with_the_way_out(small, tmp_path):
    from assistant.core.index.backends import _client

    (tmp_path / "a-file").write_text("x")
    with pytest.raises(RuntimeError, match="无法连接 Milvus.*milvus-lite server"):
        _client(small.settings.model_copy(update={"milvus_uri": str(tmp_path / "a-file" / "x.db")}))
