"""Signing in and out of the staff console, its pages, and ``GET /staff/api/me``.

* ``GET /staff`` — the console (signed in), else a redirect to ``/staff/login``.
* ``POST /staff/login`` — a form (redirects: ``/staff`` on success, ``/staff/login?error=1`` on a wrong
  password) or JSON ``{"username": "daoban", "password": "…"}`` (``{"user": {"username", "role"}}`` or 401
  bad_credentials).  Attempts are counted before the password is checked, atomically in the database, per
  account and per client IP (X-Forwarded-For only from a trusted proxy): 200 parallel guesses get at most
  ``login_max_attempts`` password checks, the rest 429 with ``Retry-After``.  The cookie is HttpOnly,
  SameSite=Lax, Secure over HTTPS (``ASSISTANT_STAFF_COOKIE_SECURE=auto``), scoped to ``/staff``.
* ``POST /staff/logout`` — ends the session on the server, not just in this browser.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from limits import RateLimitItemPerSecond
from pydantic import BaseModel, Field

from assistant.store.feedback import RATINGS, STATUSES, TAGS
from assistant.web import STATIC as WEB
from assistant.web.ratelimit import Limiter, RateLimited, client_ip
from assistant.web.staff.deps import COOKIE, Console, CurrentStaff, StaffError, same_origin, staff_api

HTML = "text/html; charset=utf-8"


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)


def _secure(console: Console, request: Request) -> bool:
    setting = console.settings.staff_cookie_secure
    if setting != "auto":
        return setting == "always"
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").startswith("https")


async def _read_login(request: Request) -> tuple[LoginRequest | None, bool]:
    """(credentials or None for a malformed body, whether they came as a form)."""
    form = "application/json" not in request.headers.get("content-type", "")
    try:
        data = dict(await request.form()) if form else await request.json()
        return LoginRequest.model_validate(data), form
    except Exception:  # noqa: BLE001 — any malformed body is the same answer
        return None, form


class LoginGate:
    """The two sign-in counters: per account (``login_max_attempts`` per window) and per IP (four times that)."""

    def __init__(self, console: Console):
        s = console.settings
        self.limiter = Limiter(s, console.sessions.engine)
        self.per_account = RateLimitItemPerSecond(s.login_max_attempts, s.login_window_seconds)
        self.per_ip = RateLimitItemPerSecond(s.login_max_attempts * 4, s.login_window_seconds)

    async def count(self, account: str, ip: str) -> JSONResponse | None:
        """Count one attempt; the 429 answer when either counter is over."""
        try:  # counted before the password is checked: parallel guesses cannot outrun the count
            await run_in_threadpool(self.limiter.hit, "login_account", account, item=self.per_account, force=True)
            await run_in_threadpool(self.limiter.hit, "login_ip", ip, item=self.per_ip, force=True)
        except RateLimited as e:
            minutes = max(1, -(-e.retry_after // 60))
            return JSONResponse(status_code=429, headers={"Retry-After": str(e.retry_after)}, content={"error": {
                "code": "too_many_attempts", "message": f"登录失败次数过多，请{minutes}分钟后再试"}})
        return None

    async def passed(self, account: str, ip: str) -> None:
        """A good sign-in clears its account's count and gives its IP the attempt back."""
        await run_in_threadpool(self.limiter.clear, "login_account", account, self.per_account)
        await run_in_threadpool(self.limiter.refund, "login_ip", ip, self.per_ip)


def pages(console: Console) -> APIRouter:
    """``/staff``, ``/staff/``, ``/staff/login`` and ``/staff/logout``."""
    accounts, gate = console.accounts, LoginGate(console)
    router = APIRouter(include_in_schema=False)

    @router.get("/staff")
    def console_page(request: Request):
        if accounts.read(request.cookies.get(COOKIE)) is None:
            return RedirectResponse("/staff/login", status_code=303)
        return FileResponse(WEB / "staff.html", media_type=HTML, headers={"Cache-Control": "no-store"})

    @router.get("/staff/")
    def console_slash():
        return RedirectResponse("/staff", status_code=303)

    @router.get("/staff/login")
    def login_page(request: Request):
        if accounts.read(request.cookies.get(COOKIE)) is not None:
            return RedirectResponse("/staff", status_code=303)
        return FileResponse(WEB / "login.html", media_type=HTML)

    @router.post("/staff/login")
    async def login(request: Request):
        creds, form = await _read_login(request)
        if creds is None:
            return StaffError(422, "invalid_request", "请输入用户名和密码").response()
        if not same_origin(request):
            return StaffError(403, "forbidden", "拒绝跨站请求").response()
        account, ip = creds.username.strip().lower(), client_ip(request, console.settings.trusted_proxies)
        refused = await gate.count(account, ip)
        if refused is not None:
            return refused
        user = await run_in_threadpool(accounts.verify, creds.username, creds.password)
        if user is None:
            if form:
                return RedirectResponse("/staff/login?error=1", status_code=303)
            return StaffError(401, "bad_credentials", "用户名或密码不正确").response()
        await gate.passed(account, ip)
        resp = (RedirectResponse("/staff", status_code=303) if form
                else JSONResponse({"user": {"username": user.username, "role": user.role}}))
        resp.set_cookie(COOKIE, accounts.issue(user), max_age=accounts.session_seconds, path="/staff",
                        httponly=True, samesite="lax", secure=_secure(console, request))
        return resp

    @router.post("/staff/logout")
    def logout(request: Request):
        form = "application/json" not in request.headers.get("content-type", "")
        resp = RedirectResponse("/staff/login", status_code=303) if form else JSONResponse({"ok": True})
        accounts.revoke(request.cookies.get(COOKIE))  # the session ends on the server, not just in this browser
        resp.delete_cookie(COOKIE, path="/staff", httponly=True, samesite="lax", secure=_secure(console, request))
        return resp

    return router


def api(console: Console) -> APIRouter:
    """``GET /staff/api/me``: who is signed in, and the words the console's forms offer."""
    router = staff_api()
    offset = console.settings.staff_utc_offset_hours

    @router.get("/me", summary="当前登录的工作人员")
    def me(staff: CurrentStaff):
        return {"username": staff.username, "role": staff.role, "ratings": list(RATINGS), "statuses": list(STATUSES),
                "tags": TAGS, "timezone": f"UTC{offset:+g}"}

    return router
