"""Thresholds and weights of the answer decisions, in one typed place.

Each group names the report it was calibrated on (always the `tune` split; holdout figures are only
read in aggregate).  Older thresholds of the routing decision still live at the top of pipeline.py.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LeadWeights:
    """Scoring of evidence units (lead.py).  Calibrated on eval/reports/eval-full.json (fact and
    follow-up sets, tune split)."""

    dense_span: float = 0.06  # chunk cosine: 1 for the best candidate, 0 for one `span` below it
    w_rank: float = 0.4  # 1/rank of the chunk in the retrieval that found it
    w_dense: float = 1.0
    w_lexical: float = 1.2
    w_field: float = 0.6  # the unit is the guide field the question asks about
    w_number: float = 0.5  # a number question: +w with that kind of number, -w without
    w_yesno: float = 0.15  # a yes/no question: the unit says yes or no
    w_basis: float = 0.15  # an article of the item's 设定依据
    w_faq: float = 0.1  # a reviewed FAQ answer
    w_bigram: float = 0.0  # share of the question's character bigrams in the unit
    w_law: float = 0.0  # a law clause rather than a guide sentence
    w_cue: float = 0.6  # the unit has the words that answer what is asked (本人/代办, 办理时间, 网办 …)
    min_score: float = 0.55  # below this no unit leads: "办事指南中没有写明…"
    min_lexical: float = 0.25
    item_over_law: float = 0.0  # a rule question goes to the law when its best clause beats the item's best unit by this
    unnamed_field: float = 0.5  # the field asked about counts this much when the item was matched by meaning only
    law_over_guide: float = 0.1  # a rule question: a law unit leads when within this of the best guide unit
    see_also_within: int = 3  # other law articles among this many best hits are listed (另见 …) under a rule answer
    yesno_lexical: float = 0.2  # 可以/不需要 … is prefixed only to a unit that repeats this much of the question
    law_quote_min: float = 0.7  # a rule question in a guide answer quotes the law unit scoring at least this


LEAD = LeadWeights()


@dataclass(frozen=True)
class ScopeThresholds:
    """Scope decision (scope.py).  Calibrated on the tune splits of eval/guide_dev, policy_dev,
    out_of_scope_dev and scope_dev (eval/reports/eval-full.json)."""

    decline_below: float = 0.5  # scope probability below which a question without strong evidence is declined
    topic_word_penalty: float = 0.25  # an off-topic word (天气, 彩票 …) asks for that much more probability
    strong_semantic: float = 0.915  # item phrase cosine that counts as strong evidence on its own
    strong_law_dense: float = 0.89  # law article cosine that counts as strong evidence on its own
    evidence_floor: float = 0.15  # with strong evidence, only a model this sure of off-topic declines
    # ... unless the question also carries an off-topic word ("北京积分落户需要多少分" names 落户 but is another
    # city's policy): then the evidence needs this much probability (in-scope tune questions with such a
    # word score ≥ 0.99, the off-topic ones it lets through ≤ 0.73)
    topic_evidence_floor: float = 0.75


SCOPE = ScopeThresholds()
