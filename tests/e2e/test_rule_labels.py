"""Rules in Chinese for 导办员: every rule the pipeline produces on the eval sets has a label and a
one-line description in assistant/rule_labels.py; an unknown id falls back to a generic label; the trace and the
hit test lead with one plain sentence on why the answer came out as it did."""
from __future__ import annotations

import json

import pytest

from assistant.config import ROOT
from assistant.core.rule_labels import GENERIC, RULES, explain, rule_label
from assistant.core.assistant import Context

EVAL = ROOT / "eval"


def _rows(name: str):
    with (EVAL / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def produced(assistant):
    """rule id → one question that produced it, over every eval question and dialogue."""
    seen: dict[str, str] = {}
    for name in ("guide_dev.jsonl", "out_of_scope_dev.jsonl", "policy_dev.jsonl", "catalogue_dev.jsonl",
                 "fact_dev.jsonl", "scope_dev.jsonl"):
        for row in _rows(name):
            q = row.get("question") or row.get("text")
            if not q:
                continue
            for r in assistant.answer(q).trace.get("rules", []):
                seen.setdefault(r, q)
    for name in ("dialog_dev.jsonl", "followup_dev.jsonl"):
        for row in _rows(name):
            ctx = Context()
            for turn in row.get("turns", []):
                result = assistant.answer(turn["user"], ctx)
                ctx = result.context
                for r in result.trace.get("rules", []):
                    seen.setdefault(r, turn["user"])
    return seen


@pytest.mark.slow
def test_every_rule_produced_on_the_eval_sets_has_a_chinese_label(produced):
    assert len(produced) >= 8, f"too few rules seen on the eval sets: {sorted(produced)}"
    missing = {r: q for r, q in produced.items() if not rule_label(r)["known"]}
    assert not missing, f"rules without a label in assistant/rule_labels.py: {missing}"
    for r in produced:
        lab = rule_label(r)
        assert lab["label"] and "rule:" not in lab["label"] and lab["description"].endswith("。")


def test_unknown_rule_ids_fall_back_instead_of_failing():
    lab = rule_label("rule:brand-new-rule:参数")
    assert (lab["known"], lab["description"]) == (False, GENERIC[1]) and lab["label"].startswith(GENERIC[0])
    assert rule_label("")["label"].startswith(GENERIC[0])
    assert explain({"rules": ["rule:brand-new-rule"], "decision": "something-new: x"})
    assert explain(None) and explain({"items": "not a list"})


def test_labels_are_one_line_chinese():
    for rid, (label, desc) in RULES.items():
        assert "\n" not in label + desc and len(desc) <= 60, rid
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label), rid


def test_explanations_say_why_in_one_sentence(assistant):
    tr = assistant.answer("我和女朋友想去领证，要带啥").trace
    sentence = explain(tr)
    assert "结婚登记" in sentence and "领证" in sentence and "材料" in sentence, sentence
    assert sentence.endswith("。") and "rule" not in sentence and "score" not in sentence
    refused = explain(assistant.answer("头疼吃什么药").trace)
    assert "看病用药" in refused and "拒答" in refused, refused
