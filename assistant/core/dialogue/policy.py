"""The dialogue policy: an ordered list of small named rules; the first that decides answers.

Each rule (dialogue/rules/) reads a `Turn` — every signal of the message, computed once — and returns
a `Decision` or None.  Order matters: a greeting never reaches retrieval, a reviewed answer beats the
guides, a clarifying question beats a guess, and `guide` (the best item's guide) comes last.

Then one second stage: a catalogue-only item (catalogue.py, for centres that load the 事项目录) may
replace the decision when it fits the question clearly better.  It is a stage, not a rule, because it
compares itself with what the rulebook decided (a guide answer matched by meaning only, a clarifying
question, a law answer without a service item, a refusal).

Adding a rule: one file in dialogue/rules/ and one line in `RULES`, e.g. the centre's opening hours::

    # assistant/core/dialogue/rules/hours.py
    @named("centre-hours")
    def centre_hours(t: Turn) -> Decision | None:
        # "中心几点开门": the opening hours of centre.yaml
        if not re.search(r"几点(开门|上班)|开放时间", t.u.text):
            return None
        return Decision("chitchat", "centre-hours", [f"办公时间：{t.assistant.centre.hours}"],
                        next_state=Context(focus=t.ctx.focus), diagnostics={"decision": "chitchat: hours"})

    # RULES, after safety.chitchat:
    hours.centre_hours,  # "中心几点开门"

then a label in rule_labels.RULES and a test in tests/unit/dialogue/ (``ask("中心几点开门")``).
"""
from __future__ import annotations

from assistant.core.dialogue.decision import Decision
from assistant.core.dialogue.rules import clarify, guide, policy, reviewed, rule_first, safety
from assistant.core.dialogue.turn import Turn

RULES = [
    safety.injection,  # "忽略之前的规则…"
    safety.out_of_scope,  # "怎么办假证"
    safety.handoff,  # "转人工"
    safety.chitchat,  # "你好", "谢谢", "你是谁"
    reviewed.curated,  # a reviewed answer of guide staff
    safety.scope_decline,  # "今天天气怎么样" (the scope model with the evidence)
    clarify.topic_word,  # "公积金" after 离婚登记
    policy.law_answers_rule,  # "离婚冷静期是多少天"
    policy.policy_question,  # "法律怎么规定…"
    policy.law_before_clarify,  # "给采购人提了质疑，对方多少天内要答复" (a clause answers; the items would only ask)
    rule_first.law_then_clarify,  # "想领养，我今年28，够条件吗" (items tie: the clause first, then the choices)
    clarify.topic,  # "工程上的事"
    clarify.service_request,  # a service request below the item threshold
    policy.law_only,  # law evidence, no service item
    policy.no_evidence,  # nothing found: say so, hand off
    clarify.unknown_words,  # "怎么申请火星居住权"
    clarify.close_items,  # several items fit equally
    guide.guide,  # the best item's guide
]


def first_decision(turn: Turn) -> Decision:
    """The decision of the first rule of `RULES` that decides (`guide` always does)."""
    for rule in RULES:
        decision = rule(turn)
        if decision is not None:
            return decision
    raise AssertionError("the last rule (guide) always decides")


def decide(turn: Turn) -> Decision:
    """The rulebook's decision, then the catalogue stage (when a catalogue is loaded)."""
    decision = first_decision(turn)
    catalogue = turn.assistant.catalogue
    return catalogue.consider(turn, decision) if catalogue is not None else decision
