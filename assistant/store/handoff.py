"""Hand-off tables: the conversations waiting for the 导办台 (``handoff_threads``), staff replies into
them (``staff_replies``) and the consented, encrypted 回访 numbers (``callback_contacts``), and
`HandoffStore`, which reads and writes them for the routes of `web.staff.handoff`.

Two hooks keep them right: a stored answer of kind ``handoff`` (转人工) opens or re-opens its
conversation's thread (`conversations.AFTER_ANSWER`, run by `SessionStore.record`, the one writer of messages,
in its transaction), and a case that reaches 已办结 loses its phone number (an ORM hook).
They are registered when this module is imported, which `db.load_models` (every store's
`ensure_schema`) does.
"""
from __future__ import annotations

from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import DateTime, Integer, String, Text, delete, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.core.text.normalize import mask_pii
from assistant.store.conversations import AFTER_ANSWER, Conversation, Message, now
from assistant.store.db import Base, ensure_schema
from assistant.store.feedback import Case

OPEN, ANSWERED, CLOSED = "待处理", "已回复", "已关闭"
REPLY_LIMIT = 1000  # characters of one staff reply


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


def _flag_handoff(connection, target) -> None:
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


AFTER_ANSWER.append(_flag_handoff)


@event.listens_for(Case, "after_update")
def _forget_on_close(mapper, connection, target: Case) -> None:
    """A closed case keeps no phone number."""
    if target.status == "已办结" and _has(connection, CallbackContact.__tablename__):
        connection.execute(delete(CallbackContact.__table__).where(CallbackContact.__table__.c.case_id == target.id))


# ---------------------------------------------------------------- the store

class HandoffStore:
    """The 导办台's threads and replies, and the 回访 numbers (encrypted with the ``ASSISTANT_CALLBACK_KEY``
    Fernet key; without a key no number can be left, ``callbacks_enabled`` is False)."""

    def __init__(self, engine: Engine, clock, key: str | None, public_numbers: list[str] | tuple = ()):
        ensure_schema(engine)
        self.public_numbers = list(public_numbers)  # the centre's own phones: not masked in staff replies
        self._session = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock
        try:
            self._fernet = Fernet(key.encode()) if key else None
        except ValueError:
            raise ValueError("ASSISTANT_CALLBACK_KEY 不是有效的 Fernet 密钥，请用 python -c \"from cryptography.fernet "
                             "import Fernet; print(Fernet.generate_key().decode())\" 生成") from None

    @property
    def callbacks_enabled(self) -> bool:
        return self._fernet is not None

    # -- hand-offs
    def threads(self, status: str | None = None) -> list[HandoffThread]:
        with self._session() as db:
            q = select(HandoffThread).order_by(HandoffThread.requested_at.desc())
            return list(db.scalars(q.where(HandoffThread.status == status) if status else q))

    def thread(self, conversation_id: str) -> HandoffThread | None:
        with self._session() as db:
            return db.get(HandoffThread, conversation_id)

    def reply(self, conversation_id: str, staff: str, text: str) -> StaffReply:
        t = self.clock()
        with self._session() as db:
            th = db.get(HandoffThread, conversation_id)
            r = StaffReply(conversation_id=conversation_id, staff=staff, text=mask_pii(text.strip(), keep=self.public_numbers)[:REPLY_LIMIT],
                           created_at=t)
            db.add(r)
            th.status, th.owner, th.updated_at = ANSWERED, staff, t
            db.commit()
            return r

    def close(self, conversation_id: str, staff: str) -> HandoffThread | None:
        with self._session() as db:
            th = db.get(HandoffThread, conversation_id)
            if th is not None:
                th.status, th.owner, th.updated_at = CLOSED, th.owner or staff, self.clock()
                db.commit()
            return th

    def replies(self, conversation_id: str, after: int = 0) -> list[StaffReply]:
        with self._session() as db:
            return list(db.scalars(select(StaffReply).where(StaffReply.conversation_id == conversation_id,
                                                            StaffReply.id > after).order_by(StaffReply.id)))

    def channel(self, conversation_id: str) -> str | None:
        """The conversation's channel (``web``, ``wechat``…), None for an unknown conversation."""
        with self._session() as db:
            conv = db.get(Conversation, conversation_id)
        return conv.channel if conv else None

    def messages(self, conversation_id: str) -> list[Message]:
        with self._session() as db:
            return list(db.scalars(select(Message).where(Message.conversation_id == conversation_id)
                                   .order_by(Message.seq)))

    # -- 回访 numbers
    def case_for_message(self, message_id: str) -> Case | None:
        with self._session() as db:
            return db.scalars(select(Case).where(Case.message_id == message_id)).first()

    def keep_phone(self, case_id: str, phone: str) -> None:
        token = self._fernet.encrypt(phone.encode()).decode()
        with self._session() as db:
            row = db.get(CallbackContact, case_id)
            if row is None:
                db.add(CallbackContact(case_id=case_id, phone_enc=token, created_at=self.clock()))
            else:
                row.phone_enc, row.created_at = token, self.clock()
            db.commit()

    def phone(self, case_id: str) -> str | None:
        with self._session() as db:
            row = db.get(CallbackContact, case_id)
        if row is None or self._fernet is None:
            return None
        try:
            return self._fernet.decrypt(row.phone_enc.encode()).decode()
        except InvalidToken:  # the key was changed: the number cannot be read any more
            return None

    def has_phone(self, case_ids: list[str]) -> set[str]:
        if not case_ids:
            return set()
        with self._session() as db:
            return set(db.scalars(select(CallbackContact.case_id).where(CallbackContact.case_id.in_(case_ids))))
