"""The rules that answer from the law, and the refusal without evidence (fixture laws: excerpts of the
民法典 and the 住房公积金管理条例)."""
from __future__ import annotations

from rulebook_fixture import first, item_names


def test_a_rule_question_that_a_clause_answers_is_answered_from_the_law(ask):
    r = ask("孩子抚养权法律怎么规定")
    assert (r.kind, r.decision.rule) == ("policy", "law-answers-rule")
    assert first(r).startswith("《民法典（婚姻家庭编摘录，测试用）》第一千零八十四条：")
    assert "rule:law-answers-rule" in r.trace["rules"]


def test_a_policy_question_about_an_item_quotes_the_law_and_names_the_item(ask):
    r = ask("法律怎么规定结婚年龄")
    assert (r.kind, r.decision.rule) == ("policy", "law-with-policy-cue")
    assert first(r) == ("《民法典（婚姻家庭编摘录，测试用）》第一千零四十七条：结婚年龄，男不得早于二十二周岁，"
                        "女不得早于二十周岁。[1]")
    assert item_names(r) == ["结婚登记"]
    assert any(p.startswith("相关办事事项：「结婚登记」") for p in r.decision.paragraphs)


def test_law_evidence_without_a_service_item_is_answered_from_the_law_alone(ask):
    r = ask("火星居住权怎么申请")
    assert (r.kind, r.decision.rule) == ("policy", "policy-no-item")
    assert first(r).startswith("《民法典")
    assert item_names(r) == [] and r.trace["decision"] == "policy: no service item, law evidence"


def test_without_evidence_the_assistant_says_so_and_hands_off(ask):
    r = ask("量子力学")
    assert (r.kind, r.decision.rule) == ("refuse", "no-evidence")
    assert first(r).startswith("抱歉，未找到依据：在本中心的办事指南和已收录的政策中没有找到与您问题相关的内容，我不能凭空作答。")
    assert r.suggestions == ["转人工", "结婚登记要带什么", "公积金提取怎么办"]
    assert not r.citations and item_names(r) == []


def test_a_rule_question_the_items_leave_open_is_answered_by_the_law_instead_of_asking_which_item(ask):
    r = ask("公积金提取要符合什么条件")  # two 公积金 提取 items fit equally; the 条例 states the conditions
    assert (r.kind, r.decision.rule) == ("policy", "law-before-clarify")
    assert first(r).startswith("《住房公积金管理条例（摘录，测试用）》第二十四条：职工有下列情形之一的，可以提取")
    assert "rule:law-before-clarify" in r.trace["rules"]
    # a request or a bare yes/no about the same items is still asked about: their guides answer it
    assert ask("公积金怎么取").decision.rule == "close-items-clarify"
    assert ask("辞职了公积金能提取吗").decision.rule != "law-before-clarify"


def test_the_laws_an_item_rests_on_are_searched_on_their_own(assistant):
    a = assistant
    text = "离婚以后能提取公积金吗"
    hits = a.retriever.search_laws(["住房公积金管理条例"], text, 3, a.retriever.embed(text), a.index.tokenizer.tokens(text))
    assert hits and {h.chunk.law for h in hits} == {"住房公积金管理条例（摘录，测试用）"}


def test_a_bare_yes_no_about_tied_items_is_still_asked_about_not_answered_from_a_list_clause(ask):
    # the 条例's list of cases says nothing of 辞职: "可以。（一）购买、建造…" would be a wrong yes (law-then-clarify
    # answers first only a question that states a rule or asks a number)
    r = ask("辞职了公积金能提取吗")
    assert r.kind == "clarify" and r.decision.rule != "law-then-clarify"
