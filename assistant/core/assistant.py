"""The pipeline: normalise → understand → (rewrite with the conversation) →
retrieve → route → compose.  `Assistant.answer` is the one entry point used by
the API, the CLI and the evaluation harness; its `trace` says which chunks,
which scores and which rule produced the answer."""
from __future__ import annotations

import re
import time
from datetime import datetime
from dataclasses import dataclass, field, replace

from assistant.core.catalogue import CatalogueAnswers
from assistant.core.compose import Citations, guide_answer, hall_zone, handoff_text, item_out
from assistant.core.direct import FULL_GUIDE, DirectComposer
from assistant.core.corpus.schema import Guide
from assistant.core.handoff import handoff_reply, local_now
from assistant.core.index.build import Index
from assistant.core.corpus.laws import short_law_name
from assistant.core.text.normalize import mask_pii, normalize
from assistant.core.retrieve import Retrieval
from assistant.core.index.backends import make_retriever
from assistant.core.rank_items import ACTIONS, ItemCandidate, Router, asker
from assistant.web.schemas import ChatResponse, ItemOut
from assistant.core.scope import MODEL_PATH, ScopeDecision, ScopeModel
from assistant.core.scope import decide as scope_decide
from assistant.core.text.spelling import Speller
from assistant.core.understand import (FOLLOWUP_LEAD, STAY_CUE, TERMS, TOGETHER, Understanding, aspects_of, facts_of,
                         understand)

# Thresholds, calibrated on the tune split of eval/ (reports in eval/reports/).
ITEM_MIN = 0.30  # items below this combined score are not offered as choices
SEM_IN = 0.895  # without a name/alias hit, the best item phrase must be at least this close
POLICY_DENSE_MIN = 0.875  # best law chunk cosine for a policy answer
POLICY_BM25_MIN = 6.0
SEM_MAYBE = 0.875  # a service request this close to an item is asked about rather than refused
SERVICE_WORDS = re.compile(r"办|证|申请|登记|手续|许可|怎么弄|咋弄|窗口|带啥|带什么|材料")
SERVICE_VERBS = frozenset("申请 申领 登记 办理 手续 服务 证明 提交 领取 办证 申报".split())
LAW_CANDIDATES = 10  # law articles whose clauses may lead an answer
SEM_ALSO = 0.935  # a second item this close to the question is recommended too
CLARIFY_MARGIN = 0.06  # top items closer than this, with no alias deciding → ask
RUNNER_UP = 0.15  # a second item this close to the first is named as an alternative
SEM_STRANGE = 0.92  # below this, a match by meaning alone with a word no guide or law uses is confirmed first
# a clarify reply that all but says an item not offered (semantic ≥ SEM_VERBATIM) and fits it this much
# better than any choice is a new request
OUTSIDE_CHOICES, SEM_VERBATIM = 0.25, 0.96


@dataclass
class Context:
    """What a conversation remembers between turns."""

    focus: list[str] = field(default_factory=list)  # item ids in focus, best first
    pending: list[str] = field(default_factory=list)  # item ids offered in a clarifying question
    clarified_once: bool = False
    turns: int = 0
    facts: list[str] = field(default_factory=list)  # what the person said about themselves (外地户籍 …)


@dataclass
class Result:
    response: ChatResponse
    context: Context
    trace: dict


FUNCTION_WORD = re.compile(r"^[有没不是的了吗呢吧也都还就再又要想能会可以怎么样什么啥哪这那个些一我你他她它们咱俺]+$")
TOPIC_ONLY = re.compile(r"^(?:关于|有关|问问|问一下|咨询)?(.{2,6}?)(?:上|方面|这块|那块|相关|类)?(?:的)?(?:事|事情|问题|业务)$")


def _core(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isalnum())


def _pick_pending(text: str, pending: list[Guide]) -> Guide | None:
    """Resolve the reply to a clarifying question: a choice's name, who is asking (企业 or 个人),
    or a word only one choice has."""
    for g in pending:
        if g.name in text or text in g.name:
            return g
    for pattern, names in ACTIONS:  # "要改地址" → the 变更 item among the choices
        if pattern.search(text):
            acting = [g for g in pending if any(n in g.name for n in names)]
            if len(acting) == 1:
                return acting[0]
    want = asker(text)
    if want is not None:
        fit = [g for g in pending if want in g.audience and (want == "法人" or "法人" not in g.audience)]
        if len(fit) == 1:
            return fit[0]
        pending = fit or pending
    scores = []
    for g in pending:
        words = [g.name, *g.aliases, *(s.name for s in g.situations)]
        hits = sum(1 for ch_len in (4, 3, 2) for w in words for i in range(len(text) - ch_len + 1)
                   if text[i:i + ch_len] in w)
        scores.append((hits, g))
    scores.sort(key=lambda x: -x[0])
    if scores and scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    return None


