"""HTTP layer (FastAPI): `create_app` wires the stores, the routers and the middleware.  Nothing else.

One router per resource in web/routes/ (chat, search, items, feedback, openai, wechat, answer_page,
widget, health) and web/staff/; their dependencies in web/deps.py; every error body in web/errors.py;
the chat flow itself (open → answer → record) in service/chat.py.

Limits and headers are applied around every route by `guard.Guard`, rate limits by `ratelimit.Limiter`
(see README "Security").  ``?debug=true`` (the trace with the rules' inner scores) is honoured only for
a signed-in staff member (the staff session cookie or ``Authorization: Bearer <that token>``)."""
from __future__ import annotations

import hashlib
import hmac
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from assistant.config import Settings, get_settings
from assistant.core.assistant import Assistant
from assistant.core.index.build import load_index
from assistant.core.phrase import make_phraser
from assistant.service.chat import ChatService
from assistant.store.conversations import SessionStore
from assistant.store.curated import CuratedStore
from assistant.store.shared_state import OpenidSessions
from assistant.web import STATIC as WEB
from assistant.web import errors
from assistant.web.deps import authorize, feedback_limit
from assistant.web.errors import FIELD_NAMES, name_fields  # noqa: F401  (FIELD_NAMES: importable from here too)
from assistant.web.guard import Guard, install_access_log_filter
from assistant.web.observability import install as install_observability
from assistant.web.observability import note_answer
from assistant.web.offline_docs import install as install_offline_docs
from assistant.web.ratelimit import Limiter
from assistant.web.routes import chat, health, items, search
from assistant.web.routes.answer_page import answer_page_router
from assistant.web.routes.chat import chat_body  # noqa: F401  (the CLI's `ask --json` prints this body)
from assistant.web.routes.feedback import FIELD_NAMES as FEEDBACK_FIELDS
from assistant.web.routes.feedback import FeedbackStore, feedback_router
from assistant.web.routes.openai import openai_router
from assistant.web.routes.wechat import follower_answers, wechat_router
from assistant.web.routes.widget import install as install_widget
from assistant.web.staff.bulk import install as install_bulk
from assistant.web.staff.cases import install as install_cases
from assistant.web.staff.console import FIELD_NAMES as STAFF_FIELDS
from assistant.web.staff.console import StaffStore, install_staff
from assistant.web.staff.curated_preview import install as install_curated_preview
from assistant.web.staff.handoff import install as install_handoff


def _lifespan(settings: Settings):
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

    return lifespan


def _stores(app: FastAPI, settings: Settings, assistant: Assistant | None, store: SessionStore | None) -> None:
    """Everything on ``app.state``: the conversations and, in the same database, the staff console,
    好差评 and reviewed answers; the rate limiter; the chat flow."""
    app.state.assistant = assistant
    app.state.store = store or SessionStore(settings.database_url, settings.session_idle_minutes)
    app.state.settings = settings
    engine, clock = app.state.store.engine, app.state.store.clock
    app.state.curated = CuratedStore(engine, clock)
    app.state.staff = StaffStore(engine, settings.staff_secret, settings.staff_session_hours,
                                 settings.staff_idle_minutes)
    # answer tokens (rating, WeChat answer page): a key derived from the server secret kept in the database
    answer_key = lambda: hmac.new(app.state.staff.secret, b"answer-token", hashlib.sha256).digest()  # noqa: E731
    app.state.feedback = FeedbackStore(engine, clock, settings.staff_utc_offset_hours, key=answer_key)
    app.state.limiter = Limiter(settings, engine)
    app.state.chat = ChatService(app.state.store, lambda: app.state.assistant,
                                 lambda mid, sid: app.state.feedback.token_for(mid, sid),
                                 settings.staff_utc_offset_hours, lambda kind, trace: note_answer(app, kind, trace))


def _routers(app: FastAPI, settings: Settings) -> None:
    for module in (chat, search, items, health):
        app.include_router(module.router)
    app.mount("/web", StaticFiles(directory=WEB), name="web")
    state = app.state
    # WeChat official account: one conversation per follower (openid → random session id, in the database)
    answer = follower_answers(state.chat.ask, OpenidSessions(state.store.engine), state.limiter, lambda: state.assistant)
    app.include_router(wechat_router(answer, settings, state.store.engine), prefix="/wechat")
    app.include_router(answer_page_router(state.store, state.feedback.token_for, lambda: state.assistant))
    app.include_router(openai_router(state.chat.ask, authorize))
    app.include_router(feedback_router(state.feedback, feedback_limit))
    install_staff(app, accounts=state.staff, sessions=state.store, curated=state.curated, feedback=state.feedback,
                  get_assistant=lambda: state.assistant, settings=settings)
    install_handoff(app, settings, FIELD_NAMES)  # 转人工 replies from staff, 回访 numbers
    install_cases(app)  # case outcomes, daily digest (page and e-mail)
    install_bulk(app)  # bulk review: select answers, mark many correct, export to Excel
    install_curated_preview(app)  # which past questions a correction would catch
    install_widget(app, settings)  # /widget.js for other sites; who may frame the chat
    install_observability(app)  # request ids, JSON request lines, /metrics, /readyz
    install_offline_docs(app)  # /docs and /redoc without a CDN


def create_app(settings: Settings | None = None, assistant: Assistant | None = None,
               store: SessionStore | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="导办助手 API", version="1", lifespan=_lifespan(settings),
                  description="政务服务中心导办助手：只依据办事指南和政策原文作答，并给出引用。")
    _stores(app, settings, assistant, store)
    install_access_log_filter()
    name_fields(FEEDBACK_FIELDS | STAFF_FIELDS)
    # mini-programs and other front-ends call the API from their own origin
    app.add_middleware(CORSMiddleware, allow_origins=settings.embed_origins or ["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"])
    app.add_middleware(Guard, settings=settings, limiter=app.state.limiter, web_dir=WEB)  # outermost: size, input, headers
    errors.install(app)
    _routers(app, settings)
    return app
