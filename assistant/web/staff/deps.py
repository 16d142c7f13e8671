"""What every staff route shares: the error answer, the sign-in dependency and the console's services.

Sign-in is a FastAPI dependency, as in the FastAPI full-stack template::

    @router.post("/curated/{curated_id}/disable")
    def curated_disable(curated_id: str, staff: CurrentStaff): ...     # any signed-in staff member
    @router.post("/staff")
    def staff_add(body: NewStaff, _: AdminStaff): ...                  # an admin only

Every router made by `staff_api()` also checks it for all its routes, so a route cannot forget it: without
a valid session cookie the answer is 401 ``{"error": {"code": "unauthorized", "message": "请先登录"}}`` and
never data; a state-changing request from another origin is 403 (拒绝跨站请求); an admin route asked by a
guide is 403 (需要管理员权限).  The session is read from the app's `StaffStore` (``app.state.staff``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from assistant.config import Settings
from assistant.service.reports import InvalidRange, LocalTime, Reports
from assistant.store.accounts import Staff, StaffStore
from assistant.store.conversations import SessionStore
from assistant.store.curated import CuratedStore
from assistant.store.turns import TurnLog

if TYPE_CHECKING:
    from assistant.web.routes.feedback import FeedbackStore

COOKIE = "daoban_staff"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class StaffError(Exception):
    """An error answer of the staff API, e.g. ``StaffError(404, "not_found", "没有这个会话")`` →
    404 ``{"error": {"code": "not_found", "message": "没有这个会话"}}``."""

    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        return JSONResponse(status_code=self.status, content={"error": {"code": self.code, "message": self.message}})


class StaffRoute(APIRoute):
    """Turns `StaffError` (raised by the sign-in dependency or a handler) and a report's `InvalidRange` (422)
    into their JSON answers, and marks every answer ``Cache-Control: no-store``."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def wrapped(request: Request) -> Response:
            try:
                response = await handler(request)
            except StaffError as e:
                response = e.response()
            except InvalidRange as e:
                response = StaffError(422, "invalid_request", str(e)).response()
            response.headers["Cache-Control"] = "no-store"  # staff data never sits in a shared cache
            return response

        return wrapped


def same_origin(request: Request) -> bool:
    """True when the request has no Origin, or one naming this host (``X-Forwarded-Host`` behind a proxy)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


def current_staff(request: Request) -> Staff:
    """The signed-in staff member, or `StaffError` 403 (cross-site write) / 401 (no valid session)."""
    if request.method not in SAFE_METHODS and not same_origin(request):
        raise StaffError(403, "forbidden", "拒绝跨站请求")
    accounts: StaffStore = request.app.state.staff
    staff = accounts.read(request.cookies.get(COOKIE))
    if staff is None:
        raise StaffError(401, "unauthorized", "请先登录")
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def admin_staff(staff: CurrentStaff) -> Staff:
    if not staff.is_admin:
        raise StaffError(403, "forbidden", "需要管理员权限")
    return staff


AdminStaff = Annotated[Staff, Depends(admin_staff)]


def staff_api_options(prefix: str = "") -> dict:
    """Where the staff API lives and what every route of it checks: under ``/staff/api``, signed in."""
    return {"prefix": "/staff/api" + prefix, "dependencies": [Depends(current_staff)], "tags": ["staff"]}


def staff_api(prefix: str = "") -> APIRouter:
    """A router under ``/staff/api`` whose every route needs a sign-in and answers errors as `StaffError`."""
    return APIRouter(route_class=StaffRoute, **staff_api_options(prefix))


@dataclass
class Console:
    """The services the console's routers call (one per app, made by `console.install_staff`)."""

    accounts: StaffStore
    sessions: SessionStore
    curated: CuratedStore
    feedback: FeedbackStore
    get_assistant: Callable[[], object]
    settings: Settings
    local: LocalTime = field(init=False)
    log: TurnLog = field(init=False)
    reports: Reports = field(init=False)

    def __post_init__(self):
        self.local = LocalTime(self.settings.staff_utc_offset_hours, self.feedback.clock)
        self.log = TurnLog(self.sessions.engine)
        self.reports = Reports(self.log, self.feedback, self.curated, self.local)

    def assistant(self):
        """The loaded assistant, or 503 while the index is still loading."""
        a = self.get_assistant()
        if a is None:
            raise StaffError(503, "not_ready", "服务正在启动，请稍后再试")
        return a

    def item_name(self, a, value: str | None) -> str | None:
        """An item filter given as id or name, as the name the log stores (``marriage-registration`` → 结婚登记)."""
        if not value:
            return None
        g = a.guides.get(value)
        return g.name if g else value


def console_of(app) -> Console:
    """The console's services over an app's stores (``app.state``, filled by `web.app.create_app`), for the
    staff routes installed beside the console (bulk review, case outcomes, correction preview)."""
    state = app.state
    return Console(state.staff, state.store, state.curated, state.feedback, lambda: state.assistant, state.settings)
