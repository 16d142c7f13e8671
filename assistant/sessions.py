"""Conversations and messages (SQLAlchemy; SQLite by default, any database URL
by configuration).  Session ids are random and unguessable; an unknown,
malformed or expired id starts a new conversation and never reveals another's
content.  Messages are stored with ID-card and phone numbers masked."""
from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from .normalize import mask_pii
from .pipeline import Context

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


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


class SessionStore:
    def __init__(self, url: str, idle_minutes: int = 30, clock=now):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"connect_args": {"check_same_thread": False, "timeout": 30}} if url.startswith("sqlite") else {}
        self.engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            from sqlalchemy import event

            @event.listens_for(self.engine, "connect")
            def _wal(dbapi_conn, _record):  # concurrent chats: readers never wait for the writer
                dbapi_conn.execute("PRAGMA journal_mode=WAL")
                dbapi_conn.execute("PRAGMA busy_timeout=30000")
                # WAL + NORMAL: a commit survives a killed process; no fsync per chat (only at checkpoints)
                dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        Base.metadata.create_all(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self.idle = timedelta(minutes=idle_minutes)
        self.clock = clock

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(24)

    def open(self, session_id: str | None, channel: str | None) -> tuple[str, Context]:
        """The conversation for `session_id` when it exists and is live; otherwise a new one."""
        with self._session() as db:
            conv = db.get(Conversation, session_id) if session_id and SESSION_ID.match(session_id) else None
            if conv is not None and self.clock() - conv.updated_at <= self.idle:
                return conv.id, Context(**conv.context) if conv.context else Context()
            conv = Conversation(id=self.new_id(), channel=(channel or "web")[:32], created_at=self.clock(),
                                updated_at=self.clock(), context={})
            db.add(conv)
            db.commit()
            return conv.id, Context()

    def record(self, session_id: str, user_text: str, kind: str, answer: str, items: list[str],
               trace: dict, context: Context) -> str:
        """Store the user's message and the answer; returns the answer's message id."""
        with self._session() as db:
            conv = db.get(Conversation, session_id)
            seq = len(db.scalars(select(Message.id).where(Message.conversation_id == session_id)).all())
            t = self.clock()
            db.add(Message(id=secrets.token_hex(12), conversation_id=session_id, seq=seq, role="user",
                           text=mask_pii(user_text), created_at=t))
            mid = secrets.token_hex(12)
            db.add(Message(id=mid, conversation_id=session_id, seq=seq + 1, role="assistant", text=answer,
                           kind=kind, items=items, trace=json.loads(json.dumps(trace, ensure_ascii=False, default=str)),
                           created_at=t))
            conv.context = context.__dict__.copy()
            conv.updated_at = t
            db.commit()
            return mid

    def messages(self, session_id: str) -> list[Message]:
        with self._session() as db:
            return list(db.scalars(select(Message).where(Message.conversation_id == session_id).order_by(Message.seq)))
