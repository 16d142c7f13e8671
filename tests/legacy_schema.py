"""The database of the first release, frozen: the tables exactly as ``create_all`` made them on ``main`` at
commit 02686c5 (assistant/sessions.py, feedback.py, staff.py, curated.py; before migrations existed),
and a realistic row in every table — including what that release allowed and the next one forbids:
two parallel turns of one conversation numbered alike.

Kept as a copy (not read from git) so the upgrade test keeps testing *that* schema after main moves on.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text,
                        insert)

meta = MetaData()

conversations = Table("conversations", meta,
                      Column("id", String(64), primary_key=True),
                      Column("channel", String(32), nullable=False),
                      Column("created_at", DateTime, nullable=False),
                      Column("updated_at", DateTime, nullable=False, index=True),
                      Column("context", JSON, nullable=False))
messages = Table("messages", meta,
                 Column("id", String(40), primary_key=True),
                 Column("conversation_id", ForeignKey("conversations.id"), nullable=False, index=True),
                 Column("seq", Integer, nullable=False),
                 Column("role", String(16), nullable=False),
                 Column("text", Text, nullable=False),
                 Column("kind", String(16)),
                 Column("items", JSON, nullable=False),
                 Column("trace", JSON),
                 Column("created_at", DateTime, nullable=False, index=True))
feedback = Table("feedback", meta,
                 Column("id", String(24), primary_key=True),
                 Column("message_id", String(40), nullable=False, unique=True, index=True),
                 Column("conversation_id", String(64), nullable=False, index=True),
                 Column("channel", String(32), nullable=False),
                 Column("rating", String(8), nullable=False),
                 Column("score", Integer, nullable=False),
                 Column("tags", JSON, nullable=False),
                 Column("text", Text),
                 Column("created_at", DateTime, nullable=False, index=True),
                 Column("updated_at", DateTime, nullable=False))
feedback_cases = Table("feedback_cases", meta,
                       Column("id", String(24), primary_key=True),
                       Column("feedback_id", String(24), nullable=False, index=True),
                       Column("message_id", String(40), nullable=False, index=True),
                       Column("status", String(8), nullable=False, index=True),
                       Column("owner", String(64)),
                       Column("created_at", DateTime, nullable=False, index=True),
                       Column("reply_due", DateTime, nullable=False),
                       Column("fix_due", DateTime, nullable=False),
                       Column("replied_at", DateTime),
                       Column("closed_at", DateTime),
                       Column("updated_at", DateTime, nullable=False),
                       Column("notes", JSON, nullable=False))
staff_users = Table("staff_users", meta,
                    Column("username", String(32), primary_key=True),
                    Column("password_hash", String(200), nullable=False),
                    Column("role", String(8), nullable=False),
                    Column("active", Boolean, nullable=False),
                    Column("created_at", DateTime, nullable=False),
                    Column("last_login", DateTime))
staff_meta = Table("staff_meta", meta,
                   Column("key", String(32), primary_key=True),
                   Column("value", Text, nullable=False))
curated_answers = Table("curated_answers", meta,
                        Column("id", String(24), primary_key=True),
                        Column("question", Text, nullable=False),
                        Column("normalized", Text, nullable=False, index=True),
                        Column("item_id", String(128), nullable=False),
                        Column("answer", Text, nullable=False),
                        Column("chunk_ids", JSON, nullable=False),
                        Column("message_id", String(40), index=True),
                        Column("created_by", String(64), nullable=False),
                        Column("created_at", DateTime, nullable=False),
                        Column("updated_at", DateTime, nullable=False, index=True),
                        Column("active", Boolean, nullable=False))
answer_reviews = Table("answer_reviews", meta,
                       Column("id", String(24), primary_key=True),
                       Column("message_id", String(40), nullable=False, index=True),
                       Column("verdict", String(16), nullable=False),
                       Column("reason", Text, nullable=False),
                       Column("staff", String(64), nullable=False),
                       Column("curated_id", String(24)),
                       Column("created_at", DateTime, nullable=False, index=True))

T0 = datetime(2026, 11, 30, 9, 0, 0)
T1 = datetime(2026, 11, 30, 9, 0, 1, 250000)
T2 = datetime(2026, 11, 30, 9, 5, 0)
SID = "legacyConversation0000000001"       # a normal conversation: two turns
RACED = "legacyConversation0000000002"     # two parallel first turns, both numbered 0 and 1

ROWS: dict[str, list[dict]] = {
    "conversations": [
        {"id": SID, "channel": "web", "created_at": T0, "updated_at": T2,
         "context": {"focus": ["hukou-move"], "pending": [], "clarified_once": False, "turns": 2, "facts": ["外地户籍"]}},
        {"id": RACED, "channel": "wechat", "created_at": T0, "updated_at": T1, "context": {}},
    ],
    "messages": [
        {"id": "m-u0", "conversation_id": SID, "seq": 0, "role": "user", "text": "户口迁移要带什么", "kind": None,
         "items": [], "trace": None, "created_at": T0},
        {"id": "m-a1", "conversation_id": SID, "seq": 1, "role": "assistant", "text": "请携带居民户口簿[1]。",
         "kind": "guide", "items": ["户口迁移"], "trace": {"decision": "guide", "citations": ["g:1"]}, "created_at": T0},
        {"id": "m-u2", "conversation_id": SID, "seq": 2, "role": "user", "text": "在哪个窗口", "kind": None,
         "items": [], "trace": None, "created_at": T2},
        {"id": "m-a3", "conversation_id": SID, "seq": 3, "role": "assistant", "text": "A区 3号窗口[1]。",
         "kind": "guide", "items": ["户口迁移"], "trace": {"decision": "followup"}, "created_at": T2},
        {"id": "r-u0", "conversation_id": RACED, "seq": 0, "role": "user", "text": "结婚登记", "kind": None,
         "items": [], "trace": None, "created_at": T0},
        {"id": "r-a1", "conversation_id": RACED, "seq": 1, "role": "assistant", "text": "结婚登记需要……",
         "kind": "guide", "items": ["结婚登记"], "trace": {}, "created_at": T0},
        {"id": "r-u0b", "conversation_id": RACED, "seq": 0, "role": "user", "text": "离婚登记", "kind": None,
         "items": [], "trace": None, "created_at": T1},
        {"id": "r-a1b", "conversation_id": RACED, "seq": 1, "role": "assistant", "text": "离婚登记需要……",
         "kind": "guide", "items": ["离婚登记"], "trace": {}, "created_at": T1},
    ],
    "feedback": [
        {"id": "fb1", "message_id": "m-a1", "conversation_id": SID, "channel": "web", "rating": "不满意", "score": 2,
         "tags": ["信息不全"], "text": "没说要不要照片", "created_at": T2, "updated_at": T2},
    ],
    "feedback_cases": [
        {"id": "case1", "feedback_id": "fb1", "message_id": "m-a1", "status": "整改中", "owner": "wang",
         "created_at": T2, "reply_due": datetime(2026, 12, 1, 9, 5), "fix_due": datetime(2026, 12, 21, 9, 5),
         "replied_at": datetime(2026, 11, 30, 10, 0), "closed_at": None, "updated_at": datetime(2026, 11, 30, 10, 0),
         "notes": [{"at": "2026-11-30T10:00:00", "by": "wang", "text": "已电话回访"}]},
    ],
    "staff_users": [
        {"username": "wang", "password_hash": "scrypt$16384$8$1$c2FsdA$ZGVyaXZlZA", "role": "admin", "active": True,
         "created_at": T0, "last_login": T2},
        {"username": "li", "password_hash": "scrypt$16384$8$1$c2FsdDI$ZGVyaXZlZDI", "role": "guide", "active": False,
         "created_at": T0, "last_login": None},
    ],
    "staff_meta": [{"key": "cookie_secret", "value": "ab" * 32}],
    "curated_answers": [
        {"id": "cur1", "question": "户口迁移要带什么", "normalized": "户口迁移要带什么", "item_id": "hukou-move",
         "answer": "【人工审核】请携带居民户口簿和身份证。", "chunk_ids": ["g:1", "g:2"], "message_id": "m-a1",
         "created_by": "wang", "created_at": T2, "updated_at": T2, "active": True},
    ],
    "answer_reviews": [
        {"id": "rev1", "message_id": "m-a1", "verdict": "wrong", "reason": "缺少身份证", "staff": "wang",
         "curated_id": "cur1", "created_at": T2},
    ],
}


def create_and_fill(engine) -> None:
    meta.create_all(engine)
    with engine.begin() as db:
        for table in meta.sorted_tables:
            db.execute(insert(table), ROWS[table.name])
