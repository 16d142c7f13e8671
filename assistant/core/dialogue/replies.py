"""The fixed reply texts of the rules, behind one function: ``reply(key, **values)``.  The texts are data
(corpus/lexicon/replies.yaml), not code.

Texts name the centre through ``{centre}`` (its 简称 in centre.yaml, "便民方舟") and ``{centre_name}``
(its 名称 without the bracketed note, "宿迁市便民方舟"), so another centre gets its own name without
touching Python:

    >>> reply("thanks")
    '不客气！还有其他要办的事，随时问我。'
    >>> reply("decline", centre_name="宿迁市便民方舟")
    '抱歉，这个问题不在政务服务的范围内，我只能解答宿迁市便民方舟的办事和政策问题。'

`centre_values(centre)` gives both names; `suggestions(key)` the suggestion buttons that go with a reply.
"""
from __future__ import annotations

import re

from assistant.core.corpus import lexicon


def reply(key: str, **values) -> str:
    """The reply text `key` of corpus/lexicon/replies.yaml with its ``{…}`` values filled in (values it does
    not use are ignored).  Every fixed text of the assistant goes through here: the rules, the hand-off
    sentences (handoff.py, compose.handoff_text) and the law-excerpt note."""
    return lexicon.replies()[key].format(**values)


def has_reply(key: str) -> bool:
    return key in lexicon.replies()


def suggestions(key: str) -> list[str]:
    """The suggestion buttons shown with reply `key` (a new list each time)."""
    return list(lexicon.suggestions()[key])


def centre_values(centre) -> dict[str, str]:
    """{centre}: "便民方舟" (简称); {centre_name}: "宿迁市便民方舟" (名称 without "（政务服务中心）")."""
    return {"centre": centre.short_name, "centre_name": re.sub(r"（[^）]*）|\([^)]*\)", "", centre.name).strip()}
