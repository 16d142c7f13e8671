"""What a conversation remembers between turns (stored as JSON with each conversation).

    >>> Context(focus=["marriage-registration"], turns=1)   # after "结婚登记要带什么"
    Context(focus=['marriage-registration'], pending=[], clarified_once=False, turns=1, facts=[])

A clarifying question ("请问您要办理的是哪一项？") stores its choices in `pending`, so that the reply
"租房的" is read as a choice; `clarified_once` keeps the assistant from asking twice in a row.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Context:
    """What a conversation remembers between turns."""

    focus: list[str] = field(default_factory=list)  # item ids in focus, best first
    pending: list[str] = field(default_factory=list)  # item ids offered in a clarifying question
    clarified_once: bool = False
    turns: int = 0
    facts: list[str] = field(default_factory=list)  # what the person said about themselves (外地户籍 …)
