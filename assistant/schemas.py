"""The HTTP contract (`/v1/chat`, `/v1/search`, `/v1/items`) as pydantic models."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["guide", "policy", "clarify", "refuse", "handoff", "chitchat"]


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=2000)
    session_id: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=32)


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
    trace: dict | None = None


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
