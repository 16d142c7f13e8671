"""OpenAI-compatible Chat Completions endpoint: ``POST /v1/chat/completions``.

Existing chat front-ends and SDKs (the ``openai`` Python client, Open WebUI, ChatBox, …) talk to the
assistant unchanged.  The last user message is the question; the conversation is mapped to one of our
sessions by an optional ``session_id`` at the top level of the body (``extra_body={"session_id": ...}``
in the openai client) or in ``metadata``.  Without one a new session starts, and its id comes back.
Earlier turns in ``messages`` are not replayed: the session remembers the item in focus.

The answer is ``choices[0].message.content`` (with its [n] markers); items, citations and suggestions
travel in the extra top-level field ``daoban``.  With ``stream: true`` the answer streams as
``chat.completion.chunk`` SSE lines, the last chunk carrying ``finish_reason: "stop"`` and ``daoban``,
then ``data: [DONE]``.  Errors use OpenAI's error shape with Chinese messages.

Mounted by ``create_app`` with ``app.include_router(openai_router(chat.ask, authorize))`` (service/chat.py,
web/deps.py).
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import time
from typing import Any, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from assistant.web import sse
from assistant.web.errors import SERVER_ERROR, openai_error
from assistant.web.ratelimit import RateLimited
from assistant.web.schemas import ChatRequest, ChatResponse

log = logging.getLogger("assistant.openai_compat")

MODEL = "daoban-assistant"
CHANNEL = "openai"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_WORD = re.compile(r"[A-Za-z0-9_]+|[^\sA-Za-z0-9_\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

_REQUEST_SCHEMA = {
    "type": "object",
    "required": ["messages"],
    "properties": {
        "model": {"type": "string", "description": "任意；回答的 model 恒为 daoban-assistant"},
        "messages": {
            "type": "array", "minItems": 1,
            "items": {"type": "object", "required": ["role"], "properties": {
                "role": {"type": "string", "enum": ["system", "developer", "user", "assistant", "tool"]},
                "content": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}},
                                      {"type": "null"}]}}},
        },
        "stream": {"type": "boolean", "default": False},
        "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}}},
        "user": {"type": "string"},
        "session_id": {"type": "string", "maxLength": 64,
                       "description": "沿用的会话（openai 客户端：extra_body={\"session_id\": ...}）"},
        "metadata": {"type": "object", "properties": {"session_id": {"type": "string"}}},
    },
}


class _BadRequest(Exception):
    def __init__(self, message: str, param: str | None = None, status: int = 400):
        super().__init__(message)
        self.message, self.param, self.status = message, param, status


def rough_tokens(text: str) -> int:
    """A rough token count: one per CJK character, one per word or symbol otherwise."""
    return len(_CJK.findall(text)) + len(_WORD.findall(_CJK.sub(" ", text)))


def _text_of(content: Any) -> str:
    """Message content: a string, or a list of parts of which the text parts count."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for p in content:
            if isinstance(p, str):
                parts.append(p)
            elif isinstance(p, dict) and p.get("type") in ("text", "input_text") and isinstance(p.get("text"), str):
                parts.append(p["text"])
        return "".join(parts)
    raise _BadRequest("消息 content 必须是字符串或内容片段列表", "messages")


def _parse(body: Any) -> tuple[ChatRequest, bool, bool, int]:
    """(our ChatRequest, stream?, include usage in the stream?, rough prompt tokens)."""
    if not isinstance(body, dict):
        raise _BadRequest("请求体不是合法的 JSON 对象")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _BadRequest("缺少消息列表 messages", "messages")
    texts = []
    question = None
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise _BadRequest(f"messages[{i}] 必须是含 role 和 content 的对象", "messages")
        text = _text_of(m.get("content"))
        texts.append(text)
        if m["role"] == "user":
            question = text
    if question is None:
        raise _BadRequest("messages 中没有用户消息（role 为 user），请提出您的问题", "messages")
    try:  # the same rules as /v1/chat (schemas.ChatRequest), in OpenAI's 400 shape
        ChatRequest(message=question)
    except ValidationError as e:
        raise _BadRequest(_question_error(e), "messages") from None
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise _BadRequest("stream 必须是 true 或 false", "stream")
    options = body.get("stream_options") or {}
    include_usage = bool(isinstance(options, dict) and options.get("include_usage"))
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    sid = body.get("session_id") or metadata.get("session_id")
    # an id that cannot be ours (wrong type, too long) is an unknown id: a new conversation starts
    sid = sid if isinstance(sid, str) and 0 < len(sid) <= 64 else None
    try:
        req = ChatRequest(message=question, session_id=sid, channel=CHANNEL)
    except ValidationError:  # a session id with control characters: a new conversation
        req = ChatRequest(message=question, session_id=None, channel=CHANNEL)
    return req, stream, include_usage, rough_tokens("\n".join(texts))


