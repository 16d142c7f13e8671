"""好差评: ratings of answers, and the follow-up cases that bad ratings open.

Like the national 政务服务“好差评” system, every answer can be rated 非常满意 / 满意 / 基本满意 /
不满意 / 非常不满意 with optional tags and text.  A rating of 不满意 or worse opens a case: reply
(回访) within 1 working day, fix (整改) within 15 working days, status 待回访 → 整改中 → 已办结, owned by
a staff member.  Working days skip Saturdays and Sundays in the centre's time zone.

Only the asker can rate: every answer comes with a ``rating_token`` (HMAC of the message id and its
conversation id under the server's key), and ``POST /v1/feedback`` needs it.  A ``message_id`` alone
(visible as ``chatcmpl-<id>`` on the OpenAI endpoint) is not enough.  One rating per message: a second
rating with the token replaces the first; a case is opened at most once.

The ratings and cases are kept by `store.feedback.FeedbackStore` (re-exported here with the calendar,
`clock.add_working_days`); this module parses the request, calls it and answers.
"""
from __future__ import annotations

from typing import Annotated, Callable

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from assistant.clock import add_working_days, is_working_day  # noqa: F401 - re-exported (tests, older callers)
from assistant.store.feedback import (  # noqa: F401 - the tables, the scale and the store live in store/
    BAD, FIX_DAYS, OUTCOMES, PAGE_TAGS, RATINGS, REPLY_DAYS, STATUSES, TAGS, Case, Feedback, FeedbackStore,
    NotYourMessage, Rating, UnknownMessage, answer_token, overdue_reason)
from assistant.web.errors import error_response
from assistant.web.schemas import ErrorResponse

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
