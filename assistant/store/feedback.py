"""好差评 tables: one rating per answer (``feedback``) and the follow-up case a bad rating opens
(``feedback_cases``), with the scale, statuses and tags every layer shares, and `FeedbackStore`, which
records ratings and moves cases on (``POST /v1/feedback`` and the console's 工单 call it).

The tags are defined here once: the rating form gets them from ``GET /staff/api/me`` (``"tags"``) and
``POST /v1/feedback`` accepts only these.  A rating's ``score`` is its place on the national scale
(非常满意 = 5 … 非常不满意 = 1); a score at or below `BAD` (不满意) opens a case.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Callable, Literal

from sqlalchemy import JSON, DateTime, Integer, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.clock import add_working_days
from assistant.core.text.normalize import mask_pii
from assistant.store.conversations import Conversation, Message, now
from assistant.store.db import Base, ensure_schema

RATINGS = {"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1}
Rating = Literal["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
BAD = 2  # a score at or below this opens a case
STATUSES = ("待回访", "整改中", "已办结")
# what actually happened, recorded with its note: only 回访成功 counts as replied (a failed call does not)
OUTCOMES = {"回访成功": "整改中", "无法联系": None, "已整改": "已办结"}
REPLY_DAYS = 1
FIX_DAYS = 15
# what was wrong with an answer: the one list of rating tags.  The staff console filters by all of them;
# the chat page offers a citizen those of `PAGE_TAGS` after 不满意 (GET /v1/feedback/tags serves them)
TAGS = ["答非所问", "信息有误", "信息不全", "看不懂", "没有找到依据", "窗口或地址不对", "其他"]
STAFF_ONLY_TAGS = ("没有找到依据", "窗口或地址不对")
PAGE_TAGS = [t for t in TAGS if t not in STAFF_ONLY_TAGS]


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="web")
    rating: Mapped[str] = mapped_column(String(8))
    score: Mapped[int] = mapped_column(Integer)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Case(Base):
    __tablename__ = "feedback_cases"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    feedback_id: Mapped[str] = mapped_column(String(24), index=True)
    message_id: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(8), default="待回访", index=True)
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    reply_due: Mapped[datetime] = mapped_column(DateTime)
    fix_due: Mapped[datetime] = mapped_column(DateTime)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    notes: Mapped[list] = mapped_column(JSON, default=list)


def overdue_reason(case: Case, at: datetime) -> str | None:
    """Why an open case is late at ``at`` (naive UTC), or None: a case still 待回访 after its
    ``reply_due`` is 回访超期; one not 已办结 after its ``fix_due`` is 整改超期; a closed case is never late."""
    if case.status == "已办结":
        return None
    if case.status == "待回访" and at > case.reply_due:
        return "回访超期"
    if at > case.fix_due:
        return "整改超期"
    return None


class UnknownMessage(LookupError):
    pass


class NotYourMessage(PermissionError):
    pass


def answer_token(key: bytes, message_id: str, conversation_id: str) -> str:
    """The per-answer token given only to the asker (rating, and the WeChat answer page ``/a/{id}?t=``)."""
    mac = hmac.new(key, f"answer|{message_id}|{conversation_id}".encode(), hashlib.sha256).digest()
    return mac[:18].hex()


class FeedbackStore:
    """Ratings and cases.  The clock is injected (`clock()` returns naive UTC, like `conversations.now`) so
    tests can move time on: a case opened on Friday 09:00 in 宿迁 is due for its 回访 on Monday 09:00."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = now, utc_offset_hours: float = 8.0,
                 key: Callable[[], bytes] | None = None):
        ensure_schema(engine)
        self.key = key
        self._session = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock
        self.utc_offset_hours = utc_offset_hours

    # ---------------------------------------------------------------- ratings

    def token_for(self, message_id: str, conversation_id: str) -> str | None:
        return answer_token(self.key(), message_id, conversation_id) if self.key else None

    def check_token(self, message_id: str, conversation_id: str, token: str | None) -> None:
        """Raise `NotYourMessage` unless ``token`` is the answer's ``rating_token`` (with a key configured):
        only the person who asked may rate an answer or leave a callback number for it."""
        if self.key is not None and not hmac.compare_digest(
                (token or "").encode(), self.token_for(message_id, conversation_id).encode()):
            raise NotYourMessage(message_id)

    def check_asker(self, message_id: str, token: str | None) -> None:
        """`check_token` for an answer known only by its id (`UnknownMessage` when there is none)."""
        with self._session() as db:
            msg = db.get(Message, message_id)
            if msg is None or msg.role != "assistant":
                raise UnknownMessage(message_id)
            self.check_token(message_id, msg.conversation_id, token)

    def rate(self, message_id: str, rating: str, tags: list[str] | None = None,
             text: str | None = None, token: str | None = None) -> tuple[Feedback, Case | None, bool]:
        """Record (or replace) the rating of one answer.  Returns (feedback, case, created).
        With a key configured, ``token`` must be the answer's ``rating_token`` (else `NotYourMessage`)."""
        t = self.clock()
        with self._session() as db:
            msg = db.get(Message, message_id)
            if msg is None or msg.role != "assistant":
                raise UnknownMessage(message_id)
            self.check_token(message_id, msg.conversation_id, token)
            conv = db.get(Conversation, msg.conversation_id)
            fb = db.scalars(select(Feedback).where(Feedback.message_id == message_id)).first()
            created = fb is None
            if fb is None:
                fb = Feedback(id=secrets.token_hex(6), message_id=message_id, conversation_id=msg.conversation_id,
                              channel=conv.channel if conv else "web", created_at=t)
                db.add(fb)
            fb.rating, fb.score = rating, RATINGS[rating]
            fb.tags = list(tags or [])
            fb.text = mask_pii(text.strip()) if text and text.strip() else None
            fb.updated_at = t
            case = db.scalars(select(Case).where(Case.message_id == message_id)).first()
            if fb.score <= BAD and case is None:
                case = Case(id=secrets.token_hex(6), feedback_id=fb.id, message_id=message_id, status="待回访",
                            owner=None, created_at=t, updated_at=t, notes=[],
                            reply_due=add_working_days(t, REPLY_DAYS, self.utc_offset_hours),
                            fix_due=add_working_days(t, FIX_DAYS, self.utc_offset_hours))
                db.add(case)
            db.commit()
            return fb, case, created

    def for_messages(self, message_ids: list[str]) -> dict[str, Feedback]:
        if not message_ids:
            return {}
        with self._session() as db:
            return {f.message_id: f for f in db.scalars(select(Feedback).where(Feedback.message_id.in_(message_ids)))}

    def all(self, since: datetime | None = None, until: datetime | None = None) -> list[Feedback]:
        with self._session() as db:
            q = select(Feedback)
            if since is not None:
                q = q.where(Feedback.created_at >= since)
            if until is not None:
                q = q.where(Feedback.created_at < until)
            return list(db.scalars(q))

    # ---------------------------------------------------------------- cases

    def cases(self, status: str | None = None) -> list[Case]:
        with self._session() as db:
            q = select(Case).order_by(Case.created_at.desc())
            if status:
                q = q.where(Case.status == status)
            return list(db.scalars(q))

    def case(self, case_id: str) -> Case | None:
        with self._session() as db:
            return db.get(Case, case_id)

    def cases_for_messages(self, message_ids: list[str]) -> dict[str, Case]:
        if not message_ids:
            return {}
        with self._session() as db:
            return {c.message_id: c for c in db.scalars(select(Case).where(Case.message_id.in_(message_ids)))}

    def update_case(self, case_id: str, by: str, status: str | None = None, owner: str | None = None,
                    note: str | None = None) -> Case | None:
        t = self.clock()
        with self._session() as db:
            c = db.get(Case, case_id)
            if c is None:
                return None
            entry: dict = {"at": t.isoformat(timespec="seconds"), "by": by}
            if owner is not None and owner != c.owner:
                c.owner = owner or None
                entry["owner"] = c.owner
            if status is not None and status != c.status:
                if status not in STATUSES:
                    raise ValueError(status)
                c.closed_at = t if status == "已办结" else None
                c.status = status
                entry["status"] = status
            if note and note.strip():
                entry["text"] = mask_pii(note.strip())[:1000]
            if len(entry) > 2:
                c.notes = [*(c.notes or []), entry]
            c.updated_at = t
            db.commit()
            return c

    def record_outcome(self, case_id: str, by: str, outcome: str, note: str | None = None) -> Case | None:
        """Record exactly what happened on a case, with the note:

        * 回访成功 — the person was reached: replied_at is stamped, 待回访 moves to 整改中;
        * 无法联系 — the call failed: noted (and counted), the case stays 待回访 and is NOT stamped as replied,
          so it still turns 回访超期 when its reply date passes;
        * 已整改 — the fix is done: the case is closed (已办结).
        """
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        t = self.clock()
        with self._session() as db:
            c = db.get(Case, case_id)
            if c is None:
                return None
            entry: dict = {"at": t.isoformat(timespec="seconds"), "by": by, "outcome": outcome}
            if outcome == "回访成功" and c.replied_at is None:
                c.replied_at = t
            new = OUTCOMES[outcome]
            if new == "整改中" and c.status != "待回访":
                new = None  # a later successful call does not reopen a closed case
            if new and new != c.status:
                c.status = new
                c.closed_at = t if new == "已办结" else None
                entry["status"] = new
            if note and note.strip():
                entry["text"] = mask_pii(note.strip())[:1000]
            c.notes = [*(c.notes or []), entry]
            c.updated_at = t
            db.commit()
            return c

    def counts(self) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """(ratings by rating, cases by status), for the metrics scrape."""
        with self._session() as db:
            ratings = db.execute(select(Feedback.rating, func.count()).group_by(Feedback.rating)).all()
            cases = db.execute(select(Case.status, func.count()).group_by(Case.status)).all()
        return [tuple(r) for r in ratings], [tuple(r) for r in cases]

    def overdue(self, case: Case) -> str | None:
        return overdue_reason(case, self.clock())
