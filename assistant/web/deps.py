"""The FastAPI dependencies of the public routes: what a route needs from the app, read from
``app.state`` where `create_app` put it (so two apps in one process, as in the tests, never share).

``def item(item_id: str, a: CurrentAssistant)`` gets the assistant that answers now (the staff console
swaps it after publishing a guide); ``chat_service(request)`` the one chat flow (service/chat.py).
The chat's rate limits are not a dependency but `authorize`, called in the route after the body is
validated: a bad question is answered 422 and not counted.  The rating route's limit stays a
dependency (`feedback_limit`), as it always was."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.core.assistant import Assistant
from assistant.service.chat import ChatService
from assistant.web.ratelimit import client_ip
from assistant.web.staff.console import COOKIE as STAFF_COOKIE


def assistant_of(request: Request) -> Assistant:
    return request.app.state.assistant


def chat_service(request: Request) -> ChatService:
    return request.app.state.chat


CurrentAssistant = Annotated[Assistant, Depends(assistant_of)]
Chat = Annotated[ChatService, Depends(chat_service)]


def ip_of(request: Request) -> str:
    """The client's address (``X-Forwarded-For`` only from ``ASSISTANT_TRUSTED_PROXIES``)."""
    return client_ip(request, request.app.state.settings.trusted_proxies)


def is_staff(request: Request) -> bool:
    """A signed-in staff member: the console's session cookie, or ``Authorization: Bearer <that token>``."""
    auth = request.headers.get("authorization", "")
    token = request.cookies.get(STAFF_COOKIE) or (auth[7:].strip() if auth.lower().startswith("bearer ") else None)
    return bool(token) and request.app.state.staff.read(token) is not None


def authorize(request: Request, req, debug: bool) -> bool:
    """Counts the question against the client's and the conversation's limits (raises RateLimited);
    returns whether the trace may be shown (``?debug=true`` from signed-in staff only)."""
    limiter = request.app.state.limiter
    limiter.hit("chat_ip", ip_of(request))
    limiter.hit("session", req.session_id)
    return debug and is_staff(request)


def feedback_limit(request: Request) -> None:
    """The rating route's own per-client limit (a dependency: its body is small and checked after)."""
    request.app.state.limiter.hit("feedback_ip", ip_of(request))
