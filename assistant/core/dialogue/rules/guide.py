"""The last rule: answer from the best item's guide — the item recommended, any item the question also
needs ("开饭店" = 营业执照 + 食品经营许可), and a close runner-up named so that a person who meant it is
not sent to the wrong window."""
from __future__ import annotations

from assistant.core.compose import guide_answer, hall_zone
from assistant.core.corpus.schema import Guide
from assistant.core.dialogue.decision import Decision
from assistant.core.dialogue.rules.build import cards, named, suggest
from assistant.core.dialogue.state import Context
from assistant.core.dialogue.thresholds import DIALOGUE as T
from assistant.core.dialogue.turn import Turn
from assistant.core.direct import FULL_GUIDE
from assistant.core.rank_items import ItemCandidate
from assistant.core.understand import aspects_of, names_of


@named("guide")
def guide(t: Turn) -> Decision | None:
    """"结婚登记要带什么": the guide's answer to what was asked, led by the sentence that answers it."""
    v = t.vagueness
    top, cands, who = v.top, v.cands, v.who
    g = t.guides[top.item_id]
    paras, faq, diagnostics, rules = _paragraphs(t, g, top)
    rules += [f"rule:situation:{f}" for f in t.u.facts if any(f"【按您的情形：{f}】" in p for p in paras)]
    chosen = [top]
    _also_needed(t, g, top, cands[1:3], who, chosen, paras)
    if t.evidence.pin is None:
        _runner_up(t, g, top, cands[1:3], who, chosen, paras)
    diagnostics["decision"] = f"guide: {g.name}" + (" (faq)" if faq else "")
    return Decision("guide", "guide", paras, cards(t, chosen, 3), t.cites, suggest(chosen),
                    Context(focus=[c.item_id for c in chosen]), diagnostics, rules)


def _paragraphs(t: Turn, g: Guide, top: ItemCandidate):
    """(paragraphs, the FAQ chunk answering if any, diagnostics, rule ids).  "查看完整办事指南" gets the
    whole guide; anything else the direct answer (direct.py)."""
    e, u = t.evidence, t.u
    if FULL_GUIDE.search(u.text):
        # a reviewed FAQ answers directly when it is the best hit and asks about the same thing
        faq = next((h.chunk for h in e.retrieval.hits[:1] if h.chunk.item_id == g.id and h.chunk.aspect == "faq"
                    and h.dense >= T.faq_dense and (set(aspects_of(h.chunk.section)) & set(u.aspects)
                                                    or (not u.aspects and h.dense >= T.faq_dense_unasked))), None)
        return guide_answer(t.index, g, u.aspects, t.cites, faq=faq, facts=u.facts), faq, {}, ["rule:full-guide"]
    comp = t.assistant.direct.guide(g, u.text, u.aspects, u.policy_cue, e.retrieval.qvec, e.law_chunks, t.cites,
                                    followup=e.followup, facts=u.facts, expansion=u.expansion,
                                    found=[h.chunk for h in e.retrieval.hits],
                                    named=e.pin is not None or top.alias is not None
                                    or any(n in u.search_text for n in names_of(g)))
    faq = comp.lead.chunk if comp.lead is not None and comp.lead.chunk.aspect == "faq" else None
    return comp.paras, faq, {"lead": comp.trace()}, list(comp.rules)


def _fits(t: Turn, c: ItemCandidate, who: str | None) -> bool:
    return who is None or who in t.guides[c.item_id].audience


def _also_needed(t: Turn, g: Guide, top: ItemCandidate, others: list[ItemCandidate], who: str | None,
                 chosen: list[ItemCandidate], paras: list[str]) -> None:
    """A question that really spans several items (opening a shop = registration + food licence):
    another named item, or one very close in meaning, is recommended too."""
    for c in others:
        if not _fits(t, c, who):
            continue  # not for the person asking
        if (c.alias and c.alias != top.alias and c.score >= T.item_min) \
                or (c.semantic >= T.sem_also and c.score >= T.also_min_score):
            chosen.append(c)
            og = t.guides[c.item_id]
            paras.insert(-1 if g.sample else len(paras), t.reply(
                "also-needed", name=og.name, where=hall_zone(og), windows="、".join(og.place.windows),
                ref=t.cites.ref(t.index.by_id[f"guide/{og.id}#place"])))


def _runner_up(t: Turn, g: Guide, top: ItemCandidate, others: list[ItemCandidate], who: str | None,
               chosen: list[ItemCandidate], paras: list[str]) -> None:
    """A close runner-up is named ("如果您要办的是「…」，请告诉我"), three items at most."""
    for c in others:
        if len(chosen) < 3 and c not in chosen and top.score - c.score <= T.runner_up \
                and c.semantic >= T.sem_in and _fits(t, c, who):
            chosen.append(c)
            og = t.guides[c.item_id]
            paras.insert(-1 if g.sample else len(paras), t.reply(
                "runner-up", name=og.name, ref=t.cites.ref(t.index.by_id[f"guide/{og.id}#overview"])))