class Assistant:
    def __init__(self, index: Index, curated=None, phraser=None):
        """`curated`: reviewed answers written by guide staff (see `curated.py`), consulted first.
        `phraser`: optional LLM phrasing (see `llm.py`); its output is checked against the citations."""
        self.index = index
        self.curated = curated
        self.phraser = phraser
        self.retriever = make_retriever(index)  # ASSISTANT_SEARCH_BACKEND: local (default) or milvus
        self.router = Router(index)
        self.guides = {g.id: g for g in index.corpus.guides}
        self.centre = index.corpus.centre
        self.speller = Speller(self._vocabulary())
        self.direct = DirectComposer(index)
        self.catalogue = CatalogueAnswers(index) if index.catalogue is not None else None  # catalogue-only items
        self.scope_model = ScopeModel(embedder_name=index.embedder.name) if MODEL_PATH.exists() else None
        # every word the knowledge base uses: a word outside it ("火星居住权") is not guessed at
        self.known_text = "".join(c.text + c.index_text for c in index.chunks).lower() \
            + "".join(w for g in index.corpus.guides for w in (g.name, *g.aliases)) + "".join(TERMS)

    def _vocabulary(self) -> list[str]:
        tok = self.index.tokenizer
        words = set(tok.user_words)
        for g in self.index.corpus.guides:
            for phrase in (g.name, *g.aliases):
                words |= {t for t in tok.tokens(phrase) if len(t) >= 2}
        for official in TERMS.values():
            words |= set(official.split())
        # "怎么办", "有没有" are not things to correct towards ("怎么交", "也没有" stay as typed)
        return sorted(w for w in words if not aspects_of(w) and not FUNCTION_WORD.match(w))

    # -------------------------------------------------------------- public

    def answer(self, message: str, context: Context | None = None, session_id: str = "",
               message_id: str = "", now: datetime | None = None) -> Result:
        """`now`: the centre's local time, for what 转人工 can promise (default: now, UTC+8)."""
        t0 = time.perf_counter()
        ctx = context or Context()
        text = normalize(message)
        u = understand(text)
        if u.turn == "question":
            u.corrections = self.speller.corrections(text)
            for typed, word in u.corrections:
                u.expansion = f"{u.expansion} {word}".strip()
                u.rules.append(f"rule:typo:{typed}→{word}")
        u.facts = facts_of(text, ctx.facts) if u.turn == "question" else list(ctx.facts)
        trace: dict = {"normalized": mask_pii(text), "turn": u.turn, "aspects": u.aspects,
                       "expansion": u.expansion, "facts": u.facts, "rules": list(u.rules)}
        kind, paras, items, cites, suggestions, new_ctx = self._decide(u, ctx, trace, now or local_now())
        if self.catalogue is not None:
            kind, paras, items, cites, suggestions, new_ctx = self.catalogue.consider(
                self, u, ctx, trace, (kind, paras, items, cites, suggestions, new_ctx))
        new_ctx.turns = ctx.turns + 1
        new_ctx.facts = u.facts
        # the first paragraph (the answer itself) stands apart: a blank line before the details
        answer = paras[0] + ("\n\n" + "\n".join(paras[1:]) if len(paras) > 1 else "") if paras else ""
        trace["answer_by"] = "rule:extractive"
        if self.phraser is not None and kind in ("guide", "policy") and "curated" not in trace["decision"]:
            phrased, info = self.phraser.phrase(text, answer, cites.items)
            trace["llm"] = info
            if phrased:
                answer = phrased
                trace["answer_by"] = f"llm:{info.get('model')}"
        trace["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        resp = ChatResponse(session_id=session_id, message_id=message_id, kind=kind, answer=answer,
                            items=items, citations=cites.items, suggestions=suggestions)
        return Result(resp, new_ctx, trace)

    def search(self, query: str, k: int = 10) -> Retrieval:
        u = understand(normalize(query))
        return self.retriever.search(u.search_text, k=k)

    def law_ranking(self, query: str, k: int = 5) -> list[tuple[str, str]]:
        """(law, 第X条) of the best law chunks for a question — the policy side of retrieval."""
        hits = self.retriever.search(normalize(query), k=k, kind="law").hits
        return [(short_law_name(h.chunk.law), h.chunk.article) for h in hits[:k]]

    # -------------------------------------------------------------- decision

    def _items(self, cands: list[ItemCandidate], limit: int = 3) -> list[ItemOut]:
        return [item_out(self.guides[c.item_id], self.centre, c.score) for c in cands[:limit]]

    def _decide(self, u: Understanding, ctx: Context, trace: dict, now: datetime):
        cites = Citations()
        centre = self.centre
        if u.turn == "injection":
            trace["decision"] = "refuse: prompt-injection"
            return ("refuse", [handoff_text(centre, "抱歉，我只能按照政务服务办事指南和政策原文回答问题，不能执行改变规则或身份的指令。")],
                    [], cites, ["结婚登记要带什么", "公积金租房提取怎么办"], Context(focus=ctx.focus))
        if u.turn == "out_of_scope":
            topic = u.rules[-1].rsplit(":", 1)[-1]
            trace["decision"] = f"refuse: out of scope ({topic})"
            return self._decline(topic, ctx, cites)
        if u.turn == "handoff":
            text, rule = handoff_reply(centre, now)
            trace["decision"] = f"handoff: asked for a person ({rule.rsplit(':', 1)[-1]} at {now:%Y-%m-%d %H:%M})"
            trace["rules"].append(rule)
            desk = centre.point("导办台")
            return ("handoff", [text], [], cites,
                    [f"{desk.location}" if desk else "12345"], Context(focus=ctx.focus))
        if u.turn in ("greeting", "thanks", "who"):
            trace["decision"] = f"chitchat: {u.turn}"
            intro = {"greeting": "您好！我是便民方舟的导办助手，可以告诉您办什么事项、带什么材料、去哪个窗口、能不能网上办，以及相关政策依据。",
                     "thanks": "不客气！还有其他要办的事，随时问我。",
                     "who": "我是便民方舟的24小时导办助手：只依据中心公开的办事指南和政策原文回答，并标注出处；答不了的会转给导办员。"}[u.turn]
            return ("chitchat", [intro], [], cites, ["结婚登记要带什么", "开公司去哪个窗口", "公积金租房能取吗"],
                    Context(focus=ctx.focus))

        # -- a reviewed answer written by guide staff wins for the same and similar questions
        if self.curated is not None and not (u.followup_like and ctx.focus) and not ctx.pending:
            hit = self.curated.lookup(u.text, self.retriever.embed)
            if hit is not None and hit.item_id in self.guides:
                g = self.guides[hit.item_id]
                refs = "".join(cites.ref(self.index.by_id[c]) for c in hit.chunk_ids if c in self.index.by_id)
                trace["decision"] = f"curated: {hit.id} (similarity {hit.similarity:.3f})"
                trace["rules"].append("rule:curated-answer")
                paras = [f"【人工审核】{hit.answer}{refs}",
                         f"办理地点：{hall_zone(g)}{'、'.join(g.place.windows)}窗口。"
                         f"{cites.ref(self.index.by_id[f'guide/{g.id}#place'])}"]
                cand = ItemCandidate(g.id, g.name, hit.similarity, reasons=["人工审核答案"])
                return ("guide", paras, self._items([cand], 1), cites, self._suggest([cand]), Context(focus=[g.id]))

        # -- follow-up and clarification resolution
        pending = [self.guides[i] for i in ctx.pending if i in self.guides]
        own_alias = self.router.alias_hits(u.search_text)
        # a reply that names an item not among the choices ("二手房过户") is a new request, not a choice
        names_other = bool(own_alias) and not set(own_alias) & set(ctx.pending)
        # so is a reply asking for an action none of the choices does ("要改地址" after 营业执照 choices)
        acts = [names for pattern, names in ACTIONS if pattern.search(u.search_text)]
        if pending and acts and not any(n in g.name for g in pending for names in acts for n in names):
            names_other = True
            trace["rules"].append("rule:clarify-reply-new-request")
        query = u.search_text
        bare = self._bare_topic(u, ctx) if not pending else []  # "公积金" after 离婚登记: ask, don't follow
        followup = False
        first_search = None  # reused below when the query is not rewritten
        chosen = None
        if pending and not names_other:
            # the reply to a clarifying question: the offered item the reply fits best
            first_search = self.retriever.search(query, k=self.index.settings.top_k)
            overall = self.router.rank(query, replace(first_search, hits=first_search.hits[:10]), limit=40)
            ranked = [c for c in overall if c.item_id in ctx.pending]
            if ranked and overall[0].item_id not in ctx.pending and overall[0].semantic >= SEM_VERBATIM \
                    and overall[0].score - ranked[0].score >= OUTSIDE_CHOICES:
                names_other = True  # "项目要备案" after the 工程 choices: an item that was not offered fits far better
                trace["rules"].append(f"rule:clarify-reply-outside-choices:{overall[0].name}")
            else:
                chosen = _pick_pending(u.search_text, pending)
                if chosen is None and not own_alias and ranked \
                        and (len(ranked) == 1 or ranked[0].score - ranked[1].score >= 0.02):
                    chosen = self.guides[ranked[0].item_id]
        if chosen is not None:
            trace["rules"].append("rule:clarify-reply")
            query = f"{chosen.name} {u.search_text}"
        elif bare:
            trace["rules"].append(f"rule:topic-word-clarify:{len(bare)}")
        elif ctx.focus and not (pending and names_other) and (not own_alias or (STAY_CUE.search(u.text) and not FOLLOWUP_LEAD.match(u.text))) \
                and (u.followup_like or len(u.text) <= 16):
            focus = self.guides.get(ctx.focus[0])
            if focus is not None:
                query = f"{focus.name} {u.search_text}"
                followup = True
                trace["rules"].append("rule:followup-rewrite")
        trace["query"] = mask_pii(query)

        retrieval = first_search if first_search is not None and query == u.search_text \
            else self.retriever.search(query, k=self.index.settings.top_k)
        cands = self.router.rank(query, retrieval)
        pin = chosen or (self.guides[ctx.focus[0]] if followup else None)
        if pin is not None and chosen is None:
            sibling = self._sibling(u, pin, cands)
            if sibling is not None:
                trace["rules"].append(f"rule:followup-sibling:{sibling.name}")
                pin = sibling
        if pin is not None:  # the chosen or followed-up item leads
            cands = [c for c in cands if c.item_id == pin.id] + [c for c in cands if c.item_id != pin.id]
            if not cands or cands[0].item_id != pin.id:
                cands.insert(0, ItemCandidate(pin.id, pin.name, 1.0, reasons=["澄清选择" if chosen else "追问沿用"]))
        trace["retrieved"] = [h.as_dict() | {"bm25_rank": h.bm25_rank, "dense_rank": h.dense_rank}
                              for h in retrieval.hits[:10]]
        trace["items"] = [c.as_dict() for c in cands[:5]]

        # laws are searched with the person's own words: the term map speaks the guides' language
        # (one query embedding per answer: the dense side reuses it)
        law_text = query if pin is not None else u.text
        law_hits = self.retriever.search(law_text, k=LAW_CANDIDATES, kind="law", qvec=retrieval.qvec,
                                         tokens=self.index.tokenizer.tokens(law_text)).hits
        law_chunks = [h.chunk for h in law_hits]  # the lead unit may come from any of them
        best_law = law_hits[0] if law_hits else None
        top = cands[0] if cands else None
        item_ok = top is not None and (top.alias is not None or top.semantic >= SEM_IN or pin is not None)
        law_ok = best_law is not None and (best_law.dense >= POLICY_DENSE_MIN or best_law.bm25 >= POLICY_BM25_MIN)
        trace["signals"] = {"top_item_score": top.score if top else 0.0,
                            "best_law": best_law.as_dict() if best_law else None,
                            "item_ok": item_ok, "law_ok": law_ok, "policy_cue": u.policy_cue}

        # -- scope: decided by the model and the evidence, not by topic words alone
        topic_words = TOPIC_ONLY.match(_core(u.text))  # "工程上的事": a topic the clarifying question below offers
        names_topic = bool(topic_words) and sum(topic_words.group(1) in "".join(self._words(g)) for g in self.guides) >= 2
        if chosen is None and (pin is None or u.topic) and not names_topic:
            qvec = retrieval.qvec if query == u.search_text else self.retriever.embed(u.search_text)
            scope = self._scope(u, qvec, top if pin is None else None, best_law if pin is None else None)
            trace["scope"] = scope.as_dict()
            trace["rules"].append(scope.rule)
            if not scope.in_scope:
                trace["decision"] = f"refuse: out of scope (p={scope.probability:.2f}, evidence {scope.evidence})"
                return self._decline(u.topic, ctx, cites)

        if bare and pin is None:
            rank = {c.item_id: i for i, c in enumerate(cands)}
            by_id = {c.item_id: c for c in cands}
            family = sorted(bare, key=lambda g: rank.get(g.id, len(rank)))[:6]
            options = [by_id.get(g.id) or ItemCandidate(g.id, g.name, 0.0, reasons=["名称或别名含所问词"]) for g in family]
            trace["decision"] = f"clarify: topic word names {len(bare)} items, not tied to the focus"
            return self._clarify("您问的可能是以下事项，请问是哪一项？", options, cites, cards=4)

        # -- a rule question that a law clause answers better than the best item's guide
        if pin is None and not self.router.alias_hits(u.text) and self.direct.law_answers_rule(
                u.text, u.aspects, u.policy_cue, retrieval.qvec, law_chunks,
                self.guides[top.item_id] if item_ok else None, u.expansion, [h.chunk for h in retrieval.hits],
                named=item_ok and top.alias is not None):
            trace["rules"].append("rule:law-answers-rule")
            comp = self.direct.policy(u.text, u.aspects, retrieval.qvec, law_chunks, cites, u.expansion)
            paras = comp.paras
            trace["lead"] = comp.trace()
            related = [c for c in cands[:1] if item_ok and c.semantic >= SEM_IN]
            if related:
                g = self.guides[related[0].item_id]
                paras.insert(-1, f"相关办事事项：「{g.name}」，在{hall_zone(g)}办理。"
                                 f"{cites.ref(self.index.by_id[f'guide/{g.id}#place'])}")
            trace["decision"] = "policy: a law clause answers the rule question"
            return ("policy", paras, self._items(related, 1), cites, self._suggest(related),
                    Context(focus=[c.item_id for c in related]))

        # -- policy question: the law answers it better than any guide
        wants_service = bool(set(u.aspects) & {"materials", "place", "online", "fee", "time", "steps", "agent"})
        # a policy question of its own mid-conversation ("孩子抚养权法律怎么规定" after 离婚登记) is answered
        # from the law; "依据是什么" stays with the item's 设定依据
        own_policy = followup and chosen is None and not u.followup_like and "basis" not in u.aspects
        if law_ok and u.policy_cue and not wants_service and (pin is None or own_policy and self.direct.law_answers_rule(
                u.text, u.aspects, u.policy_cue, retrieval.qvec, law_chunks, pin, u.expansion,
                [h.chunk for h in retrieval.hits])):
            comp = self.direct.policy(u.text, u.aspects, retrieval.qvec, law_chunks, cites, u.expansion)
            paras = comp.paras
            trace["lead"] = comp.trace()
            related = [c for c in cands[:1] if item_ok]
            if related:
                g = self.guides[related[0].item_id]
                paras.insert(-1, f"相关办事事项：「{g.name}」，在{hall_zone(g)}办理。"
                                 f"{cites.ref(self.index.by_id[f'guide/{g.id}#place'])}")
            trace["decision"] = "policy: law evidence with a policy cue"
            return ("policy", paras, self._items(related, 1), cites, self._suggest(related), Context(focus=[c.item_id for c in related]))

        # "工程上的事", "社保方面的问题": a topic, not a request — offer that topic's items
        topic = TOPIC_ONLY.match(_core(u.text))
        if topic and pin is None and not own_alias and not ctx.clarified_once:
            rank = {c.item_id: i for i, c in enumerate(cands)}
            family = sorted((g for g in self.guides.values() if topic.group(1) in "".join(self._words(g.id))),
                            key=lambda g: rank.get(g.id, len(rank)))
            if len(family) >= 2:
                by_id = {c.item_id: c for c in cands}
                options = [by_id.get(g.id) or ItemCandidate(g.id, g.name, 0.0, reasons=[f"名称含「{topic.group(1)}」"])
                           for g in family[:6]]
                trace["decision"] = f"clarify: topic 「{topic.group(1)}」 covers {len(family)} items"
                return self._clarify(f"关于{topic.group(1)}，本中心可以办理以下事项，请问您要办的是哪一项？", options, cites,
                                     cards=4)

        service_words = wants_service or bool(SERVICE_WORDS.search(u.text))
        if not item_ok and top is not None and top.semantic >= SEM_MAYBE and service_words \
                and not (law_ok and u.policy_cue):
            # a service request we cannot pin down: ask rather than guess or refuse
            options = [c for c in cands[:3] if c.semantic >= SEM_MAYBE]
            trace["decision"] = f"clarify: service request below {SEM_IN}, {len(options)} candidates"
            return self._clarify("我不太确定您要办理的是哪一项，请问是以下哪个事项？", options, cites, cards=3,
                                 closing="如果都不是，可以换个说法，或回复“转人工”。", extra=["转人工"])

        if not item_ok:
            if law_ok:
                comp = self.direct.policy(u.text, u.aspects, retrieval.qvec, law_chunks, cites, u.expansion)
                paras = comp.paras
                trace["lead"] = comp.trace()
                trace["decision"] = "policy: no service item, law evidence"
                return ("policy", paras, [], cites, [], Context(focus=ctx.focus))
            trace["decision"] = "refuse: no evidence above threshold"
            return ("refuse", [handoff_text(centre, "抱歉，未找到依据：在本中心的办事指南和已收录的政策中没有找到与您问题相关的内容，我不能凭空作答。")],
                    [], cites, ["转人工", "结婚登记要带什么", "公积金提取怎么办"], Context(focus=ctx.focus))

        # -- a short question matched only by meaning, with a word the knowledge base never uses
        # ("怎么申请火星居住权" is close to 居住证申领): ask rather than bluff
        strange = self._unknown_words(u) if pin is None and top.alias is None and top.semantic < SEM_STRANGE \
            and len(_core(u.text)) <= 16 else []
        if strange:
            trace["rules"].append(f"rule:unknown-words:{'、'.join(strange)}")
            trace["decision"] = f"clarify: 「{'、'.join(strange)}」 not in any guide or law"
            return self._clarify(f"办事指南和政策里没有找到与「{'、'.join(strange)}」有关的内容。"
                                 f"您要办理的是不是下面这个事项？", [top], cites, cards=1,
                                 closing="如果不是，可以换个说法，或回复“转人工”。", extra=["转人工"])

        # -- clarify when the route depends on a fact not given
        close = [c for c in cands if top.score - c.score < CLARIFY_MARGIN and c.score >= ITEM_MIN]
        short = [c for c in cands[:4] if c.semantic >= SEM_IN or c.alias]
        said = topic.group(1) if topic else _core(u.text)  # "离婚的事" says 离婚
        # one short word, unless it is exactly one item's own alias ("离婚" → 离婚登记)
        one_word = len(_core(u.text)) <= 4 and not u.aspects and not (top.alias and (len(top.alias) >= 3 or said == top.alias))
        switch = bool(top.alias and FOLLOWUP_LEAD.match(u.text))  # "那离婚呢": the person named it
        vague = pin is None and not ctx.clarified_once and not switch and (
            (len(close) >= 2 and not (top.alias and len(top.alias) >= 3 and not any(c.alias for c in close[1:])))
            or (one_word and len(short) >= 2))
        who = asker(u.search_text)
        if vague and who is not None:  # "个人怎么交社保": choices for companies only are not offered
            fitting = [c for c in (close if len(close) >= 2 else short) if who in self.guides[c.item_id].audience]
            if len(fitting) == 1:  # the one choice that fits who is asking leads
                vague = False
                top = fitting[0]
                cands = [top] + [c for c in cands if c is not top]
                trace["rules"].append(f"rule:asker-{who}")
        if vague:
            close = close if len(close) >= 2 else short
            options = close[:4]
            family = [c for c in cands if _core(u.text) and any(_core(u.text) in w for w in self._words(c.item_id))]
            if one_word and len(family) >= 2:  # "公积金": offer every item of that family
                options = family[:6]
            trace["decision"] = f"clarify: {len(close)} items within {CLARIFY_MARGIN}"
            return self._clarify("您的情况可能对应以下几个事项，请问您要办理的是哪一项？", options, cites, cards=4)

        # -- guide answer
        g = self.guides[top.item_id]
        # a reviewed FAQ answers directly when it is the best hit and asks about the same thing
        faq = next((h.chunk for h in retrieval.hits[:1] if h.chunk.item_id == g.id and h.chunk.aspect == "faq"
                    and h.dense >= 0.9 and (set(aspects_of(h.chunk.section)) & set(u.aspects)
                                            or (not u.aspects and h.dense >= 0.93))), None)
        if FULL_GUIDE.search(u.text):  # "查看完整办事指南": the whole guide
            paras = guide_answer(self.index, g, u.aspects, cites, faq=faq, facts=u.facts)
            trace["rules"].append("rule:full-guide")
        else:
            comp = self.direct.guide(g, u.text, u.aspects, u.policy_cue, retrieval.qvec, law_chunks, cites,
                                     followup=followup, facts=u.facts, expansion=u.expansion,
                                     found=[h.chunk for h in retrieval.hits],
                                     named=pin is not None or top.alias is not None)
            paras = comp.paras
            trace["lead"] = comp.trace()
            trace["rules"] += comp.rules
            faq = comp.lead.chunk if comp.lead is not None and comp.lead.chunk.aspect == "faq" else None
        trace["rules"] += [f"rule:situation:{f}" for f in u.facts if any(f"【按您的情形：{f}】" in p for p in paras)]
        chosen_items = [top]
        # a question that really spans several items (opening a shop = registration + food licence)
        for c in cands[1:3]:
            if who is not None and who not in self.guides[c.item_id].audience:
                continue  # not for the person asking
            if (c.alias and c.alias != top.alias and c.score >= ITEM_MIN) or (c.semantic >= SEM_ALSO and c.score >= 0.4):
                chosen_items.append(c)
                og = self.guides[c.item_id]
                paras.insert(-1 if g.sample else len(paras),
                             f"您还可能需要办理「{og.name}」：{hall_zone(og)}"
                             f"{'、'.join(og.place.windows)}窗口。{cites.ref(self.index.by_id[f'guide/{og.id}#place'])}")
        # a close runner-up is named, so that a person who meant it is not sent to the wrong window
        if pin is None:
            for c in cands[1:3]:
                if len(chosen_items) < 3 and c not in chosen_items and top.score - c.score <= RUNNER_UP \
                        and c.semantic >= SEM_IN and (who is None or who in self.guides[c.item_id].audience):
                    chosen_items.append(c)
                    og = self.guides[c.item_id]
                    paras.insert(-1 if g.sample else len(paras),
                                 f"如果您要办的是「{og.name}」，请告诉我，我再为您说明。"
                                 f"{cites.ref(self.index.by_id[f'guide/{og.id}#overview'])}")
        trace["decision"] = f"guide: {g.name}" + (" (faq)" if faq else "")
        return ("guide", paras, self._items(chosen_items, 3), cites, self._suggest(chosen_items),
                Context(focus=[c.item_id for c in chosen_items]))

    def _bare_topic(self, u: Understanding, ctx: Context) -> list[Guide]:
        """A short topic word ("公积金", "那户口呢") that names several items, after a turn about something
        else: the items it names.  Empty when the word is exactly one item's name or alias, when it names
        the item in focus (the person's words tie it to the focus), or when nothing is in focus."""
        if not ctx.focus or u.aspects:
            return []
        core = re.sub(r"(呢|吗|吧|啊|的事|的事情|的问题|怎么样)$", "", FOLLOWUP_LEAD.sub("", _core(u.text)))
        if not 2 <= len(core) <= 6:
            return []
        exact = [g for g in self.guides.values() if core == g.name or core in g.aliases]
        if len(exact) == 1:
            return []
        family = [g for g in self.guides.values() if core in g.name or any(core in a for a in g.aliases)]
        if len(family) < 2 or any(g.id in ctx.focus[:1] for g in family):
            return []
        return family

    def _decline(self, topic: str | None, ctx: Context, cites: Citations):
        """Declined with the hand-off text and no citation; the focus is kept."""
        reason = {"illegal": "抱歉，这个请求涉及违法违规行为，我不能提供帮助。",
                  "other-city-policy": "抱歉，其他城市的地方政策不在本中心的办理范围内，请咨询当地政务服务中心或当地12345热线。",
                  "foreign_visa": "抱歉，外国签证不属于政务服务中心的办理范围，请咨询相关国家驻华使领馆。因私护照、港澳台通行证可以问我。"
                  }.get(topic or "", "抱歉，这个问题不在政务服务的范围内，我只能解答宿迁市便民方舟的办事和政策问题。")
        return ("refuse", [handoff_text(self.centre, reason)], [], cites, ["结婚登记要带什么", "公积金租房提取怎么办"],
                Context(focus=ctx.focus))

    def _scope(self, u: Understanding, qvec, top: ItemCandidate | None, best_law) -> ScopeDecision:
        """The scope model's probability and the evidence found (items named in the person's own words,
        item phrases or law articles close in meaning) decide together; see scope.py."""
        own = self.router.alias_hits(u.text)
        alias = max(own.values(), key=len) if own else None
        p = self.scope_model.probability(u.text, qvec) if self.scope_model is not None else 1.0
        return scope_decide(p, u.topic, alias, top.semantic if top else 0.0, best_law.dense if best_law else 0.0)

    def _clarify(self, question: str, options: list[ItemCandidate], cites: Citations, cards: int,
                 closing: str = "", extra: list[str] | None = None):
        """A clarifying question: the choices as lines, item cards and suggestion buttons."""
        paras = [question]
        for c in options:
            g = self.guides[c.item_id]
            paras.append(f"· {g.name}（{hall_zone(g)}）{cites.ref(self.index.by_id[f'guide/{g.id}#overview'])}")
        if closing:
            paras.append(closing)
        ids = [c.item_id for c in options]
        return ("clarify", paras, self._items(options, cards), cites, [c.name for c in options] + (extra or []),
                Context(focus=ids, pending=ids, clarified_once=True))

    def _unknown_words(self, u: Understanding) -> list[str]:
        """Dictionary words of the message that no guide, law, alias or term uses (typo corrections aside)."""
        typed = [t for t, _word in u.corrections]
        return [w for w in self.index.tokenizer.dictionary_words(u.text)
                if w not in self.known_text and not w.isascii() and not FUNCTION_WORD.match(w)
                and not any(t in w or w in t for t in typed)]  # English words ("online", "tax") are mixed in freely

    def _words(self, item_id: str) -> list[str]:
        g = self.guides[item_id]
        return [g.name, *g.aliases]

    def _sibling(self, u: Understanding, pin: Guide, cands: list[ItemCandidate]) -> Guide | None:
        """A follow-up that names what sets another candidate apart ("租房用的" after 购房提取,
        "那贷款呢", "消防验收呢") moves the focus to that item."""
        pin_text = "".join(self._words(pin.id))

        def new_words(text: str) -> list[str]:  # what names a thing, not "申请", "登记"
            return [t for t in self.index.tokenizer.tokens(text)
                    if len(t) >= 2 and t not in pin_text and t not in SERVICE_VERBS and not aspects_of(t)]
        own, official = new_words(u.text), new_words(u.expansion)
        lead = bool(FOLLOWUP_LEAD.match(u.text) or u.text.rstrip("?？ ").endswith("呢"))
        if not lead and TOGETHER.search(u.text):  # "刻章领发票能一起办吗" → the 一件事 the focus belongs to
            for c in cands[:8]:
                bundle = self.guides[c.item_id].bundle
                if bundle is not None and pin.name in bundle.members:
                    return self.guides[c.item_id]
        if not lead and STAY_CUE.search(u.text):  # "二手房也行吗", "能一起办吗": still about the focus
            return None
        best, best_key = None, (0, 0)
        for c in cands[:8]:
            where = "".join(self._words(c.item_id)) if lead else c.name  # "那贷款呢": an alias is enough
            # the candidate that says most of the person's own new words ("那过户在哪办" → 存量房转移登记),
            # or else of their official equivalents; ties go to the better-ranked candidate
            said = sum(len(t) for t in own if t in where)
            key = (said, 0 if said else sum(len(t) for t in official if t in where))
            if c.item_id != pin.id and key > best_key:
                best, best_key = self.guides[c.item_id], key
        return best

    def _suggest(self, cands: list[ItemCandidate]) -> list[str]:
        if not cands:
            return []
        return ["查看完整办事指南", "要带什么材料", "网上能办吗", "多久能办好"]
