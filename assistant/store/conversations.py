"""Conversations and messages (SQLAlchemy; SQLite by default, any database URL
by configuration).  Session ids are random and unguessable; an unknown,
malformed or expired id starts a new conversation and never reveals another's
content.  Messages are stored with personal numbers masked (`normalize.mask_pii`).

Turn order holds under parallel use of one conversation: `(conversation_id, seq)` is unique, the
conversation row is locked while the next number is taken (PostgreSQL ``SELECT … FOR UPDATE``), and a
writer that still loses the race (SQLite's snapshot, an old database) retries with fresh numbers."""
from __future__ import annotations

import json
import logging
import re
import secrets
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import (JSON, DateTime, ForeignKey, Index, Integer, String, Text, bindparam, create_engine, func, select,
                        text)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.clock import utcnow
from assistant.store.db import Base, ensure_schema
from assistant.core.text.normalize import MaskedTrace, mask_deep, mask_pii
from assistant.core.dialogue.state import Context

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
RECORD_ATTEMPTS = 20
log = logging.getLogger("assistant.sessions")


now = utcnow  # the stores' clock (naive UTC); kept under this name for callers of `conversations.now`


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), default="web")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    context: Mapped[dict] = mapped_column(JSON, default=dict)


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    items: Mapped[list] = mapped_column(JSON, default=list)
    trace: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)

    __table_args__ = (Index("uq_messages_conversation_seq", "conversation_id", "seq", unique=True),)


TURN_ORDER = next(i for i in Message.__table__.indexes if i.name == "uq_messages_conversation_seq")
# the statements of one chat turn, built once (building a statement costs more than running it), on the tables
# themselves: no ORM unit of work, the same rows for about half the CPU of `open` and `record` (perf-final.json)
LAST_TURN = select(func.max(Message.seq)).where(Message.conversation_id == bindparam("sid"))
_CONV, _MSG = Conversation.__table__, Message.__table__
GET_CONVERSATION = select(_CONV.c.id, _CONV.c.updated_at, _CONV.c.context).where(_CONV.c.id == bindparam("sid"))
NEW_CONVERSATION = _CONV.insert()
LOCK_ROW = select(_CONV.c.id).where(_CONV.c.id == bindparam("sid")).with_for_update()
TOUCH_CONVERSATION = _CONV.update().where(_CONV.c.id == bindparam("sid")).values(
    context=bindparam("ctx", type_=_CONV.c.context.type), updated_at=bindparam("t", type_=_CONV.c.updated_at.type))
ADD_MESSAGE = _MSG.insert()
# what must follow a stored answer in the same transaction, e.g. a 转人工 answer flags its conversation for the
# desk (`store.handoff` adds that one); each is called as hook(connection, answer) with the answer's id,
# conversation_id, kind and created_at
AFTER_ANSWER: list = []


def make_engine(url: str):
    """The engine for a database URL: SQLite gets its folder, a 30 s lock wait and WAL (concurrent chats:
    readers never wait for the writer); any other URL is used as given (pool pre-ping: a replica keeps
    working after PostgreSQL restarts)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _wal(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA busy_timeout=30000")
        # WAL + NORMAL: a commit survives a killed process; no fsync per chat (only at checkpoints)
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
    return engine


def stored_trace(trace: dict) -> dict:
    """A trace as stored: JSON values only (anything else as its text) and every string masked.  A
    `MaskedTrace` (`normalize.mask_trace`) whose strings mask to themselves is not masked again: only the
    texts of its non-JSON values are (the same row as masking everything again)."""
    if isinstance(trace, MaskedTrace) and trace.idempotent:
        return json.loads(json.dumps(trace, ensure_ascii=False, default=lambda v: mask_pii(str(v))))
    return mask_deep(json.loads(json.dumps(trace, ensure_ascii=False, default=str)))


class SessionStore:
    def __init__(self, url: str, idle_minutes: int = 30, clock=now):
        self.engine = make_engine(url)
        ensure_schema(self.engine)  # creates an empty database; an older one needs `assistant db upgrade`
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self.idle = timedelta(minutes=idle_minutes)
        self.clock = clock

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(24)

    def open(self, session_id: str | None, channel: str | None) -> tuple[str, Context]:
        """The conversation for `session_id` when it exists and is live; otherwise a new one."""
        with self.engine.begin() as db:
            conv = db.execute(GET_CONVERSATION, {"sid": session_id}).first() \
                if session_id and SESSION_ID.match(session_id) else None
            if conv is not None and self.clock() - conv.updated_at <= self.idle:
                return conv.id, Context(**conv.context) if conv.context else Context()
            cid = self.new_id()
            db.execute(NEW_CONVERSATION, {"id": cid, "channel": (channel or "web")[:32], "created_at": self.clock(),
                                          "updated_at": self.clock(), "context": {}})
            return cid, Context()

    def record(self, session_id: str, user_text: str, kind: str, answer: str, items: list[str],
               trace: dict, context: Context) -> str:
        """Store the user's message and the answer under the next two turn numbers; returns the answer's
        message id.  30 parallel requests on one session get 60 distinct, gap-free numbers."""
        mid = secrets.token_hex(12)
        trace = stored_trace(trace)
        for attempt in range(RECORD_ATTEMPTS):
            try:
                with self.engine.begin() as db:
                    db.execute(LOCK_ROW, {"sid": session_id}).one()
                    last = db.execute(LAST_TURN, {"sid": session_id}).scalar()
                    seq = 0 if last is None else last + 1
                    t = self.clock()
                    db.execute(TOUCH_CONVERSATION, {"sid": session_id, "ctx": context.__dict__.copy(), "t": t})
                    db.execute(ADD_MESSAGE, {"id": secrets.token_hex(12), "conversation_id": session_id, "seq": seq,
                                             "role": "user", "text": mask_pii(user_text), "created_at": t})
                    db.execute(ADD_MESSAGE, {"id": mid, "conversation_id": session_id, "seq": seq + 1, "role": "assistant",
                                             "text": answer, "kind": kind, "items": items, "trace": trace, "created_at": t})
                    stored = SimpleNamespace(id=mid, conversation_id=session_id, kind=kind, created_at=t)
                    for hook in AFTER_ANSWER:
                        hook(db, stored)
                    return mid
            except (IntegrityError, OperationalError):
                if attempt == RECORD_ATTEMPTS - 1:
                    raise
                time.sleep(0.005 * (attempt + 1) + secrets.randbelow(10) / 1000)
        raise RuntimeError("unreachable")

    def ping(self) -> None:
        """Raises when the database cannot be reached (the readiness check)."""
        with self.engine.connect() as c:
            c.execute(text("SELECT 1"))

    def messages(self, session_id: str) -> list[Message]:
        with self._session() as db:
            return list(db.scalars(select(Message).where(Message.conversation_id == session_id).order_by(Message.seq)))
