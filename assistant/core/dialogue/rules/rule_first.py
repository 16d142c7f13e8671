"""A rule question the items only tie on gets its law first; the clarifying question follows.

"我跟老婆结婚好几年没孩子想领养一个，我今年28，够条件吗" names 领养, but several items fit about equally and
nothing decides, so `close-items-clarify` would only ask which item.  The question asks about a rule (条件,
a number — not a bare yes/no, which the items' guides answer: "辞职了公积金能提取吗" is still asked about), and a
clause answers it: the clause leads, and the items follow as choices the person can still pick (the reply to
them is read like a reply to any clarifying question)."""
from __future__ import annotations

from assistant.core.compose import hall_zone
from assistant.core.dialogue.decision import Decision
from assistant.core.dialogue.rules.build import cards, law_answer, named
from assistant.core.dialogue.state import Context
from assistant.core.dialogue.turn import Turn
from assistant.core.direct import states_rule


@named("law-then-clarify")
def law_then_clarify(t: Turn) -> Decision | None:
    """Items tied (the case of `close-items-clarify`), a rule question, a clause that answers it: the law's
    answer, then "如需办理，请问是以下哪一项" with the tied items as choices."""
    e, u, a = t.evidence, t.u, t.assistant
    if e.pin is not None or not (e.item_ok and e.law_ok) or t.ctx.clarified_once or not t.vagueness.vague:
        return None
    if not states_rule(u.text, a.direct.ask(u.text, u.aspects), u.policy_cue) or not a.direct.law_answers_rule(
            u.text, u.aspects, u.policy_cue, e.retrieval.qvec, e.law_chunks, None, u.expansion):
        return None
    v = t.vagueness
    options = (v.close if len(v.close) >= 2 else v.short)[:4]
    law = law_answer(t, "law-then-clarify", "policy: a clause answers the rule question; the tied items follow as choices",
                     [], ["rule:law-then-clarify"])
    paras = law.paragraphs[:-1] + [t.reply("clarify:after-law")]
    for c in options:
        g = t.guides[c.item_id]
        paras.append(f"· {g.name}（{hall_zone(g)}）{t.cites.ref(t.index.by_id[f'guide/{g.id}#overview'])}")
    paras.append(law.paragraphs[-1])
    ids = [c.item_id for c in options]
    return Decision("policy", law.rule, paras, cards(t, options, len(options)), t.cites,
                    [c.name for c in options], Context(focus=ids, pending=ids, clarified_once=True),
                    law.diagnostics, law.rules)
