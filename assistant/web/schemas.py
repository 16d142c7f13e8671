"""The HTTP contract (`/v1/chat`, `/v1/search`, `/v1/items`) as pydantic models."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

Kind = Literal["guide", "policy", "clarify", "refuse", "handoff", "chitchat"]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ChatRequest(BaseModel):
    """One question.  The single validation path of `/v1/chat`, `/v1/chat/completions` and WeChat:
    a message of only spaces is empty; NUL and other control characters are refused."""

    message: str = Field(min_length=1, max_length=2000)
    session_id: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=32)

    @field_validator("message")
    @classmethod
    def _message(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("不能为空")
        if _CONTROL.search(v):
            raise ValueError("包含不允许的控制字符")
        return v

    @field_validator("session_id", "channel")
    @classmethod
    def _printable(cls, v: str | None) -> str | None:
        if v is not None and _CONTROL.search(v):
            raise ValueError("包含不允许的控制字符")
        return v


class Location(BaseModel):
    hall: str
    zone: str | None
    windows: list[str]
    address: str


class OnlineRoute(BaseModel):
    available: bool
    route: str
    url: str | None


class ItemOut(BaseModel):
    id: str
    name: str
    department: str
    location: Location
    hours: str
    online: OnlineRoute
    score: float | None = None


class ChunkRef(BaseModel):
    """A chunk as shown to people: law + article, or item + guide field."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    source: str


class Citation(ChunkRef):
    n: int
    url: str | None = None


class ChatResponse(BaseModel):
    session_id: str
    message_id: str
    kind: Kind
    answer: str
    items: list[ItemOut] = []
    citations: list[Citation] = []
    suggestions: list[str] = []
    rating_token: str | None = Field(None, description="评价这条回答（POST /v1/feedback）所需的凭证，只给提问者")
    trace: dict | None = Field(None, description="检索与决策过程；只对已登录的工作人员返回（?debug=true）")


class SearchResult(ChunkRef):
    bm25: float
    dense: float
    score: float


class SearchResponse(BaseModel):
    results: list[SearchResult]


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