def _question_error(e: ValidationError) -> str:
    err = e.errors()[0]
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind in ("string_too_short", "missing") or (kind == "value_error" and "不能为空" in str(ctx.get("error"))):
        return "最后一条用户消息不能为空"
    if kind == "string_too_long":
        return f"消息太长，最多{ctx.get('max_length')}个字符"
    if kind == "value_error" and not str(ctx.get("error")).isascii():
        return f"消息{ctx['error']}"
    return "消息格式不正确"


def daoban_extra(resp: ChatResponse) -> dict:
    """The extra field carrying what /v1/chat returns besides the answer."""
    extra = {"session_id": resp.session_id, "message_id": resp.message_id, "rating_token": resp.rating_token,
             "kind": resp.kind,
             "items": [i.model_dump() for i in resp.items],
             "citations": [c.model_dump() for c in resp.citations], "suggestions": list(resp.suggestions)}
    if resp.trace is not None:
        extra["trace"] = resp.trace
    return extra


def _usage(prompt_tokens: int, answer: str) -> dict:
    completion = rough_tokens(answer)
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion,
            "total_tokens": prompt_tokens + completion}


def completion_body(resp: ChatResponse, prompt_tokens: int, created: int | None = None) -> dict:
    return {
        "id": f"chatcmpl-{resp.message_id or secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": created or int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": resp.answer},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": _usage(prompt_tokens, resp.answer),
        "daoban": daoban_extra(resp),
    }


def completion_chunks(resp: ChatResponse, prompt_tokens: int, include_usage: bool = False,
                      created: int | None = None):
    """SSE lines of chat.completion.chunk objects, then [DONE]."""
    cid = f"chatcmpl-{resp.message_id or secrets.token_hex(12)}"
    created = created or int(time.time())

    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL,
               "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]} | extra
        if include_usage:
            obj["usage"] = None
        return sse.event(obj)

    yield chunk({"role": "assistant", "content": ""})
    for piece in sse.pieces(resp.answer):
        yield chunk({"content": piece})
    yield chunk({}, "stop", daoban=daoban_extra(resp))
    if include_usage:
        obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL, "choices": [],
               "usage": _usage(prompt_tokens, resp.answer)}
        yield sse.event(obj)
    yield sse.event("[DONE]")


def openai_router(chat_once: Callable[[ChatRequest, bool], ChatResponse],
                  authorize: Callable[[Request, ChatRequest, bool], bool] | None = None) -> APIRouter:
    """`chat_once(req, debug)` is the same function /v1/chat uses (sessions, pipeline, storage);
    `authorize(request, req, debug)` applies the rate limits (raises RateLimited) and says whether the
    trace may be shown (signed-in staff only)."""
    router = APIRouter()

    @router.post("/v1/chat/completions", summary="OpenAI 兼容的对话接口（stream 为 true 时流式返回）",
                 responses={400: {"description": "请求不正确（OpenAI 错误格式）"}, 413: {"description": "请求体过大"},
                            422: {"description": "包含控制字符"}, 429: {"description": "请求过于频繁（见 Retry-After）"}},
                 openapi_extra={"requestBody": {"required": True,
                                                "content": {"application/json": {"schema": _REQUEST_SCHEMA}}}})
    async def chat_completions(request: Request, debug: bool = False):
        try:
            body = json.loads(await request.body() or b"null")
        except UnicodeDecodeError:
            return openai_error(400, "请求体不是合法的 UTF-8 编码，请以 UTF-8 发送")
        except RecursionError:  # [[[[… 100,000 deep
            return openai_error(400, "请求体嵌套层数过多")
        except ValueError:
            return openai_error(400, "请求体不是合法的 JSON")
        try:
            req, stream, include_usage, prompt_tokens = _parse(body)
        except _BadRequest as e:
            return openai_error(e.status, e.message, param=e.param)
        if authorize is None:
            debug = False
        else:
            try:
                debug = await run_in_threadpool(authorize, request, req, debug)
            except RateLimited as e:
                r = openai_error(429, e.message, "rate_limit_error", code="rate_limited")
                r.headers["Retry-After"] = str(e.retry_after)
                return r
        try:
            resp = await run_in_threadpool(chat_once, req, debug)
        except Exception:
            log.exception("chat completion failed")
            return openai_error(500, SERVER_ERROR, "server_error", code="internal_error")
        if stream:
            return sse.stream(completion_chunks(resp, prompt_tokens, include_usage))
        return JSONResponse(completion_body(resp, prompt_tokens))

    @router.get("/v1/models", summary="OpenAI 兼容的模型列表（只有一个：daoban-assistant）")
    def models():
        return {"object": "list",
                "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "daoban"}]}

    return router
