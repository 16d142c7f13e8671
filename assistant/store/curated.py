"""Curated (reviewed) answers: corrections written by guide staff in the console.

A curated answer is a reviewed FAQ entry tied to one service item and the chunks
it cites.  The pipeline asks `CuratedStore.lookup` first, so a correction takes
effect for the same and similar questions at once — no restart, no rebuild.

Matching is deliberately strict, because a curated answer overrides retrieval:

* the same question after normalisation (punctuation and spaces ignored) always matches;
* otherwise the question vectors must be at least `CURATED.similar` close in cosine **and** the two
  questions must name the same service items (the router's name/alias hits) **and** ask the same slot
  (材料/流程, 地点, 时限, how much …: store/curated_match.py, read from the question without its item names)
  **and** neither may swap a content character for another (结婚登记 vs 离婚登记, 租房 vs 买房 score
  0.96–0.97 with e5 — closer than many real paraphrases — and differ only in such a swap);
* or, at least `CURATED.paraphrase_floor` close, the paraphrase routes to the correction's item (`routed`), asks a slot the
  correction answers, with the same kind of act (补领, 注销 …), and names no other item;
* or, at least `CURATED.near_sim` close, the router is unsure (no alias decides) and the correction's item is among its
  leading items, and the correction is the question's nearest example (no phrase of a rival item ahead of it is
  closer) or the question says a word of the correction or its item no rival's names say (执照 for 营业执照遗失补领
  against 不动产权证书补发), and the question says nothing of a rival's names the correction does not (公司要开发票，发票怎么申领 routes
  to 代开发票 but is 怎么申领发票's; 买房提取公积金要什么材料 is not 租房提取公积金要什么材料's: 买 is 购房提取's).

The thresholds and the report they were calibrated on: core/dialogue/thresholds.py (CuratedThresholds).
See tests/api/test_staff.py and tests/e2e/test_curated_paraphrase.py for questions that must and must not match.

Staff can widen or narrow a correction with example questions (`curated_edits`): an added example
(领证要准备啥) is matched exactly like the correction's own question; an excluded one (补办结婚证要带什么)
is never answered, nor is a question closer to an excluded example than to every included question.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Callable

import numpy as np
from sqlalchemy import JSON, Boolean, DateTime, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.clock import utcnow
from assistant.store.db import Base, ensure_schema, memory_engine
from assistant.core.text.normalize import normalize
from assistant.core.dialogue.thresholds import CURATED
from assistant.store.curated_match import Route, acts, item_fits_acts, routed, without
from assistant.store.curated_rules import CuratedRules
from assistant.store.curated_edits import CuratedEdits, CuratedExample, CuratedVersion, Examples, example_rows, examples_of

REFRESH_SECONDS = 0.5  # corrections published on another replica answer here at most this late (one cheap query)


CuratedBase = Base  # one metadata for every table (db.py, migrated by Alembic)


class CuratedAnswer(CuratedBase):
    __tablename__ = "curated_answers"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text, index=True)
    item_id: Mapped[str] = mapped_column(String(128))
    answer: Mapped[str] = mapped_column(Text)
    chunk_ids: Mapped[list] = mapped_column(JSON, default=list)
    message_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Review(CuratedBase):
    """A staff member's check of one answer: correct / wrong, with a reason."""

    __tablename__ = "answer_reviews"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), index=True)
    verdict: Mapped[str] = mapped_column(String(16))  # correct | wrong
    reason: Mapped[str] = mapped_column(Text, default="")
    staff: Mapped[str] = mapped_column(String(64))
    curated_id: Mapped[str | None] = mapped_column(String(24), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


@dataclass(frozen=True)
class CuratedHit:
    id: str
    item_id: str
    answer: str
    chunk_ids: list[str]
    similarity: float


@dataclass
class _Entry:
    """One question a correction answers (its own or an added example; a correction has one entry per question)."""
    id: str
    core: str
    normalized: str
    item_id: str
    answer: str
    chunk_ids: list[str]
    excluded: tuple[str, ...] = ()  # the normalised questions staff excluded from this correction

    def hit(self, similarity: float) -> CuratedHit:
        return CuratedHit(self.id, self.item_id, self.answer, list(self.chunk_ids), similarity)


def core(text: str) -> str:
    """The normalised question without punctuation and spaces: what "the same question" compares."""
    return "".join(ch for ch in normalize(text) if ch.isalnum())


_now = utcnow


def _entries_of(row: CuratedAnswer, examples: Examples) -> list[_Entry]:
    """The questions one correction answers: its own, then the examples staff added (each once)."""
    excluded = tuple(normalize(q) for q in examples.exclude)
    questions = dict.fromkeys([row.normalized] + [normalize(q) for q in examples.include])
    return [_Entry(row.id, core(q), q, row.item_id, row.answer, list(row.chunk_ids or []), excluded) for q in questions]


def _closer_to_excluded(entries: list[_Entry], sims: dict[str, float]) -> set[str]:
    """Corrections whose excluded examples are closer to the question than all their included questions:
    with 补办结婚证要带什么 excluded from 结婚登记要带什么, 补办结婚证需要带啥 is not answered by it."""
    best_in: dict[str, float] = {}
    best_out: dict[str, float] = {}
    for e in entries:
        best_in[e.id] = max(best_in.get(e.id, -1.0), sims.get(e.normalized, -1.0))
        for x in e.excluded:
            best_out[e.id] = max(best_out.get(e.id, -1.0), sims.get(x, -1.0))
    return {k for k, v in best_out.items() if v > best_in[k]}


class CuratedStore(CuratedRules, CuratedEdits):
    """Curated answers in the conversations database, with their question vectors in memory.

    `items_of(text)` (set by `bind`) names the service items a question mentions; two questions
    that mention different items never match each other.
    """

    model = CuratedAnswer

    @classmethod
    def scratch(cls) -> "CuratedStore":
        """An empty store in memory, thrown away after use: the console's preview of which past questions
        a correction would catch, before anything is published."""
        return cls(memory_engine())

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now, threshold: float = CURATED.similar,
                 items_of: Callable[[str], frozenset[str]] | None = None):
        ensure_schema(engine)
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock
        self.threshold = threshold
        self.items_of = items_of
        self.route_of: Callable[[str], list[Route]] | None = None
        self.request_of: Callable[[str], str] = lambda text: text  # the question without the item names in it
        self.name_of: Callable[[str], str] = lambda item_id: ""  # an item's name (结婚登记)
        self.names_of: Callable[[str], tuple[str, ...]] = lambda item_id: ()  # its name and aliases
        self.words_of: Callable[[str], list[str]] = lambda text: []  # the dictionary words of a text (jieba)
        self._lock = threading.RLock()
        self._entries: list[_Entry] = []
        self._vecs: dict[str, np.ndarray] = {}  # normalised question → its vector (computed on first lookup)
        self._items: dict[str, frozenset[str]] = {}
        self._version: tuple | None = None
        self._checked = 0.0
        self.refresh(force=True)

    # ---------------------------------------------------------------- wiring

    def bind(self, assistant) -> "CuratedStore":
        """Use the assistant's router to tell which items a question names."""
        from assistant.core.understand import QUESTION_WORD, understand

        router = assistant.router

        @lru_cache(maxsize=4096)  # asked once per correction compared; pure in the text
        def items_of(text: str) -> frozenset[str]:
            return frozenset(router.alias_hits(understand(text).search_text))

        def route_of(text: str) -> list[Route]:
            """The router's leading items for this question, (item, score, decided by an alias, best phrase cosine), best
            first.  An alias of an item of another act decides nothing (补领结婚证 contains 领结婚证, an alias of 结婚登记)."""
            q, q_acts = understand(text).search_text, acts(text)
            cands = router.rank(q, assistant.retriever.search(q, k=assistant.index.settings.top_k))
            return [(c.item_id, c.score, bool(c.alias) and item_fits_acts(c.name, q_acts), c.semantic)
                    for c in cands[:CURATED.route_k]]

        @lru_cache(maxsize=4096)
        def request_of(text: str) -> str:
            """The question without the item names in it; a name phrased as a question (保证金什么时候退, 失业金怎么领)
            stays: what it asks is asked."""
            return without(text.lower(), [n for n in router.alias_hits(text).values() if not QUESTION_WORD.search(n)])

        def words_of(text: str) -> list[str]:
            return assistant.index.tokenizer.dictionary_words(text)

        def name_of(item_id: str) -> str:
            g = router.guides.get(item_id)
            return g.name if g is not None else ""

        def names_of(item_id: str) -> tuple[str, ...]:
            g = router.guides.get(item_id)
            return (g.name, *g.aliases) if g is not None else ()

        with self._lock:
            self.items_of, self.route_of, self.request_of, self.name_of = items_of, route_of, request_of, name_of
            self.names_of, self.words_of = names_of, words_of
            self._items.clear()
        return self

    # ---------------------------------------------------------------- cache

    def _db_version(self) -> tuple:
        with self._session() as db:
            n, live, last = db.execute(select(func.count(CuratedAnswer.id),
                                              func.count(CuratedAnswer.id).filter(CuratedAnswer.active.is_(True)),
                                              func.max(CuratedAnswer.updated_at))).one()
            edits = db.execute(select(func.count(CuratedExample.id))).scalar_one(), \
                db.execute(select(func.count(CuratedVersion.id))).scalar_one()
        return (n, live, str(last), *edits)

    def refresh(self, force: bool = False) -> None:
        """Reload the active entries when the table changed (another worker or replica may have added or
        disabled one): the version (rows, active rows, latest change) is read at most every `REFRESH_SECONDS`."""
        if not force and time.monotonic() - self._checked < REFRESH_SECONDS:
            return
        version = self._db_version()
        with self._lock:
            self._checked = time.monotonic()
            if not force and version == self._version:
                return
            with self._session() as db:
                rows = db.scalars(select(CuratedAnswer).where(CuratedAnswer.active.is_(True))
                                  .order_by(CuratedAnswer.updated_at.desc())).all()
                examples = examples_of(db, [r.id for r in rows])
            self._entries = [e for r in rows for e in _entries_of(r, examples.get(r.id, Examples()))]
            live = {e.normalized for e in self._entries} | {x for e in self._entries for x in e.excluded}
            self._vecs = {k: v for k, v in self._vecs.items() if k in live}
            self._items = {k: v for k, v in self._items.items() if k in live}
            self._version = version

    # ---------------------------------------------------------------- lookup

    def lookup(self, text: str, embed: Callable[[str], np.ndarray]) -> CuratedHit | None:
        """The curated answer for this (normalised) question, or None."""
        self.refresh()
        with self._lock:
            entries = list(self._entries)
        if not entries:
            return None
        c = core(text)
        barred = {e.id for e in entries if any(core(x) == c for x in e.excluded)}
        for e in entries:  # newest first
            if e.core == c and e.id not in barred:
                return e.hit(1.0)
        sims = self._similarities(text, entries, embed)
        barred |= _closer_to_excluded(entries, sims)
        scored = sorted(((sims[e.normalized], e) for e in entries if e.id not in barred), key=lambda x: -x[0])
        route: list = []
        for sim, e in scored:
            if sim < min(self.threshold, CURATED.paraphrase_floor):
                break
            if sim >= self.threshold and self._strict_match(text, c, e):
                return e.hit(round(sim, 4))
            if self.route_of is not None and self._same_ask(text, e) and self._names_no_other_item(text, e):
                if not route:  # routed once per question, only when some correction is close enough
                    route.append(self.route_of(text))
                if routed(self._rivals_of(text, route[0], e), e.item_id, sim, lambda rivals: self._rival_words(text, e, rivals),
                          lambda rivals: self._own_words(text, e, rivals)):
                    return e.hit(round(sim, 4))
        return None

    def _similarities(self, text: str, entries: list[_Entry], embed) -> dict[str, float]:
        """Cosine of the question with every correction question and excluded example (vectors cached)."""
        texts = list(dict.fromkeys([e.normalized for e in entries] + [x for e in entries for x in e.excluded]))
        for t in texts:
            if t not in self._vecs:
                v = np.asarray(embed(t), dtype=np.float32)
                with self._lock:
                    self._vecs[t] = v
        q = np.asarray(embed(text), dtype=np.float32)
        with self._lock:
            return {t: float(self._vecs[t] @ q) for t in texts if t in self._vecs}

    # ---------------------------------------------------------------- writes

    def add(self, question: str, item_id: str, answer: str, chunk_ids: list[str], created_by: str,
            message_id: str | None = None, examples: Examples | None = None) -> CuratedAnswer:
        """A new curated answer; an active one for the same question is replaced.  `examples`: the paraphrases
        staff added (caught like the question) and the past questions they excluded (never answered by it)."""
        norm = normalize(question)
        c = core(question)
        t = self.clock()
        with self._session() as db:
            for old in db.scalars(select(CuratedAnswer).where(CuratedAnswer.active.is_(True))):
                if core(old.normalized) == c:
                    old.active = False
                    old.updated_at = t
            row = CuratedAnswer(id=secrets.token_hex(6), question=question.strip(), normalized=norm, item_id=item_id,
                                answer=answer.strip(), chunk_ids=list(dict.fromkeys(chunk_ids)), message_id=message_id,
                                created_by=created_by, created_at=t, updated_at=t, active=True)
            db.add(row)
            db.add_all(example_rows(row.id, examples or Examples(), created_by, t))
            db.commit()
        self.refresh(force=True)
        return row

    def deactivate(self, curated_id: str) -> bool:
        with self._session() as db:
            row = db.get(CuratedAnswer, curated_id)
            if row is None:
                return False
            row.active = False
            row.updated_at = self.clock()
            db.commit()
        self.refresh(force=True)
        return True

    def get(self, curated_id: str) -> CuratedAnswer | None:
        with self._session() as db:
            return db.get(CuratedAnswer, curated_id)

    def all(self, include_inactive: bool = False) -> list[CuratedAnswer]:
        with self._session() as db:
            q = select(CuratedAnswer).order_by(CuratedAnswer.created_at.desc())
            if not include_inactive:
                q = q.where(CuratedAnswer.active.is_(True))
            return list(db.scalars(q))

    def for_messages(self, message_ids: list[str]) -> dict[str, list[CuratedAnswer]]:
        if not message_ids:
            return {}
        with self._session() as db:
            rows = db.scalars(select(CuratedAnswer).where(CuratedAnswer.message_id.in_(message_ids))).all()
        out: dict[str, list[CuratedAnswer]] = {}
        for r in rows:
            out.setdefault(r.message_id, []).append(r)
        return out

    # ---------------------------------------------------------------- reviews

    def review(self, message_id: str, verdict: str, reason: str, staff: str, curated_id: str | None = None) -> Review:
        with self._session() as db:
            row = Review(id=secrets.token_hex(6), message_id=message_id, verdict=verdict, reason=reason.strip(),
                         staff=staff, curated_id=curated_id, created_at=self.clock())
            db.add(row)
            db.commit()
            return row

    def reviews(self, message_ids: list[str] | None = None) -> list[Review]:
        with self._session() as db:
            q = select(Review).order_by(Review.created_at)
            if message_ids is not None:
                if not message_ids:
                    return []
                q = q.where(Review.message_id.in_(message_ids))
            return list(db.scalars(q))
