"""好差评: ratings of answers, and the follow-up cases that bad ratings open.

Like the national 政务服务“好差评” system, every answer can be rated 非常满意 / 满意 / 基本满意 /
不满意 / 非常不满意 with optional tags and text.  A rating of 不满意 or worse opens a case: reply
(回访) within 1 working day, fix (整改) within 15 working days, status 待回访 → 整改中 → 已办结, owned by
a staff member.  Working days skip Saturdays and Sundays in the centre's time zone.

Only the asker can rate: every answer comes with a ``rating_token`` (HMAC of the message id and its
conversation id under the server's key), and ``POST /v1/feedback`` needs it.  A ``message_id`` alone
(visible as ``chatcmpl-<id>`` on the OpenAI endpoint) is not enough.  One rating per message: a second
rating with the token replaces the first; a case is opened at most once.

The clock is injected (`clock()` returns naive UTC, like `sessions.now`) so tests can move time on.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from typing import Annotated, Callable

import chinese_calendar
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from assistant.store.db import ensure_schema
from assistant.core.text.normalize import mask_pii
from assistant.web.errors import error_response
from assistant.web.schemas import ErrorResponse
from assistant.store.conversations import Conversation, Message, now
from assistant.store.feedback import (  # noqa: F401 - the tables and the scale live in the store
    BAD, FIX_DAYS, OUTCOMES, PAGE_TAGS, RATINGS, REPLY_DAYS, STATUSES, TAGS, Case, Feedback, Rating,
    overdue_reason)

# field names for the app's Chinese 422 messages
FIELD_NAMES = {"message_id": "回答编号 message_id", "rating_token": "评价凭证 rating_token", "rating": "评价等级 rating", "tags": "标签 tags",
               "text": "评价内容 text"}


class FeedbackRequest(BaseModel):
    message_id: str = Field(min_length=1, max_length=40, description="/v1/chat 返回的 message_id")
    rating_token: str = Field(min_length=1, max_length=64, description="/v1/chat 随回答返回的 rating_token（只有提问者持有）")
    rating: Rating = Field(description="非常满意 | 满意 | 基本满意 | 不满意 | 非常不满意")
    tags: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(default_factory=list, max_length=10, description="可选标签，如 答非所问、信息有误")
    text: str | None = Field(None, max_length=500, description="可选的文字评价")

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        out = []
        for t in v:
            t = t.strip()
            if not t or len(t) > 20:
                raise ValueError("每个标签 1–20 个字符")
            out.append(t)
        return list(dict.fromkeys(out))


class FeedbackResponse(BaseModel):
    id: str
    message_id: str
    rating: Rating
    tags: list[str]
    text: str | None
    follow_up: bool = Field(description="是否已转工作人员回访（不满意及以下）")
    message: str


class FeedbackTags(BaseModel):
    tags: list[str] = Field(description="不满意时可选的标签，如 答非所问、信息有误")


class UnknownMessage(LookupError):
    pass


class NotYourMessage(PermissionError):
    pass


def answer_token(key: bytes, message_id: str, conversation_id: str) -> str:
    """The per-answer token given only to the asker (rating, and the WeChat answer page ``/a/{id}?t=``)."""
    mac = hmac.new(key, f"answer|{message_id}|{conversation_id}".encode(), hashlib.sha256).digest()
    return mac[:18].hex()


def is_working_day(day: date) -> bool:
    """The State Council's calendar (public holidays off, adjusted weekend working days on) as shipped
    by `chinesecalendar`; for years it does not cover yet, Monday to Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: datetime, days: int, utc_offset_hours: float = 8.0) -> datetime:
    """`start` (naive UTC) plus `days` working days (in local time, see `is_working_day`), same time of day.
    A rating given on a day off (weekend or public holiday) counts from the start of the next working
    day, so its case has the whole of that day (and the following days) to be answered."""
    off = timedelta(hours=utc_offset_hours)
    t = start + off
    if not is_working_day(t.date()):
        t = datetime(t.year, t.month, t.day)
        while not is_working_day(t.date()):
            t += timedelta(days=1)
    left = days
    while left > 0:
        t += timedelta(days=1)
        if is_working_day(t.date()):
            left -= 1
    return t - off


class FeedbackStore:
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

    def overdue(self, case: Case) -> str | None:
        return overdue_reason(case, self.clock())


def feedback_router(store: FeedbackStore, guard: Callable | None = None) -> APIRouter:
    """`POST /v1/feedback`: rate one answer (``guard``, a FastAPI dependency, applies the rate limits);
    `GET /v1/feedback/tags`: the tags the chat page offers after 不满意."""
    router = APIRouter()

    @router.post("/v1/feedback", status_code=201, response_model=FeedbackResponse,
                 dependencies=[Depends(guard)] if guard else [],
                 responses={200: {"model": FeedbackResponse, "description": "已评价过，评价已更新"},
                            403: {"model": ErrorResponse, "description": "评价凭证不对：只有提问者可以评价"},
                            404: {"model": ErrorResponse, "description": "没有这条回答"},
                            413: {"model": ErrorResponse, "description": "请求体过大"},
                            422: {"model": ErrorResponse, "description": "请求格式不正确（含控制字符）"},
                            429: {"model": ErrorResponse, "description": "请求过于频繁（见 Retry-After）"}},
                 summary="好差评：评价一条回答（不满意及以下会转工作人员回访）")
    def rate(req: FeedbackRequest):
        try:
            fb, case, created = store.rate(req.message_id, req.rating, req.tags, req.text, req.rating_token)
        except NotYourMessage:
            return error_response(403, "forbidden", "评价凭证不正确：只有提问的人可以评价这条回答")
        except UnknownMessage:
            return error_response(404, "not_found", "没有找到这条回答，无法评价（message_id 不存在）")
        # no call is promised here: a 回访 needs a number the person chose to leave (staff_handoff.py)
        msg = ("感谢您的评价，这条回答已转工作人员复核，15个工作日内整改到位。" if case is not None
               else "感谢您的评价！")
        body = FeedbackResponse(id=fb.id, message_id=fb.message_id, rating=fb.rating, tags=fb.tags, text=fb.text,
                                follow_up=case is not None, message=msg)
        return JSONResponse(status_code=201 if created else 200, content=body.model_dump())

    @router.get("/v1/feedback/tags", response_model=FeedbackTags, summary="好差评：不满意时可选的标签")
    def tags():
        return FeedbackTags(tags=PAGE_TAGS)

    return router
