"""The catalogue stage after the rulebook: an item the centre lists in its 事项目录 but has no full guide
for answers instead of a refusal — named, with its department, link and the hand-off."""
from __future__ import annotations

import shutil

import pytest
from rulebook_fixture import FIXTURES, MONDAY_MORNING, first, item_names
from small_corpus import BigramEmbedder

from assistant.config import ROOT, get_settings
from assistant.core.assistant import Assistant
from assistant.core.index.build import build_index, load_index


@pytest.fixture(scope="module")
def with_catalogue(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fixture-catalogue")
    shutil.copytree(FIXTURES / "guides", tmp / "corpus" / "guides")
    shutil.copy(ROOT / "corpus" / "centre.yaml", tmp / "corpus" / "centre.yaml")
    settings = get_settings(corpus_dir=tmp / "corpus", index_dir=tmp / "index", laws=[], law_dirs=[FIXTURES / "laws"],
                            regulation_dirs=[], cited_laws=False, embed_workers=1,
                            catalogs=[FIXTURES / "catalogue" / "items.csv"])
    embedder = BigramEmbedder()
    build_index(settings, embedder=embedder, log=lambda *_: None)
    a = Assistant(load_index(settings, embedder=embedder, check=False))
    a.scope_model = None
    return a


def test_a_catalogue_only_item_answers_instead_of_the_refusal(with_catalogue):
    r = with_catalogue.answer("居民身份证挂失申报在哪里办", now=MONDAY_MORNING)
    assert (r.kind, r.decision.rule) == ("guide", "catalogue-only")
    assert first(r) == "您要办理的可能是「居民身份证挂失申报」（公共服务），实施主体：示例市公安局。[1]"
    assert item_names(r) == ["居民身份证挂失申报"] and r.items[0].online_url == "https://example.gov.cn/sfz"
    assert any("还没有收录进本助手" in p for p in r.decision.paragraphs)
    assert r.trace["decision"].startswith("catalogue: 居民身份证挂失申报 (cos ")
    assert r.trace["rules"][-1] == "rule:catalogue-only:居民身份证挂失申报"


def test_a_guide_question_keeps_its_guide_with_the_catalogue_loaded(with_catalogue):
    r = with_catalogue.answer("结婚登记要带什么", now=MONDAY_MORNING)
    assert r.decision.rule == "guide" and item_names(r) == ["结婚登记"]


def test_an_item_named_closer_than_every_guide_phrase_answers_over_the_rulebooks_guide(with_catalogue):
    """The rulebook finds 离婚登记 by its alias in "离婚了，犬只登记证核发怎么办", but what is asked is the dog
    licence: its catalogue name is closer to the question than any guide's name, alias or FAQ question."""
    r = with_catalogue.answer("离婚了犬只登记证核发怎么办", now=MONDAY_MORNING)
    assert (r.kind, r.decision.rule) == ("guide", "catalogue-only")
    assert item_names(r) == ["犬只登记证核发"]
    assert "was guide: 离婚登记" in r.trace["decision"]
