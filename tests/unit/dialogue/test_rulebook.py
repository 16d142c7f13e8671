"""The rulebook itself: named rules in one ordered list, the first that decides answers, the deciding
rule in the trace, thresholds in one frozen place, reply texts with the centre's name."""
from __future__ import annotations

import dataclasses

import pytest

from assistant.core.dialogue import policy
from assistant.core.dialogue.decision import GAP_RULES, rule_of
from assistant.core.dialogue.replies import centre_values, reply
from assistant.core.dialogue.thresholds import DIALOGUE


def test_every_rule_has_a_distinct_name_and_the_guide_comes_last():
    names = [r.name for r in policy.RULES]
    assert len(names) == len(set(names))
    assert names[0] == "injection" and names[-1] == "guide"
    assert GAP_RULES <= set(names)


def test_the_first_rule_that_decides_answers(ask, monkeypatch):
    from assistant.core.dialogue.decision import Decision
    from assistant.core.dialogue.state import Context

    def everything(turn):
        return Decision("chitchat", "everything", ["先到先答"], next_state=Context())
    everything.name = "everything"
    monkeypatch.setattr(policy, "RULES", [everything, *policy.RULES])
    r = ask("结婚登记要带什么")
    assert (r.decision.rule, r.answer) == ("everything", "先到先答")


def test_the_deciding_rule_is_in_the_trace_for_staff_and_reports(ask):
    r = ask("量子力学")
    assert r.trace["rule"] == "no-evidence" == rule_of(r.trace)
    assert rule_of({"decision": "refuse: no evidence above threshold"}) == "no-evidence"  # stored before


def test_thresholds_are_one_frozen_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DIALOGUE.sem_in = 0.5  # type: ignore[misc]
    assert (DIALOGUE.item_min, DIALOGUE.sem_in, DIALOGUE.clarify_margin) == (0.30, 0.895, 0.06)


def test_reply_texts_take_the_centre_name_from_centre_yaml(fixture_index):
    values = centre_values(fixture_index.corpus.centre)
    assert values == {"centre": "便民方舟", "centre_name": "宿迁市便民方舟"}
    assert reply("greeting", **values).startswith("您好！我是便民方舟的导办助手")
    assert reply("greeting", centre="市民之家", centre_name="某市市民之家").startswith("您好！我是市民之家的导办助手")


def test_every_deciding_rule_has_a_chinese_label_for_staff():
    from assistant.core.rule_labels import rule_label

    for name in [r.name for r in policy.RULES] + ["catalogue-only"]:
        assert rule_label(name)["known"], name
