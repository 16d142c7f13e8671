"""Rules that ask instead of answering: a bare topic word or topic, a service request below the item
threshold, a word no guide uses, several items that fit about equally."""
from __future__ import annotations

import re

from assistant.core.dialogue.decision import Decision
from assistant.core.dialogue.follow_up import words
from assistant.core.dialogue.rules.build import clarify, named
from assistant.core.dialogue.thresholds import DIALOGUE as T
from assistant.core.dialogue.turn import Turn
from assistant.core.rank_items import ItemCandidate

SERVICE_WORDS = re.compile(r"办|证|申请|登记|手续|许可|怎么弄|咋弄|窗口|带啥|带什么|材料")


def _options(t: Turn, family, reason: str) -> list[ItemCandidate]:
    """A family of items as choices, in the order retrieval ranked them (six at most)."""
    cands = t.evidence.cands
    rank = {c.item_id: i for i, c in enumerate(cands)}
    by_id = {c.item_id: c for c in cands}
    family = sorted(family, key=lambda g: rank.get(g.id, len(rank)))[:6]
    return [by_id.get(g.id) or ItemCandidate(g.id, g.name, 0.0, reasons=[reason]) for g in family]


@named("topic-word-clarify")
def topic_word(t: Turn) -> Decision | None:
    """"公积金" after a turn about 离婚登记: a word that names several items, not tied to the focus."""
    e = t.evidence
    if not e.bare or e.pin is not None:
        return None
    options = _options(t, e.bare, "名称或别名含所问词")
    return clarify(t, "topic-word-clarify", f"clarify: topic word names {len(e.bare)} items, not tied to the focus",
                   t.reply("clarify:topic-word"), options, 4)


@named("topic-clarify")
def topic(t: Turn) -> Decision | None:
    """"工程上的事", "社保方面的问题": a topic, not a request — offer that topic's items."""
    e, match = t.evidence, t.topic
    if not match or e.pin is not None or e.own_alias or t.ctx.clarified_once:
        return None
    said = match.group(1)
    family = [g for g in t.guides.values() if said in "".join(words(g))]
    if len(family) < 2:
        return None
    options = _options(t, family, f"名称含「{said}」")
    return clarify(t, "topic-clarify", f"clarify: topic 「{said}」 covers {len(family)} items",
                   t.reply("clarify:topic", topic=said), options, 4)


@named("service-clarify")
def service_request(t: Turn) -> Decision | None:
    """"我要办那个证": a service request we cannot pin down — ask rather than guess or refuse."""
    e, u = t.evidence, t.u
    service_words = t.wants_service or bool(SERVICE_WORDS.search(u.text))
    if e.item_ok or e.top is None or e.top.semantic < T.sem_maybe or not service_words \
            or (e.law_ok and u.policy_cue):
        return None
    options = [c for c in e.cands[:3] if c.semantic >= T.sem_maybe]
    return clarify(t, "service-clarify", f"clarify: service request below {T.sem_in}, {len(options)} candidates",
                   t.reply("clarify:service"), options, 3, closing=t.reply("clarify:none-of-these"), extra=["转人工"])


@named("unknown-words")
def unknown_words(t: Turn) -> Decision | None:
    """"怎么申请火星居住权": matched only by meaning (居住证申领) with a word no guide or law uses —
    confirm the one item rather than bluff."""
    strange = t.strange
    if not strange:
        return None
    said = "、".join(strange)
    return clarify(t, "unknown-words", f"clarify: 「{said}」 not in any guide or law",
                   t.reply("clarify:unknown-words", words=said), [t.evidence.top], 1,
                   closing=t.reply("clarify:not-this"), extra=["转人工"], rules=[f"rule:unknown-words:{said}"])


@named("close-items-clarify")
def close_items(t: Turn) -> Decision | None:
    """"公积金怎么取": several items fit about equally and nothing decides — ask which.  A one-word
    question offers the whole family ("公积金": every 公积金 item, six at most)."""
    v = t.vagueness
    if not v.vague:
        return None
    close = v.close if len(v.close) >= 2 else v.short
    options = close[:4]
    family = [c for c in v.cands if t.core and any(t.core in w for w in words(t.guides[c.item_id]))]
    if v.one_word and len(family) >= 2:
        options = family[:6]
    return clarify(t, "close-items-clarify", f"clarify: {len(close)} items within {T.clarify_margin}",
                   t.reply("clarify:close"), options, 4)
