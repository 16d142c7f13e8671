"""The one error body of the HTTP API, ``{"error": {"code": …, "message": …}}``, and the app's handlers.

Every route, the guard (before any route runs) and the exception handlers build their errors here, so
a client reads ``body["error"]["message"]`` (always Chinese, always a sentence a citizen understands)
whatever went wrong, e.g. ``404 {"error": {"code": "not_found", "message": "没有编号为「x」的事项"}}``
or ``422 {"error": {"code": "invalid_request", "message": "消息 message不能为空"}}``.

The OpenAI-compatible endpoint answers in OpenAI's shape instead (``message``, ``type``, ``param``,
``code``), because its SDKs read that one: `openai_error` here, and ``openai=True`` for the guard's.
"""
from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.web.ratelimit import RateLimited
from assistant.web.schemas import ErrorResponse

log = logging.getLogger("assistant.api")

SERVER_ERROR = "服务暂时出现问题，请稍后再试，或拨打12345咨询。"
# field names in the Chinese 422 messages ("缺少消息 message"); routers add theirs with `name_fields`
FIELD_NAMES = {"message": "消息 message", "session_id": "会话 session_id", "channel": "渠道 channel",
               "q": "查询词 q", "k": "结果数 k"}
# the error responses the OpenAPI document lists for a public route, e.g. ``responses=documented(422, 429)``
DOCUMENTED = {400: {"model": ErrorResponse, "description": "请求体不是 UTF-8 或嵌套过深"},
              413: {"model": ErrorResponse, "description": "请求体过大"},
              422: {"model": ErrorResponse, "description": "请求格式不正确（含空消息、控制字符）"},
              429: {"model": ErrorResponse, "description": "请求过于频繁（见 Retry-After）"}}


def documented(*statuses: int) -> dict:
    return {s: DOCUMENTED[s] for s in statuses}


def error_body(code: str, message: str) -> dict:
    """``{"error": {"code": "not_found", "message": "没有这个会话"}}``."""
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=error_body(code, message), headers=headers)


def openai_error(status: int, message: str, type_: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None) -> JSONResponse:
    """OpenAI's error shape: {"error": {"message", "type", "param", "code"}}."""
    return JSONResponse(status_code=status,
                        content={"error": {"message": message, "type": type_, "param": param, "code": code}})


def error_bytes(status: int, code: str, message: str, extra: list[tuple[bytes, bytes]] = (),
                openai: bool = False) -> tuple[int, list, bytes]:
    """The error as raw ASGI parts (status, headers, body) for the guard, which answers before any route.
    On the OpenAI-compatible endpoint ``type`` and ``param`` as well, so its SDKs read it as usual."""
    err = error_body(code, message)["error"]
    if openai:
        err |= {"type": "rate_limit_error" if status == 429 else "invalid_request_error", "param": None}
    body = json.dumps({"error": err}, ensure_ascii=False).encode()
    return status, [(b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()), *extra], body


def rate_limited_body(e: RateLimited, openai: bool = False) -> tuple[int, list, bytes]:
    return error_bytes(429, "rate_limited", e.message, [(b"retry-after", str(e.retry_after).encode())], openai)


def name_fields(names: dict[str, str]) -> None:
    """Add a router's field labels (``{"rating": "评价等级 rating"}``); a name already labelled keeps its label."""
    for name, label in names.items():
        FIELD_NAMES.setdefault(name, label)


_KIND_MESSAGES = {"missing": "缺少{name}", "string_too_short": "{name}不能为空",
                  "string_too_long": "{name}太长，最多{max_length}个字符",
                  "json_invalid": "请求体不是合法的 JSON 对象", "model_attributes_type": "请求体不是合法的 JSON 对象",
                  "dict_type": "请求体不是合法的 JSON 对象",
                  "greater_than_equal": "{name}超出允许范围", "less_than_equal": "{name}超出允许范围"}


def _one_message(err: dict) -> str:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path") and not isinstance(p, int)]
    name = FIELD_NAMES.get(loc[-1], loc[-1]) if loc else "请求体"
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind in _KIND_MESSAGES:
        return _KIND_MESSAGES[kind].format(name=name, max_length=ctx.get("max_length"))
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError) and not str(ctx["error"]).isascii():
        return f"{name}{ctx['error']}"
    return f"{name}格式不正确"


def validation_message(exc: RequestValidationError) -> str:
    """Pydantic's errors in one Chinese sentence: ``缺少评价凭证 rating_token；评价等级 rating格式不正确``."""
    msgs = [_one_message(err) for err in exc.errors()]
    return "；".join(dict.fromkeys(msgs)) or "请求格式不正确"


async def _429(request: Request, exc: RateLimited):
    status, headers, body = rate_limited_body(exc)
    return JSONResponse(status_code=status, content=json.loads(body), headers={"Retry-After": str(exc.retry_after)})


async def _422(request: Request, exc: RequestValidationError):
    return error_response(422, "invalid_request", validation_message(exc))


async def _http(request: Request, exc: StarletteHTTPException):
    messages = {404: "未找到该资源", 405: "不支持该请求方法"}
    detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else messages.get(exc.status_code, "请求错误")
    return error_response(exc.status_code, {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error"),
                          detail)


async def _500(request: Request, exc: Exception):
    log.exception("unhandled error on %s", request.url.path)
    return error_response(500, "internal_error", SERVER_ERROR)


def install(app: FastAPI) -> None:
    """Rate limits (429 with Retry-After), validation (422), 404/405 and anything unexpected (500), all in
    the one error body."""
    app.add_exception_handler(RateLimited, _429)
    app.add_exception_handler(RequestValidationError, _422)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _500)
