"""The rules that ask instead of answering, on the fixture corpus (two 公积金 提取 items make a choice)."""
from __future__ import annotations

from rulebook_fixture import first, item_names

FUND = ["住房公积金租房提取", "住房公积金购房提取"]


def test_a_bare_topic_word_after_another_item_asks_which_of_its_items(ask):
    divorce = ask("离婚登记要带什么")
    r = ask("公积金", divorce.context)
    assert (r.kind, r.decision.rule) == ("clarify", "topic-word-clarify")
    assert first(r) == "您问的可能是以下事项，请问是哪一项？"
    assert sorted(item_names(r)) == sorted(FUND)
    assert sorted(r.context.pending) == ["housing-fund-withdrawal-purchase", "housing-fund-withdrawal-rent"]


def test_a_topic_asks_which_of_that_topics_items(ask):
    r = ask("公积金方面的事")
    assert (r.kind, r.decision.rule) == ("clarify", "topic-clarify")
    assert first(r) == "关于公积金，本中心可以办理以下事项，请问您要办的是哪一项？"
    assert sorted(item_names(r)) == sorted(FUND)
    assert r.decision.paragraphs[1].startswith("· 住房公积金")


def test_items_that_fit_equally_well_are_offered_as_choices(ask):
    r = ask("公积金怎么取")
    assert (r.kind, r.decision.rule) == ("clarify", "close-items-clarify")
    assert first(r) == "您的情况可能对应以下几个事项，请问您要办理的是哪一项？"
    assert sorted(item_names(r)) == sorted(FUND)
    assert r.suggestions[:2] == item_names(r) and r.context.clarified_once


def test_a_service_request_that_fits_no_item_well_enough_is_asked_about(ask):
    r = ask("扯个火星证")
    assert (r.kind, r.decision.rule) == ("clarify", "service-clarify")
    assert first(r) == "我不太确定您要办理的是哪一项，请问是以下哪个事项？"
    assert r.decision.paragraphs[-1] == "如果都不是，可以换个说法，或回复“转人工”。"
    assert r.suggestions[-1] == "转人工"


def test_a_word_no_guide_or_law_uses_is_confirmed_before_answering(ask):
    r = ask("住房火星租房")
    assert (r.kind, r.decision.rule) == ("clarify", "unknown-words")
    assert first(r) == "办事指南和政策里没有找到与「火星」有关的内容。您要办理的是不是下面这个事项？"
    assert item_names(r) == ["住房公积金租房提取"]
    assert "rule:unknown-words:火星" in r.trace["rules"]
