"""A reviewed answer written by guide staff (store/curated.py) wins for the same and similar questions."""
from __future__ import annotations

from assistant.core.compose import hall_zone, says_where
from assistant.core.dialogue.decision import CURATED, Decision
from assistant.core.dialogue.replies import reply
from assistant.core.dialogue.rules.build import cards, named, suggest
from assistant.core.dialogue.state import Context
from assistant.core.dialogue.turn import Turn
from assistant.core.rank_items import ItemCandidate


@named(CURATED)
def curated(t: Turn) -> Decision | None:
    """"结婚登记要带什么" with a reviewed answer: 【人工审核】 + the answer + where (unless the answer says where
    already).  Not for a follow-up
    ("那要多久" leans on the focus) nor for a reply to a clarifying question."""
    a, u, ctx = t.assistant, t.u, t.ctx
    if a.curated is None or (u.followup_like and ctx.focus) or ctx.pending:
        return None
    hit = a.curated.lookup(u.text, a.retriever.embed)
    if hit is None or hit.item_id not in t.guides:
        return None
    g, by_id, cites = t.guides[hit.item_id], t.index.by_id, t.cites
    refs = "".join(cites.ref(by_id[c]) for c in hit.chunk_ids if c in by_id)
    paras = [f"【人工审核】{hit.answer}{refs}"]
    if not says_where(hit.answer, g):  # the staff's text may say where already (its own 办理地点 line, the windows)
        paras.append(reply("curated:place", where=hall_zone(g), windows="、".join(g.place.windows),
                           ref=cites.ref(by_id[f"guide/{g.id}#place"])))
    cand = ItemCandidate(g.id, g.name, hit.similarity, reasons=["人工审核答案"])
    return Decision("guide", CURATED, paras, cards(t, [cand], 1), cites, suggest([cand]), Context(focus=[g.id]),
                    {"decision": f"curated: {hit.id} (similarity {hit.similarity:.3f})"}, ["rule:curated-answer"])
