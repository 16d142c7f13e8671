"""Rules in Chinese for 导办员: every rule the pipeline produces on the eval sets has a label and a
one-line description in assistant/rule_labels.py; an unknown id falls back to a generic label; the trace and the
hit test lead with one plain sentence on why the answer came out as it did."""
from __future__ import annotations

import json
import re

import pytest

from assistant.config import ROOT
from assistant.core.rule_labels import GENERIC, RULES, explain, rule_label
from assistant.core.assistant import Context

EVAL = ROOT / "eval"


def _rows(name: str):
    with (EVAL / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# a "rule:…" id written in the code: "rule:term-map", f"rule:typo:{typed}→{word}", f"rule:asker-{who}"
_RULE_ID = re.compile(r"""["']rule:([a-z][a-z-]*)""")
SAMPLE = 25  # questions per eval set (and conversations per dialogue set) the pipeline answers


def _written_rule_ids() -> set[str]:
    """Every rule id the code can put in ``trace["rules"]``, read from its source (a family such as
    ``asker-`` for f"rule:asker-{who}" ends in a dash)."""
    found: set[str] = set()
    for path in (ROOT / "assistant").rglob("*.py"):
        if path.name != "rule_labels.py":
            found.update(_RULE_ID.findall(path.read_text(encoding="utf-8")))
    return found


def _labelled(base: str) -> bool:
    return base in RULES or (base.endswith("-") and any(k.startswith(base) for k in RULES))


@pytest.fixture(scope="module")
def produced(assistant):
    """rule id → one question that produced it, over the first questions of every eval set and the first
    conversations of the dialogue sets (the source scan below covers every rule the code can write)."""
    seen: dict[str, str] = {}
    for name in ("guide_dev.jsonl", "out_of_scope_dev.jsonl", "policy_dev.jsonl", "catalogue_dev.jsonl",
                 "fact_dev.jsonl", "scope_dev.jsonl"):
        for row in _rows(name)[:SAMPLE]:
            q = row.get("question") or row.get("text")
            if not q:
                continue
            for r in assistant.answer(q).trace.get("rules", []):
                seen.setdefault(r, q)
    for name in ("dialog_dev.jsonl", "followup_dev.jsonl"):
        for row in _rows(name)[:SAMPLE]:
            ctx = Context()
            for turn in row.get("turns", []):
                result = assistant.answer(turn["user"], ctx)
                ctx = result.context
                for r in result.trace.get("rules", []):
                    seen.setdefault(r, turn["user"])
    return seen


def test_every_rule_the_code_can_write_has_a_chinese_label():
    written = _written_rule_ids()
    assert len(written) >= 20, f"too few rule ids found in the source: {sorted(written)}"
    missing = sorted(b for b in written if not _labelled(b))
    assert not missing, f"rules without a label in assistant/core/rule_labels.py: {missing}"


def test_every_rule_produced_on_the_eval_sets_has_a_chinese_label_and_is_seen_by_the_source_scan(produced):
    assert len(produced) >= 8, f"too few rules seen on the eval sets: {sorted(produced)}"
    missing = {r: q for r, q in produced.items() if not rule_label(r)["known"]}
    assert not missing, f"rules without a label in assistant/core/rule_labels.py: {missing}"
    written = _written_rule_ids()
    for r in produced:
        lab = rule_label(r)
        assert lab["label"] and "rule:" not in lab["label"] and lab["description"].endswith("。")
        base = r.removeprefix("rule:").partition(":")[0]
        assert base in written or any(base.startswith(w) for w in written if w.endswith("-")), \
            f"{r} ({produced[r]}) is produced but the source scan does not find it"


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
