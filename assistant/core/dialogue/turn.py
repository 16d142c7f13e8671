"""Every signal of one message, computed once: what was understood, how it relates to the conversation
(a reply to a clarifying question, a follow-up, a new request), what retrieval found, the item candidates,
the law hits, and whether the evidence is good enough for an item or a policy answer.

The rules (dialogue/rules/) only read a `Turn`.  Signals are computed the first time a rule asks, so a
greeting never searches; the expensive ones that only some rules need — the scope model, the vagueness of
the candidates, the unknown-word check — stay lazy on their own (`functools.cached_property`).

    >>> t = Turn(assistant, understand("结婚登记要带什么"), Context(), now)
    >>> t.evidence.top.name, t.evidence.top.alias, t.evidence.item_ok
    ('结婚登记', '结婚登记', True)

Signals that add a "rule:…" id (``rule:followup-rewrite``, ``rule:clarify-reply``, the scope model's
``rule:scope-…``) append it to `Turn.rules` when they are computed, so ``trace["rules"]`` lists them in
the order they were found.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.core.compose import Citations
from assistant.core.corpus.schema import Guide
from assistant.core.dialogue.follow_up import (ELLIPTIC_REPLY, TOPIC_ONLY, bare_topic, core_text, pick_pending, sibling,
                                               unknown_words, words)
from assistant.core.dialogue.replies import centre_values, reply
from assistant.core.dialogue.state import Context
from assistant.core.dialogue.thresholds import DIALOGUE as T
from assistant.core.rank_items import ACTIONS, ItemCandidate, asker
from assistant.core.retrieve import Retrieval
from assistant.core.scope import ScopeDecision
from assistant.core.scope import decide as scope_decide, decide_followup
from assistant.core.text.normalize import mask_pii
from assistant.core.understand import FOLLOWUP_LEAD, QUESTION_WORD, STAY_CUE, Understanding

if TYPE_CHECKING:
    from assistant.core.assistant import Assistant


@dataclass
class Evidence:
    """What the message found, read against the conversation."""

    pending: list[Guide]  # the choices of the clarifying question this message may answer
    own_alias: dict  # items the message names by name or alias (`Router.alias_hits` of the search text)
    names_other: bool  # the message names or asks for something none of the choices is: a new request
    bare: list[Guide]  # a bare topic word's items ("公积金" after 离婚登记)
    chosen: Guide | None  # the choice the reply picks
    followup: bool  # the message leans on the item in focus ("那要多久")
    query: str  # what was searched: the message, or the chosen / focused item's name + the message
    retrieval: Retrieval
    cands: list[ItemCandidate]  # item candidates, best first (the pinned item leads)
    pin: Guide | None  # the chosen, followed-up or sibling item
    law_hits: list[Any]
    top: ItemCandidate | None
    item_ok: bool  # an item is named, or close enough in meaning
    law_ok: bool  # a law article is close enough

    @property
    def law_chunks(self) -> list:
        return [h.chunk for h in self.law_hits]

    @property
    def best_law(self):
        return self.law_hits[0] if self.law_hits else None


@dataclass
class Vagueness:
    """Whether the candidates are too close to answer without asking (and who is asking)."""

    vague: bool
    close: list[ItemCandidate]  # items within `clarify_margin` of the best
    short: list[ItemCandidate]  # the best four that are named or close in meaning
    one_word: bool  # a one-word message ("公积金") that is no item's own alias
    top: ItemCandidate  # the best candidate (the one that fits who is asking, when that decided)
    cands: list[ItemCandidate]
    who: str | None  # "个人" or "法人" when the message says


def _interleave(own: list, law_hits: list) -> list:
    """law_hits[0], own[0], law_hits[1], own[1], …, then the rest of the longer list."""
    return [h for pair in zip(law_hits, own) for h in pair] + law_hits[len(own):] + own[len(law_hits):]


class Turn:
    """One message in its conversation; `rules` collects the "rule:…" ids of the signals computed."""

    def __init__(self, assistant: Assistant, u: Understanding, ctx: Context, now: datetime):
        self.assistant, self.u, self.ctx, self.now = assistant, u, ctx, now
        self.guides: dict[str, Guide] = assistant.guides
        self.index = assistant.index
        self.cites = Citations()  # the [n] of every rule's answer
        self.rules: list[str] = list(u.rules)
        self.values = centre_values(assistant.centre)  # {centre}, {centre_name} of the reply texts
        self.diagnostics: dict = {}  # query, retrieved, items, signals, scope → trace

    def reply(self, key: str, **values) -> str:
        """A fixed reply text (replies.py) with this centre's name."""
        return reply(key, **self.values, **values)

    @cached_property
    def core(self) -> str:
        return core_text(self.u.text)

    @cached_property
    def topic(self):
        """"工程上的事", "社保方面的问题": a topic, not a request (the match's group 1 is the topic)."""
        return TOPIC_ONLY.match(self.core)

    @cached_property
    def wants_service(self) -> bool:
        return bool(set(self.u.aspects) & {"materials", "place", "online", "fee", "time", "steps", "agent"})

    # ------------------------------------------------------------------ evidence

    @cached_property
    def evidence(self) -> Evidence:
        pending, own_alias, names_other, bare, chosen, first_search = self._reply()
        query, followup = self._rewrite(pending, own_alias, names_other, bare, chosen)
        a, u = self.assistant, self.u
        retrieval = first_search if first_search is not None and query == u.search_text \
            else a.retriever.search(query, k=self.index.settings.top_k)
        cands, pin = self._candidates(query, retrieval, chosen, followup)
        # laws are searched with the person's own words: the term map speaks the guides' language
        # (one query embedding per answer: the dense side reuses it)
        law_text = query if pin is not None else u.text
        law_hits = a.retriever.search(law_text, k=T.law_candidates, kind="law", qvec=retrieval.qvec,
                                      tokens=self.index.tokenizer.tokens(law_text)).hits
        best_law = law_hits[0] if law_hits else None
        top = cands[0] if cands else None
        item_ok = top is not None and (top.alias is not None or top.semantic >= T.sem_in or pin is not None)
        if item_ok:  # the laws the item rests on (its 设定依据) are searched on their own, then all laws
            law_hits = self._with_own_laws(law_hits, pin or self.guides[top.item_id], law_text, retrieval.qvec)
        law_ok = best_law is not None and (best_law.dense >= self._law_floor(best_law) or best_law.bm25 >= T.policy_bm25_min)
        self.diagnostics["signals"] = {"top_item_score": top.score if top else 0.0,
                                       "best_law": best_law.as_dict() if best_law else None,
                                       "item_ok": item_ok, "law_ok": law_ok, "policy_cue": u.policy_cue}
        return Evidence(pending, own_alias, names_other, bare, chosen, followup, query, retrieval, cands, pin, law_hits,
                        top, item_ok, law_ok)

    def _with_own_laws(self, law_hits: list, g: Guide, text: str, qvec) -> list:
        """The best articles of the laws `g`'s 设定依据 names, merged with the best of all laws: "其他股东一直不回话"
        about 企业变更登记 finds 《公司法》第八十四条 although all laws together rank it lower."""
        own = self.assistant.retriever.search_laws([b.law for b in g.basis], text, T.item_law_candidates, qvec,
                                                   self.index.tokenizer.tokens(text))
        merged, seen = [], set()
        for h in _interleave(own, law_hits):
            if h.chunk.chunk_id not in seen:
                seen.add(h.chunk.chunk_id)
                merged.append(h)
        return merged

    def _law_floor(self, hit) -> float:
        """The law cosine a policy answer needs: higher for a regulation than for a governing law."""
        return T.policy_dense_min if self.assistant.retriever.governing(hit.chunk) else T.policy_dense_min_secondary

    def _reply(self):
        """Is the message a reply to the clarifying question, a bare topic word, or a new request?"""
        a, u, ctx = self.assistant, self.u, self.ctx
        pending = [self.guides[i] for i in ctx.pending if i in self.guides]
        own_alias = a.router.alias_hits(u.search_text)
        # a reply that names an item not among the choices ("二手房过户") is a new request, not a choice
        names_other = bool(own_alias) and not set(own_alias) & set(ctx.pending)
        # so is a reply asking for an action none of the choices does ("要改地址" after 营业执照 choices)
        acts = [names for pattern, names in ACTIONS if pattern.search(u.search_text)]
        if pending and acts and not any(n in g.name for g in pending for names in acts for n in names):
            names_other = True
            self.rules.append("rule:clarify-reply-new-request")
        bare = bare_topic(self.guides, u, ctx.focus) if not pending else []  # "公积金" after 离婚登记: ask
        chosen = first_search = None  # first_search is reused when the query is not rewritten
        if pending and not names_other:
            # the reply to a clarifying question: the offered item the reply fits best
            first_search = a.retriever.search(u.search_text, k=self.index.settings.top_k)
            chosen, outside = self._choice(pending, own_alias, first_search)
            names_other = names_other or outside
        return pending, own_alias, names_other, bare, chosen, first_search

    def _choice(self, pending: list[Guide], own_alias, first_search: Retrieval) -> tuple[Guide | None, bool]:
        """(the choice a reply picks, whether it asks for an item far better than every choice)."""
        a, query, offered = self.assistant, self.u.search_text, self.ctx.pending
        overall = a.router.rank(query, replace(first_search, hits=first_search.hits[:10]), limit=40)
        ranked = [c for c in overall if c.item_id in offered]
        if ranked and overall[0].item_id not in offered and overall[0].semantic >= T.sem_verbatim \
                and overall[0].score - ranked[0].score >= T.outside_choices:
            # "项目要备案" after the 工程 choices: an item that was not offered fits far better
            self.rules.append(f"rule:clarify-reply-outside-choices:{overall[0].name}")
            return None, True
        chosen = pick_pending(query, pending)
        if chosen is None and not own_alias and ranked \
                and (len(ranked) == 1 or ranked[0].score - ranked[1].score >= T.choice_margin):
            chosen = self.guides[ranked[0].item_id]
        return chosen, False

    def _rewrite(self, pending, own_alias, names_other: bool, bare, chosen: Guide | None) -> tuple[str, bool]:
        """(the search query, whether it follows up the focus): the chosen or focused item's name leads."""
        u, ctx = self.u, self.ctx
        query, followup = u.search_text, False
        if chosen is not None:
            self.rules.append("rule:clarify-reply")
            query = f"{chosen.name} {u.search_text}"
        elif bare:
            self.rules.append(f"rule:topic-word-clarify:{len(bare)}")
        elif ctx.focus and not (pending and names_other) \
                and (not own_alias or (STAY_CUE.search(u.text) and not FOLLOWUP_LEAD.match(u.text))) \
                and (u.followup_like or len(u.text) <= T.short_text) and not self._elsewhere():
            focus = self.guides.get(ctx.focus[0])
            if focus is not None:
                query = f"{focus.name} {u.search_text}"
                followup = True
                self.rules.append("rule:followup-rewrite")
        self.diagnostics["query"] = mask_pii(query)
        return query, followup

    def _elsewhere(self) -> bool:
        """A bare topic that names something the focus item never mentions ("房屋过户", "退税" after
        残疾人证申领) is a new question, not a follow-up; a question about the focus ("要预约吗", "外地户口
        可以吗", "那…", "…也行吗") still is one."""
        u = self.u
        if u.aspects or QUESTION_WORD.search(u.text) or FOLLOWUP_LEAD.match(u.text) or STAY_CUE.search(u.text):
            return False  # "要预约吗", "外地户口可以吗", "那户口呢": a question about the focus
        foreign = self.assistant.router.foreign_words(u.text, self.ctx.focus[0])
        if foreign:
            self.rules.append(f"rule:new-topic:{'、'.join(foreign)}")
        return bool(foreign)

    def _candidates(self, query: str, retrieval: Retrieval, chosen: Guide | None,
                    followup: bool) -> tuple[list[ItemCandidate], Guide | None]:
        """Item candidates, with the chosen, followed-up or sibling item first."""
        cands = self.assistant.router.rank(query, retrieval, expansion=self.u.expansion)
        pin = chosen or (self.guides[self.ctx.focus[0]] if followup else None)
        if pin is not None and chosen is None:
            moved = sibling(self.index.tokenizer, self.guides, self.u, pin, cands, self.assistant.router.generic)
            if moved is not None:
                self.rules.append(f"rule:followup-sibling:{moved.name}")
                pin = moved
        if pin is not None:  # the chosen or followed-up item leads
            cands = [c for c in cands if c.item_id == pin.id] + [c for c in cands if c.item_id != pin.id]
            if not cands or cands[0].item_id != pin.id:
                cands.insert(0, ItemCandidate(pin.id, pin.name, 1.0, reasons=["澄清选择" if chosen else "追问沿用"]))
        self.diagnostics["retrieved"] = [h.as_dict() | {"bm25_rank": h.bm25_rank, "dense_rank": h.dense_rank}
                                         for h in retrieval.hits[:10]]
        self.diagnostics["items"] = [c.as_dict() for c in cands[:5]]
        return cands, pin

    # ------------------------------------------------------------------ lazy signals of some rules

    @cached_property
    def scope(self) -> ScopeDecision | None:
        """The scope model's probability and the evidence found (items named in the person's own words,
        item phrases or law articles close in meaning) decide together (scope.py).  None when the message
        picks a choice, follows up the focus without an off-topic word, or names a topic of several items."""
        e, u, a = self.evidence, self.u, self.assistant
        names_topic = bool(self.topic) and sum(self.topic.group(1) in "".join(words(g))
                                               for g in self.guides.values()) >= 2
        untied = e.chosen is None and e.pin is not None and not u.topic and not self._tied_to_focus(e.pin)
        if not (e.chosen is None and (e.pin is None or u.topic or untied) and not names_topic):
            return None
        qvec = e.retrieval.qvec if e.query == u.search_text else a.retriever.embed(u.search_text)
        top, best_law = (e.top, e.best_law) if e.pin is None else (None, None)
        own = a.router.alias_hits(u.text)
        alias = max(own.values(), key=len) if own else None
        p = a.scope_model.probability(u.text, qvec) if a.scope_model is not None else 1.0
        scope = decide_followup(p, alias) if untied else \
            scope_decide(p, u.topic, alias, top.semantic if top else 0.0, best_law.dense if best_law else 0.0)
        self.diagnostics["scope"] = scope.as_dict()
        self.rules.append(scope.rule)
        return scope

    def _tied_to_focus(self, pin: Guide) -> bool:
        """The person's words tie a follow-up to the item in focus: it asks an aspect ("要预约吗"), leans on
        the previous turn ("那…", "…也行吗"), answers in a phrase ("卖水果的") or uses a word of the item's
        guide ("体检要去哪" after 从业人员健康证明) that not most guides use (宿迁, 单位: "今天宿迁多少度" is not tied).
        Otherwise the scope model is asked too."""
        u = self.u
        router = self.assistant.router
        return bool(u.aspects or FOLLOWUP_LEAD.match(u.text) or STAY_CUE.search(u.text)
                    or ELLIPTIC_REPLY.match(self.core)
                    or router.guide_uses(pin.id, [t for t in self.index.tokenizer.tokens(u.text)
                                                  if len(t) >= 2 and not router.generic(t)]))

    @cached_property
    def strange(self) -> list[str]:
        """A short question matched only by meaning, with words the knowledge base never uses
        ("怎么申请火星居住权" is close to 居住证申领): those words."""
        e = self.evidence
        if e.pin is None and e.top.alias is None and e.top.semantic < T.sem_strange and len(self.core) <= T.short_text:
            return unknown_words(self.index.tokenizer, self.assistant.known_text, self.u)
        return []

    @cached_property
    def vagueness(self) -> Vagueness:
        """Several items fit about equally and nothing (a pin, an alias of one, who is asking) decides."""
        e, u, ctx = self.evidence, self.u, self.ctx
        top, cands = e.top, e.cands
        close = [c for c in cands if top.score - c.score < T.clarify_margin and c.score >= T.item_min]
        short = [c for c in cands[:4] if c.semantic >= T.sem_in or c.alias]
        said = self.topic.group(1) if self.topic else self.core  # "离婚的事" says 离婚
        # one short word, unless it is exactly one item's own alias ("离婚" → 离婚登记)
        one_word = len(self.core) <= 4 and not u.aspects and not (top.alias and (len(top.alias) >= 3 or said == top.alias))
        switch = bool(top.alias and FOLLOWUP_LEAD.match(u.text))  # "那离婚呢": the person named it
        vague = e.pin is None and not ctx.clarified_once and not switch and (
            (len(close) >= 2 and not (top.alias and len(top.alias) >= 3 and not any(c.alias for c in close[1:])))
            or (one_word and len(short) >= 2))
        who = asker(u.search_text)
        if vague and who is not None:  # "个人怎么交社保": choices for companies only are not offered
            fitting = [c for c in (close if len(close) >= 2 else short) if who in self.guides[c.item_id].audience]
            if len(fitting) == 1:  # the one choice that fits who is asking leads
                vague = False
                top = fitting[0]
                cands = [top] + [c for c in cands if c is not top]
                self.rules.append(f"rule:asker-{who}")
        return Vagueness(vague, close, short, one_word, top, cands, who)
