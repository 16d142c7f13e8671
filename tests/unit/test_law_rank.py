"""The learned law re-ranker (law_rank.py): among articles the fused order cannot tell apart, the shipped weights
put first the article of the kind the question asks for — a number for "几个月", the rule rather than the
penalty for breaking it, a rule rather than the law's 立法目的 — and a law's own article before a regulation's."""
from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from assistant.core.corpus.chunks import Chunk
from assistant.core.law_rank import FEATURES, WEIGHTS, ArticleStats, LawRanker, features


def article(law: str, number: str, text: str) -> Chunk:
    return Chunk(chunk_id=f"law/{law}#{number}", doc_id=f"law/{law}", kind="law", title=law, section=number,
                 text=text, source="laws.db", law=law, article=number)


def ranked(question: str, arts: list[Chunk], regulation: set[str] = frozenset()) -> list[str]:
    """The articles in the shipped weights' order when every fused, BM25 and meaning score ties."""
    hits = [SimpleNamespace(chunk=c, score=0.03, dense=0.85, bm25=5.0) for c in arts]
    f = features(ArticleStats(arts), question, hits, [c.law in regulation for c in arts], set())
    assert f.shape == (len(arts), len(FEATURES))
    order = np.argsort(-LawRanker.load().scores(f), kind="stable")
    return [arts[i].article for i in order]


SI = "中华人民共和国社会保险法"


def test_a_number_question_ranks_the_article_with_the_number_first():
    arts = [article(SI, "第四十五条", "失业人员符合下列条件的，从失业保险基金中领取失业保险金：失业前用人单位和本人已经缴纳失业保险费。"),
            article(SI, "第四十六条", "失业人员失业前用人单位和本人累计缴费满一年不足五年的，领取失业保险金的期限最长为十二个月。")]
    assert ranked("失业保险金最多能领几个月", arts)[0] == "第四十六条"


def test_a_rule_question_ranks_the_rule_before_the_penalty_for_breaking_it():
    arts = [article(SI, "第八十六条", "用人单位未按时足额缴纳社会保险费的，由社会保险费征收机构责令限期缴纳，并处欠缴数额一倍以上三倍以下的罚款。"),
            article(SI, "第六十条", "用人单位应当自行申报、按时足额缴纳社会保险费，非因不可抗力等法定事由不得缓缴、减免。")]
    assert ranked("公司可以不给员工交社会保险费吗", arts)[0] == "第六十条"


def test_the_purpose_article_does_not_lead():
    arts = [article(SI, "第一条", "为了规范社会保险关系，维护公民参加社会保险和享受社会保险待遇的合法权益，制定本法。"),
            article(SI, "第十条", "职工应当参加基本养老保险，由用人单位和职工共同缴纳基本养老保险费。")]
    assert ranked("职工的养老保险要单位和个人一起交吗", arts)[0] == "第十条"


def test_a_governing_law_leads_a_regulation_saying_the_same():
    reg = "失业保险条例"
    arts = [article(reg, "第十四条", "具备下列条件的失业人员，可以领取失业保险金：按照规定参加失业保险。"),
            article(SI, "第四十五条", "失业人员符合下列条件的，从失业保险基金中领取失业保险金：按照规定参加失业保险。")]
    assert ranked("领取失业保险金的条件", arts, regulation={reg})[0] == "第四十五条"


def test_the_shipped_weights_name_their_features_and_report():
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES) and len(data["weights"]) == len(FEATURES)
    assert data["report"] == "eval/reports/law-train.json"
    assert not any("holdout" in t for t in data["trained_on"])


def test_weights_for_other_features_are_refused():
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    with pytest.raises(ValueError):
        LawRanker({**data, "features": data["features"][:-1]})


def test_staff_are_told_when_the_law_ranking_was_reordered():
    from assistant.core.rule_labels import explain
    trace = {"decision": "policy: a law clause answers the rule question", "rules": ["rule:law-answers-rule"],
             "signals": {"best_law": {"title": SI, "section": "第四十六条", "learned": 2.1}}}
    assert "重新排序" in explain(trace)
    trace["signals"]["best_law"].pop("learned")
    assert "重新排序" not in explain(trace)
