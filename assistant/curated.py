"""Curated (reviewed) answers: corrections written by guide staff in the console.

A curated answer is a reviewed FAQ entry tied to one service item and the chunks
it cites.  The pipeline asks `CuratedStore.lookup` first, so a correction takes
effect for the same and similar questions at once — no restart, no rebuild.

Matching is deliberately strict, because a curated answer overrides retrieval:

* the same question after normalisation (punctuation and spaces ignored) always matches;
* otherwise the question vectors must be at least `SIMILAR` close in cosine **and** the two
  questions must name the same service items (the router's name/alias hits) **and** ask about
  the same aspects (材料 / 地点 / 时限 / 收费 …, how much) **and** neither may swap a content
  character for another (结婚登记 vs 离婚登记, 租房 vs 买房 score 0.96–0.97
  with e5 — closer than many real paraphrases — and differ only in such a swap).

Calibration (multilingual-e5-small, normalised questions): paraphrases that only add words
("结婚登记要带什么" / "结婚登记需要带什么材料") score 0.96–0.99, a swapped key word 0.95–0.97,
unrelated questions ≤ 0.85.  See tests/test_staff.py for the pairs that must and must not match.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import numpy as np
from sqlalchemy import JSON, Boolean, DateTime, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from .db import Base, ensure_schema
from .normalize import normalize
from .understand import aspects_of

SIMILAR = 0.955  # cosine between normalised questions; see the module docstring
REFRESH_SECONDS = 0.5  # corrections published on another replica answer here at most this late (one cheap query)

# characters that carry no topic: question words, particles, pronouns, filler verbs
FILLER = set("的了吗呢吧啊呀么嘛哦喔噢哈是有在和与及或跟同我你您他她它们咱这那哪些个一下请问想要需能可以会该应"
             "怎样么什啥时候去来到给把被让对就都也还再又很最太更得地着过里之其所为以于如果若"
             "办理弄搞做带拿用找问说看知道帮助告诉谢好行吧呗嗯喂")


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
    id: str
    core: str
    normalized: str
    item_id: str
    answer: str
    chunk_ids: list[str]


def core(text: str) -> str:
    """The normalised question without punctuation and spaces: what "the same question" compares."""
    return "".join(ch for ch in normalize(text) if ch.isalnum())


def _content(text: str) -> set[str]:
    return {ch for ch in text if ch.isalnum() and ch not in FILLER}


_AMOUNT = re.compile(r"多少|几")


def shape(text: str) -> tuple[frozenset[str], bool]:
    """What a question asks about: its aspects (材料, 地点, 时限 …) and whether it asks how much / how many."""
    return frozenset(aspects_of(text)), bool(_AMOUNT.search(text))


def swapped(a: str, b: str) -> bool:
    """True when each question has a content character the other lacks (结婚↔离婚, 租房↔买房)."""
    ca, cb = _content(a), _content(b)
    return bool(ca - cb) and bool(cb - ca)


def _now() -> datetime:
    from .sessions import now

    return now()


class CuratedStore:
    """Curated answers in the conversations database, with their question vectors in memory.

    `items_of(text)` (set by `bind`) names the service items a question mentions; two questions
    that mention different items never match each other.
    """

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now, threshold: float = SIMILAR,
                 items_of: Callable[[str], frozenset[str]] | None = None):
        ensure_schema(engine)
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock
        self.threshold = threshold
        self.items_of = items_of
        self._lock = threading.RLock()
        self._entries: list[_Entry] = []
        self._vecs: dict[str, np.ndarray] = {}  # entry id → question vector (computed on first lookup)
        self._items: dict[str, frozenset[str]] = {}
        self._version: tuple | None = None
        self._checked = 0.0
        self.refresh(force=True)

    # ---------------------------------------------------------------- wiring

    def bind(self, assistant) -> "CuratedStore":
        """Use the assistant's router to tell which items a question names."""
        from .understand import understand

        router = assistant.router

        def items_of(text: str) -> frozenset[str]:
            return frozenset(router.alias_hits(understand(text).search_text))

        with self._lock:
            self.items_of = items_of
            self._items.clear()
        return self

    # ---------------------------------------------------------------- cache

    def _db_version(self) -> tuple:
        with self._session() as db:
            n, live, last = db.execute(select(func.count(CuratedAnswer.id),
                                              func.count(CuratedAnswer.id).filter(CuratedAnswer.active.is_(True)),
                                              func.max(CuratedAnswer.updated_at))).one()
        return (n, live, str(last))

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
            self._entries = [_Entry(r.id, core(r.normalized), r.normalized, r.item_id, r.answer, list(r.chunk_ids or []))
                             for r in rows]
            live = {e.id for e in self._entries}
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
        for e in entries:  # newest first
            if e.core == c:
                return CuratedHit(e.id, e.item_id, e.answer, list(e.chunk_ids), 1.0)
        missing = [e for e in entries if e.id not in self._vecs]
        for e in missing:
            v = np.asarray(embed(e.normalized), dtype=np.float32)
            with self._lock:
                self._vecs[e.id] = v
        q = np.asarray(embed(text), dtype=np.float32)
        with self._lock:
            vecs = [(e, self._vecs.get(e.id)) for e in entries]
        scored = sorted(((float(v @ q), e) for e, v in vecs if v is not None), key=lambda x: -x[0])
        q_items = None
        for sim, e in scored:
            if sim < self.threshold:
                break
            if swapped(c, e.core) or shape(text) != shape(e.normalized):
                continue
            if self.items_of is not None:
                if q_items is None:
                    q_items = self.items_of(text)
                with self._lock:
                    e_items = self._items.get(e.id)
                if e_items is None:
                    e_items = self.items_of(e.normalized)
                    with self._lock:
                        self._items[e.id] = e_items
                if q_items != e_items:
                    continue
            return CuratedHit(e.id, e.item_id, e.answer, list(e.chunk_ids), round(sim, 4))
        return None

    # ---------------------------------------------------------------- writes

    def add(self, question: str, item_id: str, answer: str, chunk_ids: list[str], created_by: str,
            message_id: str | None = None) -> CuratedAnswer:
        """A new curated answer; an active one for the same question is replaced."""
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
