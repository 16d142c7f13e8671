"""Reading the conversation log back: the queries behind the staff console's 会话记录, 缺口, 看板, 工单,
批量核对 and the preview of a correction.

A *turn* is one answer with the question it answers: the assistant message at ``seq`` n and the
user message at n - 1 of the same conversation, e.g.
``{"id": "9f…", "question": "结婚登记要带什么", "answer": "请携带…", "kind": "guide", "items": ["结婚登记"],
"channel": "web", "created_at": datetime(2026, 3, 2, 1, 30), …}``.  Times are naive UTC (`assistant.clock`);
turning a local day into a UTC range is the caller's business (`service.reports.LocalTime`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from assistant.core.dialogue.decision import rule_of
from assistant.store.conversations import Conversation, Message

SCAN_LIMIT = 20_000  # messages scanned by one log / dashboard / gaps query
EXPORT_LIMIT = 50_000  # messages in one conversations workbook (staff console, 导出)
BATCH = 500  # ids per IN (...) clause


class TurnLog:
    """Read-only queries over ``conversations`` and ``messages``."""

    def __init__(self, engine: Engine):
        self._session = sessionmaker(engine, expire_on_commit=False)

    def turns(self, since: datetime, until: datetime, channel: str | None = None, kind: str | None = None,
              conversation_id: str | None = None, with_trace: bool = False, limit: int = SCAN_LIMIT) -> list[dict]:
        """The turns answered in [since, until), newest first, from at most ``limit`` messages (questions and
        answers together); ``kind`` filters the answers after the scan, as the console always did."""
        cols = [Message.id, Message.conversation_id, Message.seq, Message.role, Message.text, Message.kind,
                Message.items, Message.created_at, Conversation.channel]
        if with_trace:
            cols.append(Message.trace)
        q = (select(*cols).join(Conversation, Conversation.id == Message.conversation_id)
             .where(Message.created_at >= since, Message.created_at < until))
        if conversation_id:
            q = q.where(Message.conversation_id == conversation_id)
        if channel:
            q = q.where(Conversation.channel == channel)
        q = q.order_by(Message.created_at.desc(), Message.seq.desc()).limit(limit)
        with self._session() as db:
            rows = db.execute(q).all()
        users = {(r.conversation_id, r.seq): r.text for r in rows if r.role == "user"}
        return [{"id": r.id, "conversation_id": r.conversation_id, "seq": r.seq, "answer": r.text, "kind": r.kind,
                 "items": list(r.items or []), "created_at": r.created_at, "channel": r.channel,
                 "question": users.get((r.conversation_id, r.seq - 1), ""), "trace": r.trace if with_trace else None}
                for r in rows if r.role == "assistant" and not (kind and r.kind != kind)]

    def rules(self, message_ids: list[str]) -> dict[str, str]:
        """``{message id: the rule that decided it}`` (`decision.rule_of`), reading only ``trace["rule"]`` and
        ``trace["decision"]`` in the database, e.g. ``{"9f…": "no-evidence", "a1…": "curated-answer"}``."""
        out: dict[str, str] = {}
        rule, decision = Message.trace["rule"].as_string(), Message.trace["decision"].as_string()
        with self._session() as db:
            for i in range(0, len(message_ids), BATCH):
                for mid, r, d in db.execute(select(Message.id, rule, decision)
                                            .where(Message.id.in_(message_ids[i:i + BATCH]))):
                    out[mid] = rule_of({"rule": r, "decision": d})
        return out

    def conversation(self, conversation_id: str) -> tuple[Conversation, list[Message]] | None:
        """A conversation and all its messages in turn order, or None."""
        with self._session() as db:
            conv = db.get(Conversation, conversation_id)
            if conv is None:
                return None
            msgs = list(db.scalars(select(Message).where(Message.conversation_id == conversation_id)
                                   .order_by(Message.seq)))
        return conv, msgs

    def answer(self, message_id: str) -> Message | None:
        """The assistant message with this id (None for an unknown id or a user's message)."""
        with self._session() as db:
            m = db.get(Message, message_id)
        return m if m is not None and m.role == "assistant" else None

    def question_of(self, answer: Message) -> Message | None:
        """The person's message an answer replies to (the one before it in its conversation), or None."""
        with self._session() as db:
            return db.scalars(select(Message).where(Message.conversation_id == answer.conversation_id,
                                                    Message.seq == answer.seq - 1)).first()

    def messages_between(self, since: datetime, until: datetime, channel: str | None = None,
                         limit: int = EXPORT_LIMIT) -> list[tuple[Message, str]]:
        """Every message (questions and answers) stored in [since, until) with its conversation's channel,
        oldest first, e.g. ``[(<Message 结婚登记要带什么>, "web"), (<Message 请携带…>, "web"), …]``."""
        q = (select(Message, Conversation.channel).join(Conversation, Conversation.id == Message.conversation_id)
             .where(Message.created_at >= since, Message.created_at < until).order_by(Message.created_at, Message.seq)
             .limit(limit))
        if channel:
            q = q.where(Conversation.channel == channel)
        with self._session() as db:
            return [(m, ch) for m, ch in db.execute(q).all()]

    def answers_with_questions(self, message_ids: list[str]) -> dict[str, dict]:
        """``{answer id: {"question", "answer", "kind", "items"}}`` for the answers a list of cases points at."""
        if not message_ids:
            return {}
        with self._session() as db:
            msgs = {m.id: m for m in db.scalars(select(Message).where(Message.id.in_(message_ids)))}
            conv_ids = list({m.conversation_id for m in msgs.values()})
            users = {(u.conversation_id, u.seq): u.text for u in db.scalars(
                select(Message).where(Message.conversation_id.in_(conv_ids), Message.role == "user"))}
        return {mid: {"question": users.get((m.conversation_id, m.seq - 1), ""), "answer": m.text, "kind": m.kind,
                      "items": m.items or []} for mid, m in msgs.items()}

    def existing_answers(self, message_ids: list[str]) -> set[str]:
        """Which of these ids are stored assistant messages."""
        with self._session() as db:
            return set(db.scalars(select(Message.id).where(Message.id.in_(message_ids), Message.role == "assistant")))

    def questions_since(self, since: datetime, limit: int) -> list[str]:
        """The texts of the people's messages since ``since``, newest first, at most ``limit``."""
        with self._session() as db:
            return list(db.scalars(select(Message.text).where(Message.role == "user", Message.created_at >= since)
                                   .order_by(Message.created_at.desc()).limit(limit)))
