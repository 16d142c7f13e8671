"""好差评 tables: one rating per answer (``feedback``) and the follow-up case a bad rating opens
(``feedback_cases``), with the scale, statuses and tags every layer shares.

The tags are defined here once: the rating form gets them from ``GET /staff/api/me`` (``"tags"``) and
``POST /v1/feedback`` accepts only these.  A rating's ``score`` is its place on the national scale
(非常满意 = 5 … 非常不满意 = 1); a score at or below `BAD` (不满意) opens a case.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.db import Base

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
