"""What rules share: the `named` decorator, item cards, and the three answers several rules give —
a clarifying question with choices, a refusal with the hand-off text, and a law answer."""
from __future__ import annotations

from typing import Callable

from assistant.core.compose import ItemCard, handoff_text, hall_zone, item_card
from assistant.core.dialogue.decision import Decision
from assistant.core.dialogue.replies import has_reply, suggestions
from assistant.core.dialogue.state import Context
from assistant.core.dialogue.turn import Turn
from assistant.core.rank_items import ItemCandidate

Rule = Callable[[Turn], "Decision | None"]


def named(name: str) -> Callable[[Rule], Rule]:
    """``@named("injection")`` gives a rule function its `name`: the `Decision.rule` it decides with."""
    def mark(fn: Rule) -> Rule:
        fn.name = name  # type: ignore[attr-defined]
        return fn
    return mark


def cards(t: Turn, cands: list[ItemCandidate], limit: int = 3) -> list[ItemCard]:
    return [item_card(t.guides[c.item_id], t.assistant.centre, c.score) for c in cands[:limit]]


def suggest(cands: list[ItemCandidate]) -> list[str]:
    """The follow-up buttons under an answer about an item (none without one)."""
    return suggestions("guide") if cands else []


def clarify(t: Turn, rule: str, why: str, question: str, options: list[ItemCandidate], cards_shown: int,
            closing: str = "", extra: list[str] | None = None, rules: list[str] | None = None) -> Decision:
    """A clarifying question: the choices as lines, item cards and suggestion buttons; the choices are
    remembered (`Context.pending`) so that the reply can pick one.  `why` is ``trace["decision"]``."""
    paras = [question]
    for c in options:
        g = t.guides[c.item_id]
        paras.append(f"· {g.name}（{hall_zone(g)}）{t.cites.ref(t.index.by_id[f'guide/{g.id}#overview'])}")
    if closing:
        paras.append(closing)
    ids = [c.item_id for c in options]
    return Decision("clarify", rule, paras, cards(t, options, cards_shown), t.cites,
                    [c.name for c in options] + (extra or []), Context(focus=ids, pending=ids, clarified_once=True),
                    {"decision": why}, rules or [])


def refuse(t: Turn, rule: str, why: str, reason: str, buttons: list[str]) -> Decision:
    """Declined with the hand-off text (导办台, 12345) and no citation; the focus is kept."""
    return Decision("refuse", rule, [handoff_text(t.assistant.centre, reason)], [], t.cites, buttons,
                    Context(focus=t.ctx.focus), {"decision": why})


def decline(t: Turn, rule: str, why: str, topic: str | None) -> Decision:
    """Not a question for the centre: illegal requests, other cities' policies and foreign visas get
    their own sentence, anything else the general one."""
    key = f"decline:{topic}"
    reason = t.reply(key) if topic and has_reply(key) else t.reply("decline")
    return refuse(t, rule, why, reason, suggestions("refuse"))


def law_answer(t: Turn, rule: str, why: str, related: list[ItemCandidate],
               rules: list[str] | None = None) -> Decision:
    """Answered from the law (direct.py leads with the clause that answers); the best item, when it fits,
    is named as the related service item with its place."""
    e, u = t.evidence, t.u
    comp = t.assistant.direct.policy(u.text, u.aspects, e.retrieval.qvec, e.law_chunks, t.cites, u.expansion)
    paras = comp.paras
    if related:
        g = t.guides[related[0].item_id]
        paras.insert(-1, t.reply("related-item", name=g.name, where=hall_zone(g),
                                 ref=t.cites.ref(t.index.by_id[f"guide/{g.id}#place"])))
    return Decision("policy", rule, paras, cards(t, related, 1), t.cites, suggest(related),
                    Context(focus=[c.item_id for c in related]), {"lead": comp.trace(), "decision": why}, rules or [])
