"""The rules of the dialogue policy, one small function each; `dialogue.policy.RULES` orders them.

A rule reads a `Turn` (dialogue/turn.py) and returns a `Decision` or None.  `build.py` has the
pieces rules share (a clarifying question, a refusal with the hand-off text, item cards).
"""
