"""Hand-off tables: the conversations waiting for the 导办台 (``handoff_threads``), staff replies into
them (``staff_replies``) and the consented, encrypted 回访 numbers (``callback_contacts``).

Two ORM hooks keep them right whatever code path writes: a stored answer of kind ``handoff`` (转人工)
opens or re-opens its conversation's thread, and a case that reaches 已办结 loses its phone number.
They are registered when this module is imported, which `db.load_models` (every store's
`ensure_schema`) does.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, delete, event, inspect, select
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.conversations import Message, now
from assistant.store.db import Base
from assistant.store.feedback import Case

OPEN, ANSWERED, CLOSED = "待处理", "已回复", "已关闭"


class HandoffThread(Base):
    """A conversation in which the person asked for a person."""

    __tablename__ = "handoff_threads"
    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40))  # the latest 转人工 answer
    status: Mapped[str] = mapped_column(String(8), index=True, default=OPEN)
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class StaffReply(Base):
    __tablename__ = "staff_replies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    staff: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CallbackContact(Base):
    """The consented 回访 number of one case, encrypted; the row goes when the case closes."""

    __tablename__ = "callback_contacts"
    case_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    phone_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# ---------------------------------------------------------------- ORM hooks (every engine, every path)

def _has(connection, table: str) -> bool:
    return inspect(connection).has_table(table)


@event.listens_for(Message, "after_insert")
def _flag_handoff(mapper, connection, target: Message) -> None:
    """A stored 转人工 answer flags its conversation for the desk (re-opening a closed thread)."""
    if target.kind != "handoff" or not _has(connection, HandoffThread.__tablename__):
        return
    t = target.created_at or now()
    table = HandoffThread.__table__
    row = connection.execute(select(table.c.conversation_id).where(
        table.c.conversation_id == target.conversation_id)).first()
    if row is None:
        connection.execute(table.insert().values(conversation_id=target.conversation_id, message_id=target.id,
                                                 status=OPEN, owner=None, requested_at=t, updated_at=t))
    else:
        connection.execute(table.update().where(table.c.conversation_id == target.conversation_id)
                           .values(message_id=target.id, status=OPEN, requested_at=t, updated_at=t))


@event.listens_for(Case, "after_update")
def _forget_on_close(mapper, connection, target: Case) -> None:
    """A closed case keeps no phone number."""
    if target.status == "已办结" and _has(connection, CallbackContact.__tablename__):
        connection.execute(delete(CallbackContact.__table__).where(CallbackContact.__table__.c.case_id == target.id))
