"""The assistant: normalise → understand → the dialogue policy (dialogue/policy.py) → the answer text.

`Assistant.answer` is the one entry point used by the API, the CLI and the evaluation harness.  It
returns a `Result`: the `Decision` of the rule that answered, the answer text, the conversation's next
`Context` and a `trace` that says which chunks, which scores and which rule produced the answer
(``trace["rule"]``: the deciding rule, e.g. ``guide``, ``no-evidence``, ``curated-answer``).  The core
builds no HTTP objects: web/schemas.py `to_response` turns a `Result` into the `/v1/chat` body."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from assistant.core.catalogue import CatalogueAnswers
from assistant.core.compose import Citation, ItemCard, distinct_lines
from assistant.core.corpus.laws import short_law_name
from assistant.core.dialogue.decision import CURATED, Decision
from assistant.core.dialogue.follow_up import FUNCTION_WORD
from assistant.core.dialogue.policy import decide
from assistant.core.dialogue.state import Context
from assistant.core.dialogue.turn import Turn
from assistant.core.direct import DirectComposer
from assistant.core.handoff import local_now
from assistant.core.index.backends import make_retriever
from assistant.core.index.build import Index
from assistant.core.rank_items import Router
from assistant.core.retrieve import Retrieval
from assistant.core.scope import MODEL_PATH, ScopeModel
from assistant.core.text.normalize import mask_pii, normalize
from assistant.core.text.spelling import Speller
from assistant.core.understand import TERMS, Understanding, aspects_of, facts_of, item_names, understand

__all__ = ["Assistant", "Context", "Result"]


@dataclass
class Result:
    """One answer: the deciding rule's `decision`, the `answer` text (paragraphs joined, or the LLM's
    phrasing), the conversation's next `context` and the `trace` staff see."""

    decision: Decision
    answer: str
    context: Context
    trace: dict
    session_id: str = ""
    message_id: str = ""

    @property
    def kind(self) -> str:
        return self.decision.kind

    @property
    def items(self) -> list[ItemCard]:
        return self.decision.items

    @property
    def citations(self) -> list[Citation]:
        return self.decision.citations.items if self.decision.citations is not None else []

    @property
    def suggestions(self) -> list[str]:
        return self.decision.suggestions


class Assistant:
    def __init__(self, index: Index, curated=None, phraser=None):
        """`curated`: reviewed answers written by guide staff (see `curated.py`), consulted first.
        `phraser`: optional LLM phrasing (see `llm.py`); its output is checked against the citations."""
        self.index = index
        self.curated = curated
        self.phraser = phraser
        self.retriever = make_retriever(index)  # ASSISTANT_SEARCH_BACKEND: local (default) or milvus
        if self.retriever.law_ranker is not None:
            self.retriever.article_stats()
        self.router = Router(index)
        self.guides = {g.id: g for g in index.corpus.guides}
        self.centre = index.corpus.centre
        self.speller = Speller(self._vocabulary(), index.tokenizer)
        self.item_names = item_names(index.corpus.guides)  # masked out when reading what is asked
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
        u = self._understand(text, ctx)
        trace: dict = {"normalized": mask_pii(text), "turn": u.turn, "aspects": u.aspects,
                       "expansion": u.expansion, "facts": u.facts, "rules": []}
        turn = Turn(self, u, ctx, now or local_now())
        decision = decide(turn)
        trace.update(turn.diagnostics)
        trace.update(decision.diagnostics)
        trace["rules"] = turn.rules + decision.rules
        trace["rule"] = decision.rule
        new_ctx = decision.next_state
        new_ctx.turns = ctx.turns + 1
        new_ctx.facts = u.facts
        paras = distinct_lines(decision.paragraphs)  # no line shown twice (a curated answer's own 办理地点 …)
        # the first paragraph (the answer itself) stands apart: a blank line before the details
        answer = paras[0] + ("\n\n" + "\n".join(paras[1:]) if len(paras) > 1 else "") if paras else ""
        trace["answer_by"] = "rule:extractive"
        if self.phraser is not None and decision.kind in ("guide", "policy") and decision.rule != CURATED:
            phrased, info = self.phraser.phrase(text, answer, decision.citations.items)
            trace["llm"] = info
            if phrased:
                answer = phrased
                trace["answer_by"] = f"llm:{info.get('model')}"
        trace["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return Result(decision, answer, new_ctx, trace, session_id, message_id)

    def _understand(self, text: str, ctx: Context) -> Understanding:
        """What the message is (understand.py), with typo corrections and the facts said so far."""
        u = understand(text, self.item_names)
        if u.turn == "question":
            u.corrections = self.speller.corrections(text)
            for typed, word in u.corrections:
                u.expansion = f"{u.expansion} {word}".strip()
                u.rules.append(f"rule:typo:{typed}→{word}")
        u.facts = facts_of(text, ctx.facts) if u.turn == "question" else list(ctx.facts)
        return u

    def search(self, query: str, k: int = 10) -> Retrieval:
        u = understand(normalize(query))
        return self.retriever.search(u.search_text, k=k)

    def law_ranking(self, query: str, k: int = 5) -> list[tuple[str, str]]:
        """(law, 第X条) of the best law chunks for a question — the policy side of retrieval."""
        hits = self.retriever.search(normalize(query), k=k, kind="law").hits
        return [(short_law_name(h.chunk.law), h.chunk.article) for h in hits[:k]]
