"""HTTP layer (FastAPI): parse, call the pipeline, serialise.  Nothing else.

Limits and headers are applied around every route by `guard.Guard`, rate limits by `ratelimit.Limiter`
(see README "Security").  ``?debug=true`` (the trace with the rules' inner scores) is honoured only for
a signed-in staff member (the staff session cookie or ``Authorization: Bearer <that token>``)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.web.routes.answer_page import answer_page_router, guide_essentials
from assistant.web.schemas import item_out
from assistant.config import Settings, get_settings
from assistant.store.curated import CuratedStore
from assistant.web.routes.feedback import FIELD_NAMES as FEEDBACK_FIELDS
from assistant.web.routes.feedback import FeedbackStore, feedback_router
from assistant.web.guard import Guard, install_access_log_filter, rate_limited_body
from assistant.core.handoff import local_now
from assistant.core.index.build import load_index
from assistant.core.text.normalize import mask_deep
from assistant.web.observability import install as install_observability
from assistant.web.offline_docs import install as install_offline_docs
from assistant.web.observability import note_answer
from assistant.core.assistant import Assistant
from assistant.web.schemas import ChatRequest, ChatResponse, ErrorResponse, ItemOut, SearchResponse, SearchResult, to_response
from assistant.web.ratelimit import Limiter, RateLimited, client_ip
from assistant.store.conversations import SessionStore
from assistant.store.shared_state import OpenidSessions
from assistant.web.staff.console import COOKIE as STAFF_COOKIE
from assistant.web.staff.console import FIELD_NAMES as STAFF_FIELDS
from assistant.web.staff.console import StaffStore, staff_router
from assistant.web.staff.bulk import install as install_bulk
from assistant.web.staff.cases import install as install_cases
from assistant.web.staff.curated_preview import install as install_curated_preview
from assistant.web.staff.handoff import install as install_handoff
from assistant.web.routes.widget import install as install_widget
from assistant.web.routes.wechat import WeChatReply, wechat_router
from assistant.core.phrase import make_phraser
from assistant.web.routes.openai import openai_router

log = logging.getLogger("assistant.web.app")
from assistant.web import STATIC as WEB  # noqa: E402

FIELD_NAMES = {"message": "消息 message", "session_id": "会话 session_id", "channel": "渠道 channel",
               "q": "查询词 q", "k": "结果数 k"}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def _validation_message(exc: RequestValidationError) -> str:
    msgs = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path") and not isinstance(p, int)]
        name = FIELD_NAMES.get(loc[-1], loc[-1]) if loc else "请求体"
        kind = err.get("type", "")
        ctx = err.get("ctx") or {}
        if kind == "missing":
            msgs.append(f"缺少{name}")
        elif kind == "string_too_short":
            msgs.append(f"{name}不能为空")
        elif kind == "string_too_long":
            msgs.append(f"{name}太长，最多{ctx.get('max_length')}个字符")
        elif kind in ("json_invalid", "model_attributes_type", "dict_type"):
            msgs.append("请求体不是合法的 JSON 对象")
        elif kind in ("greater_than_equal", "less_than_equal"):
            msgs.append(f"{name}超出允许范围")
        elif kind == "value_error" and isinstance(ctx.get("error"), ValueError) and not str(ctx["error"]).isascii():
            msgs.append(f"{name}{ctx['error']}")
        else:
            msgs.append(f"{name}格式不正确")
    return "；".join(dict.fromkeys(msgs)) or "请求格式不正确"


def create_app(settings: Settings | None = None, assistant: Assistant | None = None,
               store: SessionStore | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.assistant is None:  # raises with the command that fixes it
            app.state.assistant = Assistant(load_index(settings), curated=app.state.curated, phraser=make_phraser(settings))
        # this app's reviewed answers (an assistant passed in may be shared with other apps)
        a, previous = app.state.assistant, app.state.assistant.curated
        a.curated = app.state.curated.bind(a)
        try:
            yield
        finally:
            if a.curated is app.state.curated:
                a.curated = previous

    app = FastAPI(title="导办助手 API", version="1", lifespan=lifespan,
                  description="政务服务中心导办助手：只依据办事指南和政策原文作答，并给出引用。")
    app.state.assistant = assistant
    app.state.store = store or SessionStore(settings.database_url, settings.session_idle_minutes)
    app.state.settings = settings
    # staff console, 好差评 and reviewed answers keep their tables in the conversations database
    engine, clock = app.state.store.engine, app.state.store.clock
    app.state.curated = CuratedStore(engine, clock)
    app.state.staff = StaffStore(engine, settings.staff_secret, settings.staff_session_hours,
                                 settings.staff_idle_minutes)
    # answer tokens (rating, WeChat answer page): a key derived from the server secret kept in the database
    answer_key = lambda: hmac.new(app.state.staff.secret, b"answer-token", hashlib.sha256).digest()  # noqa: E731
    app.state.feedback = FeedbackStore(engine, clock, settings.staff_utc_offset_hours, key=answer_key)
    app.state.limiter = limiter = Limiter(settings, engine)
    install_access_log_filter()
    for name, label in (FEEDBACK_FIELDS | STAFF_FIELDS).items():
        FIELD_NAMES.setdefault(name, label)
    # mini-programs and other front-ends call the API from their own origin
    app.add_middleware(CORSMiddleware, allow_origins=settings.embed_origins or ["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"])
    app.add_middleware(Guard, settings=settings, limiter=limiter, web_dir=WEB)  # outermost: size, input, headers

    def ip_of(request: Request) -> str:
        return client_ip(request, settings.trusted_proxies)

    def is_staff(request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        token = request.cookies.get(STAFF_COOKIE) or (auth[7:].strip() if auth.lower().startswith("bearer ") else None)
        return bool(token) and app.state.staff.read(token) is not None

    def authorize(request: Request, req: ChatRequest, debug: bool) -> bool:
        """Counts the question against the client's and the conversation's limits (raises RateLimited);
        returns whether the trace may be shown."""
        limiter.hit("chat_ip", ip_of(request))
        limiter.hit("session", req.session_id)
        return debug and is_staff(request)

    def feedback_guard(request: Request) -> None:
        limiter.hit("feedback_ip", ip_of(request))

    @app.exception_handler(RateLimited)
    async def _429(request: Request, exc: RateLimited):
        status, headers, body = rate_limited_body(exc)
        return JSONResponse(status_code=status, content=json.loads(body), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(RequestValidationError)
    async def _422(request: Request, exc: RequestValidationError):
        return _error(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        messages = {404: "未找到该资源", 405: "不支持该请求方法"}
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else messages.get(exc.status_code, "请求错误")
        return _error(exc.status_code, {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error"), detail)

    @app.exception_handler(Exception)
    async def _500(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return _error(500, "internal_error", "服务暂时出现问题，请稍后再试，或拨打12345咨询。")

    def chat_once(req: ChatRequest, debug: bool) -> ChatResponse:
        a: Assistant = app.state.assistant
        store: SessionStore = app.state.store
        sid, ctx = store.open(req.session_id, req.channel)
        result = a.answer(req.message, ctx, session_id=sid, now=local_now(store.clock(), settings.staff_utc_offset_hours))
        r = to_response(result)
        trace = mask_deep(result.trace | {"citations": [c.chunk_id for c in r.citations], "channel": req.channel or "web"})
        mid = store.record(sid, req.message, r.kind, r.answer, [i.name for i in r.items], trace, result.context)
        note_answer(app, r.kind, trace)  # request log line and metrics; the question itself is never logged
        return r.model_copy(update={"message_id": mid, "trace": trace if debug else None,
                                    "rating_token": app.state.feedback.token_for(mid, sid)})

    errors = {400: {"model": ErrorResponse, "description": "请求体不是 UTF-8 或嵌套过深"},
              413: {"model": ErrorResponse, "description": "请求体过大"},
              422: {"model": ErrorResponse, "description": "请求格式不正确（含空消息、控制字符）"},
              429: {"model": ErrorResponse, "description": "请求过于频繁（见 Retry-After）"}}

    @app.post("/v1/chat", response_model=ChatResponse, responses=errors,
              summary="问一句，得到带引用的回答（Accept: text/event-stream 时流式返回）")
    def chat(req: ChatRequest, request: Request, debug: bool = False):
        resp = chat_once(req, authorize(request, req, debug))
        if "text/event-stream" in request.headers.get("accept", ""):
            return StreamingResponse(_sse(resp), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return JSONResponse(chat_body(resp))

    @app.get("/v1/search", response_model=SearchResponse, responses={k: errors[k] for k in (422, 429)},
             summary="混合检索（BM25 + 向量，RRF 融合）")
    def search(q: str = Query(min_length=1, max_length=500), k: int = Query(10, ge=1, le=50)):
        retrieval = app.state.assistant.search(q, k=k)
        return SearchResponse(results=[SearchResult(**h.as_dict()) for h in retrieval.hits[:k]])

    @app.get("/v1/items", summary="全部服务事项")
    def items() -> dict[str, list[ItemOut]]:
        a: Assistant = app.state.assistant
        return {"items": [item_out(g, a.centre) for g in a.index.corpus.guides]}

    @app.get("/v1/items/{item_id}", summary="一个事项的完整办事指南",
             responses={404: {"model": ErrorResponse, "description": "没有这个事项"}, 429: errors[429]})
    def item(item_id: str):
        a: Assistant = app.state.assistant
        g = a.guides.get(item_id)
        if g is None:
            return _error(404, "not_found", f"没有编号为「{item_id}」的事项")
        return item_out(g, a.centre).model_dump() | {"guide": g.model_dump(by_alias=True)}

    @app.get("/healthz", summary="健康检查")
    def healthz():
        a: Assistant | None = app.state.assistant
        m = a.index.manifest if a else {}
        return {"status": "ok", "items": m.get("counts", {}).get("items"), "chunks": m.get("counts", {}).get("chunks"),
                "embedder": m.get("embedder"), "built_at": m.get("built_at")}

    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/web", StaticFiles(directory=WEB), name="web")

    # WeChat official account: one conversation per follower (openid → random session id, in the database)
    wechat_sessions = OpenidSessions(engine)

    def wechat_answer(openid: str, text: str) -> WeChatReply:
        try:
            req = ChatRequest(message=text[:2000] or "你好", session_id=wechat_sessions.get(openid), channel="wechat")
        except ValueError:
            return WeChatReply("请输入要咨询的问题。")
        try:
            limiter.hit("openid", openid)
        except RateLimited as e:
            return WeChatReply(f"您提问太频繁了，请{e.retry_after}秒后再问。")
        r = chat_once(req, debug=False)
        wechat_sessions.set(openid, r.session_id)
        a: Assistant = app.state.assistant
        first = a.guides.get(r.items[0].id) if r.kind == "guide" and r.items else None
        # the whole guide answer reaches the person: essentials in the text, the rest on /a/{id} (asker only)
        return WeChatReply(r.answer, first.name if first else None, None,
                           details=guide_essentials(first, a.centre) if first else None,
                           page_path=f"/a/{r.message_id}?t={r.rating_token}" if r.rating_token else None)

    app.include_router(wechat_router(wechat_answer, settings, engine), prefix="/wechat")
    app.include_router(answer_page_router(app.state.store, app.state.feedback.token_for, lambda: app.state.assistant))
    app.include_router(openai_router(chat_once, authorize))
    app.include_router(feedback_router(app.state.feedback, feedback_guard))
    app.include_router(staff_router(accounts=app.state.staff, sessions=app.state.store, curated=app.state.curated,
                                    feedback=app.state.feedback, get_assistant=lambda: app.state.assistant,
                                    settings=settings))
    install_handoff(app, settings, FIELD_NAMES)  # 转人工 replies from staff, 回访 numbers
    install_cases(app)  # case outcomes, daily digest (page and e-mail)
    install_bulk(app)  # bulk review: select answers, mark many correct, export to Excel
    install_curated_preview(app)  # which past questions a correction would catch
    install_widget(app, settings)  # /widget.js for other sites; who may frame the chat
    install_observability(app)  # request ids, JSON request lines, /metrics, /readyz
    install_offline_docs(app)  # /docs and /redoc without a CDN
    return app


def chat_body(resp: ChatResponse) -> dict:
    """The /v1/chat body: every field of the contract; `trace` only when asked for."""
    return resp.model_dump(exclude={"trace"} if resp.trace is None else set())


def _sse(resp: ChatResponse):
    """Items and citations first, then the answer text in pieces, then the whole body."""
    def event(name: str, data) -> str:
        return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield event("meta", {"session_id": resp.session_id, "message_id": resp.message_id, "kind": resp.kind,
                         "items": [i.model_dump() for i in resp.items],
                         "citations": [c.model_dump() for c in resp.citations], "suggestions": resp.suggestions})
    text = resp.answer
    for i in range(0, len(text), 24):
        yield event("delta", {"text": text[i:i + 24]})
    yield event("done", chat_body(resp))
