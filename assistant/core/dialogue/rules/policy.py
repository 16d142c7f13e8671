"""Rules that answer from the law: a rule question a clause answers better than the guide, a policy
question, law evidence without a service item — and the refusal when there is no evidence at all."""
from __future__ import annotations

from assistant.core.corpus.lexicon import load_lexicon
from assistant.core.dialogue.decision import NO_EVIDENCE, Decision
from assistant.core.direct import states_rule
from assistant.core.dialogue.replies import suggestions
from assistant.core.dialogue.rules.build import law_answer, named, refuse
from assistant.core.dialogue.state import Context
from assistant.core.dialogue.thresholds import DIALOGUE as T
from assistant.core.dialogue.turn import Turn

HOW_TO = load_lexicon().answers.how_to_question  # "食经证咋办": how to get something done (answers.yaml)


@named("law-answers-rule")
def law_answers_rule(t: Turn) -> Decision | None:
    """"离婚冷静期是多少天": a rule question that a law clause answers better than the best item's guide
    (direct.py decides); the item, if close in meaning, is named as related."""
    e, u, a = t.evidence, t.u, t.assistant
    if e.pin is not None or a.router.alias_hits(u.text) or not a.direct.law_answers_rule(
            u.text, u.aspects, u.policy_cue, e.retrieval.qvec, e.law_chunks,
            t.guides[e.top.item_id] if e.item_ok else None, u.expansion, [h.chunk for h in e.retrieval.hits],
            named=e.item_ok and e.top.alias is not None):
        return None
    related = [c for c in e.cands[:1] if e.item_ok and c.semantic >= T.sem_in]
    return law_answer(t, "law-answers-rule", "policy: a law clause answers the rule question", related,
                      ["rule:law-answers-rule"])


@named("law-with-policy-cue")
def policy_question(t: Turn) -> Decision | None:
    """"法律怎么规定…": law evidence and a policy cue, no service aspect asked.  Mid-conversation
    ("孩子抚养权法律怎么规定" after 离婚登记) only when the law answers better than the item in focus;
    "依据是什么" stays with the item's 设定依据."""
    e, u, a = t.evidence, t.u, t.assistant
    if not (e.law_ok and u.policy_cue and not t.wants_service):
        return None
    own_policy = e.followup and e.chosen is None and not u.followup_like and "basis" not in u.aspects
    hits = [h.chunk for h in e.retrieval.hits]
    if e.pin is not None and not (own_policy and a.direct.law_answers_rule(
            u.text, u.aspects, u.policy_cue, e.retrieval.qvec, e.law_chunks, e.pin, u.expansion, hits)):
        return None
    # "法律援助的律师要我自己出钱吗": a policy word, but the item's guide answers better than any clause
    if e.pin is None and e.item_ok and a.direct.guide_answers_better(
            u.text, u.aspects, e.retrieval.qvec, e.law_chunks, t.guides[e.top.item_id], u.expansion, hits):
        return None
    related = [c for c in e.cands[:1] if e.item_ok]
    return law_answer(t, "law-with-policy-cue", "policy: law evidence with a policy cue", related)


@named("law-before-clarify")
def law_before_clarify(t: Turn) -> Decision | None:
    """"给采购人提了质疑，对方多少天内要答复": a rule question that a law clause answers, where the items found
    would only lead to a clarifying question (several fit about equally, none close enough, or words no guide
    uses) — the clause answers it; a clarifying question stays for requests the law does not answer and for
    a bare yes/no ("辞职了公积金能提取吗": the items' guides say when, the law lists other cases) — unless no
    item fits at all: then a yes/no or a 收钱吗 asks what the law says ("APP收集孩子的信息，要不要家长同意")."""
    e, u, a = t.evidence, t.u, t.assistant
    if e.pin is not None or e.own_alias or not e.law_ok:
        return None
    # no item fits and the person does not ask how to get something done ("食经证咋办"): a service word (收钱吗)
    # does not make it a service question
    item = e.item_ok or bool(HOW_TO is not None and HOW_TO.search(u.text))
    if e.item_ok and not (t.vagueness.vague or t.strange) \
            or not states_rule(u.text, a.direct.ask(u.text, u.aspects), u.policy_cue, item):
        return None
    if not a.direct.law_answers_rule(u.text, u.aspects, u.policy_cue, e.retrieval.qvec, e.law_chunks, None,
                                     u.expansion, item=item):
        return None
    related = [c for c in e.cands[:1] if e.item_ok and c.semantic >= T.sem_in]
    return law_answer(t, "law-before-clarify", "policy: a law clause answers the rule question the items leave open",
                      related, ["rule:law-before-clarify"])


@named("policy-no-item")
def law_only(t: Turn) -> Decision | None:
    """No service item fits, but a law article does: answered from the law alone."""
    e, u = t.evidence, t.u
    if e.item_ok or not e.law_ok:
        return None
    comp = t.assistant.direct.policy(u.text, u.aspects, e.retrieval.qvec, e.law_chunks, t.cites, u.expansion)
    return Decision("policy", "policy-no-item", comp.paras, [], t.cites, [], Context(focus=t.ctx.focus),
                    {"lead": comp.trace(), "decision": "policy: no service item, law evidence"})


@named(NO_EVIDENCE)
def no_evidence(t: Turn) -> Decision | None:
    """Nothing in the guides or laws above the thresholds: "抱歉，未找到依据…" and the hand-off, never a guess."""
    if t.evidence.item_ok:
        return None
    return refuse(t, NO_EVIDENCE, "refuse: no evidence above threshold", t.reply("no-evidence"),
                  suggestions("no-evidence"))
