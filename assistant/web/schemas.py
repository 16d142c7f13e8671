"""The HTTP contract (`/v1/chat`, `/v1/search`, `/v1/items`) as pydantic models, and the conversion of
the core's answer (`assistant.Result`, `compose.ItemCard`, `compose.Citation`) into them."""
from __future__ import annotations

import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, field_validator

from assistant.core.compose import ItemCard, item_card

if TYPE_CHECKING:
    from assistant.core.assistant import Result
    from assistant.core.corpus.schema import Centre, Guide

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


def card_out(card: ItemCard) -> ItemOut:
    """An item card of the core as the `ItemOut` of the HTTP contract."""
    return ItemOut(id=card.id, name=card.name, department=card.department,
                   location=Location(hall=card.hall, zone=card.zone, windows=list(card.windows), address=card.address),
                   hours=card.hours,
                   online=OnlineRoute(available=card.online_available, route=card.online_route, url=card.online_url),
                   score=card.score)


def item_out(g: Guide, centre: Centre, score: float | None = None) -> ItemOut:
    """A guide's item as `ItemOut` (`/v1/items`, the answer page)."""
    return card_out(item_card(g, centre, score))


def to_response(result: Result, session_id: str | None = None, message_id: str | None = None) -> ChatResponse:
    """The `/v1/chat` body of an answer (session and message ids default to those given to `answer`)."""
    return ChatResponse(session_id=result.session_id if session_id is None else session_id,
                        message_id=result.message_id if message_id is None else message_id,
                        kind=result.kind, answer=result.answer, items=[card_out(c) for c in result.items],
                        citations=[Citation(**asdict(c)) for c in result.citations], suggestions=result.suggestions)
