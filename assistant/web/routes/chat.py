"""``POST /v1/chat``: one question, one cited answer; and ``GET /``, the chat page that asks it.

With ``Accept: text/event-stream`` the same answer streams: ``meta`` (items, citations, suggestions —
the cards can be drawn at once), ``delta`` events with the answer text in pieces, then ``done`` with
the whole body exactly as the JSON answer would have been."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from assistant.web import STATIC as WEB
from assistant.web import sse
from assistant.web.deps import Chat, authorize
from assistant.web.errors import documented
from assistant.web.schemas import ChatRequest, ChatResponse

router = APIRouter()


@router.post("/v1/chat", response_model=ChatResponse, responses=documented(400, 413, 422, 429),
             summary="问一句，得到带引用的回答（Accept: text/event-stream 时流式返回）")
def chat(req: ChatRequest, request: Request, service: Chat, debug: bool = False):
    resp = service.ask(req, authorize(request, req, debug))
    if "text/event-stream" in request.headers.get("accept", ""):
        return sse.stream(chat_events(resp))
    return JSONResponse(chat_body(resp))


def chat_body(resp: ChatResponse) -> dict:
    """The /v1/chat body: every field of the contract; `trace` only when asked for."""
    return resp.model_dump(exclude={"trace"} if resp.trace is None else set())


def chat_events(resp: ChatResponse):
    """Items and citations first, then the answer text in pieces, then the whole body."""
    yield sse.event({"session_id": resp.session_id, "message_id": resp.message_id, "kind": resp.kind,
                     "items": [i.model_dump() for i in resp.items],
                     "citations": [c.model_dump() for c in resp.citations], "suggestions": resp.suggestions}, "meta")
    for piece in sse.pieces(resp.answer):
        yield sse.event({"text": piece}, "delta")
    yield sse.event(chat_body(resp), "done")


@router.get("/", include_in_schema=False)
def page():
    return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8")
