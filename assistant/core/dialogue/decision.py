"""What the dialogue policy decided for one message, as a typed value.

Every answering rule of the rulebook (`policy.RULES`) returns a `Decision` or nothing; the first
decision wins.  Everything downstream — the HTTP response, the staff console, the gap report, the
metrics and the evaluation — reads `decision.rule` (also stored as ``trace["rule"]``) instead of
parsing the human-readable ``trace["decision"]`` text or the answer's words.

    >>> Decision(kind="refuse", rule=NO_EVIDENCE).refused
    True
    >>> rule_of({"decision": "curated: 3f2a9c (similarity 0.951)"})   # a message stored before rules had names
    'curated-answer'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Rule names other layers test for.  The full list is `policy.RULES`; these four are named here because
# the console, the gap report and the metrics count them.
CURATED = "curated-answer"  # a reviewed answer written by guide staff
NO_EVIDENCE = "no-evidence"  # nothing in the guides or laws above the thresholds: said so and handed off
SCOPE_DECLINE = "scope-decline"  # the scope model and the evidence say it is not a service question
OUT_OF_SCOPE = "out-of-scope"  # the message itself asks for something the centre never does (illegal, visas …)
GAP_RULES = frozenset({NO_EVIDENCE, SCOPE_DECLINE, OUT_OF_SCOPE})  # what the gap report lists as unanswered

KINDS = ("guide", "policy", "clarify", "refuse", "handoff", "chitchat")


@dataclass
class Decision:
    """One answer before it is rendered for a channel.

    `paragraphs`: the answer's paragraphs, the first being the answer itself; `items`: the items
    recommended, best first, as `compose.ItemCard`s; `citations`: the `compose.Citations` the
    paragraphs' [n] refer to; `next_state`: what the conversation remembers (`state.Context`);
    `diagnostics`: what staff see under "why this answer" (``trace["decision"]``, ``trace["lead"]``);
    `rules`: the "rule:…" ids the deciding rule adds to ``trace["rules"]`` (``rule:law-answers-rule``)."""

    kind: str
    rule: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    citations: Any = None
    suggestions: list[str] = field(default_factory=list)
    next_state: Any = None
    diagnostics: dict = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.kind == "refuse"


def rule_of(trace: dict) -> str:
    """The deciding rule of a stored answer: ``trace["rule"]``, or for a message stored before rules had
    names, the rule its ``trace["decision"]`` text stood for."""
    if trace.get("rule"):
        return str(trace["rule"])
    text = str(trace.get("decision") or "")
    legacy = (("curated", CURATED), ("refuse: no evidence", NO_EVIDENCE), ("refuse: out of scope (p=", SCOPE_DECLINE),
              ("refuse: out of scope", OUT_OF_SCOPE), ("refuse: prompt-injection", "injection"),
              ("handoff", "handoff"), ("chitchat", "chitchat"), ("clarify", "clarify"), ("policy", "policy"),
              ("guide", "guide"), ("catalogue", "catalogue"))
    return next((rule for prefix, rule in legacy if text.startswith(prefix)), "")
