"""The guide-staff console: `/staff` pages and the `/staff/api/*` JSON API.

* Accounts (`staff_users`): Argon2id password hashes (argon2-cffi, OWASP's 19 MiB / 2 passes / 1 lane;
  older scrypt hashes still verify and are re-hashed at the next sign-in), roles `guide` and `admin`,
  created with `assistant staff add`.  Sign-in sets a random session cookie (HttpOnly, SameSite=Lax,
  Secure over HTTPS) scoped to `/staff`; the session lives in the database (`staff_sessions`, only the
  token's SHA-256 is stored) and ends on sign-out, on a password change or deactivation, after
  `ASSISTANT_STAFF_IDLE_MINUTES` without use and after `ASSISTANT_STAFF_SESSION_HOURS` in any case.
* Sign-in attempts are counted before the password is checked, atomically in the database, per account
  and per client IP (`ratelimit.client_ip`: X-Forwarded-For only from a trusted proxy): 200 parallel
  guesses get at most `login_max_attempts` password checks, the rest 429.
* Every `/staff/api/*` route needs a valid sign-in: without one it answers
  401 `{"error": {"code": "unauthorized", "message": "请先登录"}}` and never data.  Pages redirect
  to `/staff/login`.  State-changing requests from another origin are refused (403).
* Conversation log, answer checks and corrections (curated answers, see `curated.py`), hit test,
  gaps, dashboard, 好差评 cases (see `feedback.py`), and account management for admins.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import re
import secrets
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Literal

import numpy as np
from limits import RateLimitItemPerSecond
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy import Boolean, DateTime, String, Text, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.core.rule_labels import explain, labelled
from assistant.store.db import Base, ensure_schema
from assistant.core.compose import law_refs
from assistant.config import Settings
from assistant.store.curated import CuratedStore
from assistant.web.routes.feedback import RATINGS, STATUSES, TAGS, FeedbackStore, overdue_reason
from assistant.core.text.normalize import mask_pii
from assistant.core.assistant import Context
from assistant.web.ratelimit import Limiter, RateLimited, client_ip
from assistant.store.conversations import Conversation, Message, SessionStore
from assistant.web.staff.kb import kb_router

from assistant.web import STATIC as WEB  # noqa: E402
COOKIE = "daoban_staff"
ROLES = ("guide", "admin")
USERNAME = re.compile(r"^[\w.\-]{2,32}$")
MIN_PASSWORD = 8
LOGIN_WINDOW = 600  # seconds
LOGIN_MAX_FAILURES = 5
SCAN_LIMIT = 20_000  # messages scanned by one log / dashboard / gaps query
GAP_THRESHOLD = 0.93  # cosine for grouping gap questions (paraphrases ≥ 0.93, different topics lower)
BATCH_LIMIT = 200
UTC = timezone.utc

# field names for the app's Chinese 422 messages
FIELD_NAMES = {"username": "用户名 username", "password": "密码 password", "role": "角色 role",
               "question": "问题 question", "item_id": "事项 item_id", "answer": "答案 answer",
               "chunk_ids": "引用 chunk_ids", "verdict": "结论 verdict", "reason": "理由 reason",
               "status": "状态 status", "owner": "负责人 owner", "note": "备注 note", "cases": "题目 cases",
               "start": "开始日期 start", "end": "结束日期 end", "days": "天数 days", "threshold": "阈值 threshold",
               "page": "页码 page", "size": "每页条数 size"}


# ===================================================================== accounts

StaffBase = Base  # one metadata for every table (db.py, migrated by Alembic)


class StaffUser(StaffBase):
    __tablename__ = "staff_users"
    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class StaffSessionRow(StaffBase):
    """A signed-in browser.  ``id`` is the SHA-256 of the cookie value (a leaked table signs no one in)."""
    __tablename__ = "staff_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class StaffMeta(StaffBase):
    __tablename__ = "staff_meta"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _hasher():
    from argon2 import PasswordHasher

    # OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


_ARGON = _hasher()


def hash_password(password: str) -> str:
    return _ARGON.hash(password)


def _check_scrypt(password: str, stored: str) -> bool:
    algo, n, r, p, salt, dk = stored.split("$")
    if algo != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(_unb64(dk)),
                         maxmem=64 * 1024 * 1024)
    return hmac.compare_digest(got, _unb64(dk))


def check_password(password: str, stored: str) -> bool:
    """Argon2id hashes, and the scrypt hashes of earlier versions (re-hashed at sign-in, see `needs_rehash`)."""
    from argon2.exceptions import Argon2Error, InvalidHashError

    try:
        if stored.startswith("scrypt$"):
            return _check_scrypt(password, stored)
        return _ARGON.verify(stored, password)
    except (Argon2Error, InvalidHashError, ValueError, TypeError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return stored.startswith("scrypt$") or _ARGON.check_needs_rehash(stored)
    except Exception:  # noqa: BLE001 - an unreadable hash is replaced at the next good sign-in
        return True


_DUMMY_HASH = hash_password(secrets.token_hex(8))  # unknown users cost as much time as known ones


@dataclass(frozen=True)
class Staff:
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class AccountError(ValueError):
    pass


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class StaffStore:
    """Staff accounts and server-side sign-in sessions."""

    def __init__(self, engine: Engine, secret: str | None = None, session_hours: int = 12, idle_minutes: int = 30,
                 clock: Callable[[], datetime] | None = None):
        ensure_schema(engine)
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._secret = secret.encode() if secret else None
        self.session_seconds = int(session_hours * 3600)
        self.idle = timedelta(minutes=idle_minutes)
        self.clock = clock or _utcnow

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            with self._session() as db:
                row = db.get(StaffMeta, "cookie_secret")
                if row is None:
                    db.add(StaffMeta(key="cookie_secret", value=secrets.token_hex(32)))
                    try:
                        db.commit()
                    except IntegrityError:  # another worker made it first
                        db.rollback()
                    row = db.get(StaffMeta, "cookie_secret")
                self._secret = row.value.encode()
        return self._secret

    # -- accounts
    def add(self, username: str, password: str, role: str = "guide") -> StaffUser:
        username = username.strip()
        if not USERNAME.match(username):
            raise AccountError("用户名须为 2–32 个字母、数字、汉字或 . _ -")
        if role not in ROLES:
            raise AccountError("角色只能是 guide（导办员）或 admin（管理员）")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
        with self._session() as db:
            if db.get(StaffUser, username) is not None:
                raise AccountError(f"用户名「{username}」已存在")
            user = StaffUser(username=username, password_hash=hash_password(password), role=role, active=True,
                             created_at=_utcnow())
            db.add(user)
            db.commit()
            return user

    def update(self, username: str, password: str | None = None, role: str | None = None,
               active: bool | None = None) -> StaffUser:
        with self._session() as db:
            user = db.get(StaffUser, username)
            if user is None:
                raise AccountError(f"没有用户「{username}」")
            if password is not None:
                if len(password) < MIN_PASSWORD:
                    raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
                user.password_hash = hash_password(password)
                self._end_sessions(db, username)  # a changed password ends every sign-in of the account
            if role is not None:
                if role not in ROLES:
                    raise AccountError("角色只能是 guide（导办员）或 admin（管理员）")
                user.role = role
            if active is not None:
                user.active = active
                if not active:
                    self._end_sessions(db, username)
            db.commit()
            return user

    def get(self, username: str) -> StaffUser | None:
        with self._session() as db:
            return db.get(StaffUser, username)

    def all(self) -> list[StaffUser]:
        with self._session() as db:
            return list(db.scalars(select(StaffUser).order_by(StaffUser.created_at)))

    def verify(self, username: str, password: str) -> StaffUser | None:
        user = self.get(username.strip()) if username else None
        ok = check_password(password, user.password_hash if user else _DUMMY_HASH)
        if not (ok and user is not None and user.active):
            return None
        with self._session() as db:
            u = db.get(StaffUser, user.username)
            u.last_login = _utcnow()
            if needs_rehash(u.password_hash):  # scrypt of earlier versions → Argon2id, same password
                u.password_hash = hash_password(password)
            db.commit()
        return user

    # -- server-side sessions: the cookie is a random token, the table keeps its SHA-256
    @staticmethod
    def _digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def _end_sessions(db, username: str) -> None:
        db.execute(delete(StaffSessionRow).where(StaffSessionRow.username == username))

    def issue(self, user: StaffUser) -> str:
        token = secrets.token_urlsafe(32)
        t = self.clock()
        with self._session() as db:
            db.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at < t))
            db.add(StaffSessionRow(id=self._digest(token), username=user.username, created_at=t, last_seen=t,
                                   expires_at=t + timedelta(seconds=self.session_seconds)))
            db.commit()
        return token

    def revoke(self, token: str | None) -> None:
        if token and len(token) <= 400:
            with self._session() as db:
                db.execute(delete(StaffSessionRow).where(StaffSessionRow.id == self._digest(token)))
                db.commit()

    def read(self, token: str | None) -> Staff | None:
        if not token or len(token) > 400:
            return None
        t = self.clock()
        with self._session() as db:
            row = db.get(StaffSessionRow, self._digest(token))
            if row is None:
                return None
            if t >= row.expires_at or t - row.last_seen > self.idle:
                db.delete(row)
                db.commit()
                return None
            user = db.get(StaffUser, row.username)
            if user is None or not user.active:
                return None
            if t - row.last_seen > timedelta(seconds=30):  # idle clock, written at most twice a minute
                row.last_seen = t
                db.commit()
            return Staff(user.username, user.role)


# ===================================================================== errors and routing

class StaffError(Exception):
    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        return JSONResponse(status_code=self.status, content={"error": {"code": self.code, "message": self.message}})


class StaffRoute(APIRoute):
    """Turns `StaffError` (raised by the sign-in dependency or a handler) into its JSON answer."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def wrapped(request: Request) -> Response:
            try:
                response = await handler(request)
            except StaffError as e:
                response = e.response()
            response.headers["Cache-Control"] = "no-store"  # staff data never sits in a shared cache
            return response

        return wrapped


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


# ===================================================================== request bodies

class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)


class ReviewRequest(BaseModel):
    verdict: Literal["correct", "wrong"]
    reason: str = Field("", max_length=500)


class CuratedRequest(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    item_id: str = Field(min_length=1, max_length=128)
    answer: str = Field(min_length=1, max_length=4000)
    chunk_ids: list[str] = Field(default_factory=list, max_length=20)
    message_id: str | None = Field(None, max_length=40)
    reason: str = Field("", max_length=500)


class HitCase(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    expected: str | None = Field(None, max_length=128)


class BatchRequest(BaseModel):
    cases: list[HitCase] = Field(default_factory=list, max_length=BATCH_LIMIT)
    text: str | None = Field(None, max_length=200_000, description="每行一题：问题<Tab或逗号>期望事项（编号或名称）")


class CaseUpdate(BaseModel):
    status: Literal["待回访", "整改中", "已办结"] | None = None
    owner: str | None = Field(None, max_length=32)
    claim: bool = False
    note: str | None = Field(None, max_length=1000)


class NewStaff(BaseModel):
    username: str = Field(min_length=2, max_length=32)
    password: str = Field(min_length=1, max_length=200)
    role: Literal["guide", "admin"] = "guide"


class StaffUpdate(BaseModel):
    password: str | None = Field(None, max_length=200)
    role: Literal["guide", "admin"] | None = None
    active: bool | None = None


# ===================================================================== helpers

def parse_batch(text: str) -> list[HitCase]:
    """Lines of `question<TAB>expected` or CSV `question,expected`; a header line is skipped."""
    rows: list[HitCase] = []
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        if "\t" in line:
            parts = line.split("\t")
        else:
            parts = next(csv.reader(io.StringIO(line.replace("，", ","))), [line])
        q = parts[0].strip()
        exp = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
        if not rows and q.lower() in ("question", "问题", "q"):
            continue
        if q:
            rows.append(HitCase(question=q[:500], expected=exp[:128] if exp else None))
    return rows


class _Vectors:
    """Question vectors for gap grouping, cached in memory."""

    def __init__(self, limit: int = 50_000):
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.limit = limit

    def get(self, embedder, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for i in range(0, len(missing), 64):
            batch = missing[i:i + 64]
            vecs = embedder.queries(batch)
            with self._lock:
                if len(self._cache) > self.limit:
                    self._cache.clear()
                self._cache.update(zip(batch, np.asarray(vecs, dtype=np.float32)))
        with self._lock:
            return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)


def cluster(vecs: np.ndarray, threshold: float) -> list[list[int]]:
    """Greedy leader clustering: each row joins the closest existing leader at or above
    `threshold`, otherwise leads a new group.  Rows are taken in the given order."""
    leaders: list[int] = []
    groups: list[list[int]] = []
    for i in range(len(vecs)):
        if leaders:
            sims = vecs[leaders] @ vecs[i]
            j = int(np.argmax(sims))
            if sims[j] >= threshold:
                groups[j].append(i)
                continue
        leaders.append(i)
        groups.append([i])
    return groups


# ===================================================================== the router

def staff_router(*, accounts: StaffStore, sessions: SessionStore, curated: CuratedStore, feedback: FeedbackStore,
                 get_assistant: Callable[[], object], settings: Settings) -> APIRouter:
    """Pages `/staff`, `/staff/login`, `/staff/logout` and the signed-in JSON API `/staff/api/*`."""
    tz = timezone(timedelta(hours=settings.staff_utc_offset_hours))
    clock = feedback.clock
    db_session = sessionmaker(sessions.engine, expire_on_commit=False)
    limiter = Limiter(settings, sessions.engine)
    per_account = RateLimitItemPerSecond(settings.login_max_attempts, settings.login_window_seconds)
    per_ip = RateLimitItemPerSecond(settings.login_max_attempts * 4, settings.login_window_seconds)
    vectors = _Vectors()

    # ---------------------------------------------------------------- time helpers
    def iso(dt: datetime | None) -> str | None:
        return dt.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds") if dt else None

    def note_time(value: str | None) -> str | None:
        try:
            return iso(datetime.fromisoformat(value)) if value else None
        except ValueError:
            return value

    def local_day(dt: datetime) -> date:
        return dt.replace(tzinfo=UTC).astimezone(tz).date()

    def day_start(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)

    def span(start: date | None, end: date | None, days: int = 30) -> tuple[date, date]:
        today = local_day(clock())
        end = end or today
        start = start or (end - timedelta(days=days - 1))
        if start > end:
            raise StaffError(422, "invalid_request", "开始日期不能晚于结束日期")
        return start, end

    # ---------------------------------------------------------------- auth
    def current(request: Request) -> Staff:
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            raise StaffError(403, "forbidden", "拒绝跨站请求")
        staff = accounts.read(request.cookies.get(COOKIE))
        if staff is None:
            raise StaffError(401, "unauthorized", "请先登录")
        return staff

    accounts.signed_in = current  # the same sign-in check for staff routes registered elsewhere (staff_handoff.py)

    def admin(staff: Staff = Depends(current)) -> Staff:
        if not staff.is_admin:
            raise StaffError(403, "forbidden", "需要管理员权限")
        return staff

    accounts.admin_only = admin

    def secure(request: Request) -> bool:
        if settings.staff_cookie_secure != "auto":
            return settings.staff_cookie_secure == "always"
        return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").startswith("https")

    def assistant():
        a = get_assistant()
        if a is None:
            raise StaffError(503, "not_ready", "服务正在启动，请稍后再试")
        return a

    # ---------------------------------------------------------------- pages
    pages = APIRouter(include_in_schema=False)

    @pages.get("/staff")
    def console(request: Request):
        if accounts.read(request.cookies.get(COOKIE)) is None:
            return RedirectResponse("/staff/login", status_code=303)
        return FileResponse(WEB / "staff.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-store"})

    @pages.get("/staff/")
    def console_slash():
        return RedirectResponse("/staff", status_code=303)

    @pages.get("/staff/login")
    def login_page(request: Request):
        if accounts.read(request.cookies.get(COOKIE)) is not None:
            return RedirectResponse("/staff", status_code=303)
        return FileResponse(WEB / "login.html", media_type="text/html; charset=utf-8")

    @pages.post("/staff/login")
    async def login(request: Request):
        form = "application/json" not in request.headers.get("content-type", "")
        try:
            data = dict(await request.form()) if form else await request.json()
            creds = LoginRequest.model_validate(data)
        except Exception:  # noqa: BLE001 — any malformed body is the same answer
            return StaffError(422, "invalid_request", "请输入用户名和密码").response()
        if not _same_origin(request):
            return StaffError(403, "forbidden", "拒绝跨站请求").response()
        account, ip = creds.username.strip().lower(), client_ip(request, settings.trusted_proxies)
        try:  # counted before the password is checked: parallel guesses cannot outrun the count
            await run_in_threadpool(limiter.hit, "login_account", account, item=per_account, force=True)
            await run_in_threadpool(limiter.hit, "login_ip", ip, item=per_ip, force=True)
        except RateLimited as e:
            minutes = max(1, -(-e.retry_after // 60))
            return JSONResponse(status_code=429, headers={"Retry-After": str(e.retry_after)}, content={"error": {
                "code": "too_many_attempts", "message": f"登录失败次数过多，请{minutes}分钟后再试"}})
        user = await run_in_threadpool(accounts.verify, creds.username, creds.password)
        if user is None:
            if form:
                return RedirectResponse("/staff/login?error=1", status_code=303)
            return StaffError(401, "bad_credentials", "用户名或密码不正确").response()
        await run_in_threadpool(limiter.clear, "login_account", account, per_account)
        await run_in_threadpool(limiter.refund, "login_ip", ip, per_ip)
        resp = (RedirectResponse("/staff", status_code=303) if form
                else JSONResponse({"user": {"username": user.username, "role": user.role}}))
        resp.set_cookie(COOKIE, accounts.issue(user), max_age=accounts.session_seconds, path="/staff",
                        httponly=True, samesite="lax", secure=secure(request))
        return resp

    @pages.post("/staff/logout")
    def logout(request: Request):
        form = "application/json" not in request.headers.get("content-type", "")
        resp = RedirectResponse("/staff/login", status_code=303) if form else JSONResponse({"ok": True})
        accounts.revoke(request.cookies.get(COOKIE))  # the session ends on the server, not just in this browser
        resp.delete_cookie(COOKIE, path="/staff", httponly=True, samesite="lax", secure=secure(request))
        return resp

    # ---------------------------------------------------------------- API
    api = APIRouter(prefix="/staff/api", route_class=StaffRoute, dependencies=[Depends(current)], tags=["staff"])

    @api.get("/me", summary="当前登录的工作人员")
    def me(staff: Staff = Depends(current)):
        return {"username": staff.username, "role": staff.role, "ratings": list(RATINGS), "statuses": list(STATUSES),
                "tags": TAGS, "timezone": f"UTC{settings.staff_utc_offset_hours:+g}"}

    # -- shared loading of turns (a user question and the answer to it)
    def load_turns(start: date, end: date, channel: str | None = None, kind: str | None = None,
                   conversation_id: str | None = None, with_trace: bool = False) -> list[dict]:
        cols = [Message.id, Message.conversation_id, Message.seq, Message.role, Message.text, Message.kind,
                Message.items, Message.created_at, Conversation.channel]
        if with_trace:
            cols.append(Message.trace)
        q = (select(*cols).join(Conversation, Conversation.id == Message.conversation_id)
             .where(Message.created_at >= day_start(start), Message.created_at < day_start(end + timedelta(days=1))))
        if conversation_id:
            q = q.where(Message.conversation_id == conversation_id)
        if channel:
            q = q.where(Conversation.channel == channel)
        q = q.order_by(Message.created_at.desc(), Message.seq.desc()).limit(SCAN_LIMIT)
        with db_session() as db:
            rows = db.execute(q).all()
        users = {(r.conversation_id, r.seq): r.text for r in rows if r.role == "user"}
        turns = []
        for r in rows:
            if r.role != "assistant" or (kind and r.kind != kind):
                continue
            turns.append({"id": r.id, "conversation_id": r.conversation_id, "seq": r.seq, "answer": r.text,
                          "kind": r.kind, "items": list(r.items or []), "created_at": r.created_at,
                          "channel": r.channel, "question": users.get((r.conversation_id, r.seq - 1), ""),
                          "trace": r.trace if with_trace else None})
        return turns

    def item_name(a, value: str | None) -> str | None:
        if not value:
            return None
        g = a.guides.get(value)
        return g.name if g else value

    def rating_ok(fb, rating: str | None) -> bool:
        if not rating:
            return True
        if rating == "unrated":
            return fb is None
        if fb is None:
            return False
        if rating == "rated":
            return True
        if rating == "bad":
            return fb.score <= 2
        if rating == "good":
            return fb.score >= 3
        return fb.rating == rating

    def matching_turns(start: date | None, end: date | None, channel: str | None, kind: str | None,
                       rating: str | None, item: str | None, review: str | None, q: str | None) -> tuple[list, bool]:
        """(turn, feedback, last review verdict) of the answers that pass the filters, newest first; and
        whether the scan hit SCAN_LIMIT (older answers not looked at)."""
        a = assistant()
        start, end = span(start, end, days=30)
        turns = load_turns(start, end, channel or None, kind or None)
        ids = [t["id"] for t in turns]
        fbs = feedback.for_messages(ids)
        reviews: dict[str, list] = defaultdict(list)
        for r in curated.reviews(ids):
            reviews[r.message_id].append(r)
        name = item_name(a, item)
        needle = q.strip().lower() if q and q.strip() else None
        matched = []
        for t in turns:
            fb = fbs.get(t["id"])
            last = reviews[t["id"]][-1].verdict if reviews.get(t["id"]) else None
            if name and name not in t["items"]:
                continue
            if not rating_ok(fb, rating):
                continue
            if (review == "unreviewed" and last is not None) or (review in ("correct", "wrong") and last != review):
                continue
            if needle and needle not in t["question"].lower() and needle not in t["answer"].lower():
                continue
            matched.append((t, fb, last))
        return matched, len(turns) >= SCAN_LIMIT

    accounts.matching_turns = matching_turns  # bulk review (staff_bulk.py) selects with the same filters

    @api.get("/conversations", summary="会话记录：按日期、渠道、类型、评价、事项筛选")
    def conversations(start: date | None = None, end: date | None = None, channel: str | None = None,
                      kind: str | None = None, rating: str | None = None, item: str | None = None,
                      review: Literal["correct", "wrong", "unreviewed"] | None = None,
                      q: str | None = Query(None, max_length=100), page: int = Query(1, ge=1),
                      size: int = Query(20, ge=1, le=100)):
        start, end = span(start, end, days=30)
        matched, truncated = matching_turns(start, end, channel, kind, rating, item, review, q)
        convs: dict[str, dict] = {}
        for t, fb, last in matched:  # newest first
            c = convs.setdefault(t["conversation_id"], {
                "id": t["conversation_id"], "channel": t["channel"], "last_at": iso(t["created_at"]),
                "first_at": iso(t["created_at"]), "turns": 0, "questions": [], "kinds": Counter(), "items": [],
                "ratings": [], "worst_score": None, "wrong": 0, "correct": 0})
            c["turns"] += 1
            c["first_at"] = iso(t["created_at"])
            c["questions"].insert(0, t["question"])
            c["kinds"][t["kind"]] += 1
            for n in t["items"]:
                if n not in c["items"]:
                    c["items"].append(n)
            if fb is not None:
                c["ratings"].append(fb.rating)
                c["worst_score"] = fb.score if c["worst_score"] is None else min(c["worst_score"], fb.score)
            if last:
                c[last] += 1
        rows = list(convs.values())
        for c in rows:
            c["kinds"] = dict(c["kinds"])
            c["questions"] = c["questions"][:3]
            c["worst_rating"] = next((k for k, v in RATINGS.items() if v == c["worst_score"]), None)
        total = len(rows)
        return {"start": start.isoformat(), "end": end.isoformat(), "total": total, "page": page, "size": size,
                "turns": len(matched), "truncated": truncated,
                "conversations": rows[(page - 1) * size: page * size]}

    def chunk_out(a, chunk_id: str, n: int | None = None) -> dict:
        c = a.index.by_id.get(chunk_id)
        if c is None:
            return {"chunk_id": chunk_id, "missing": True, "n": n}
        return {"n": n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": c.title, "section": c.section,
                "text": c.text, "source": c.source, "kind": c.kind, "item_id": c.item_id}

    def case_out(c, fb=None, turn: dict | None = None) -> dict:
        reason = overdue_reason(c, clock())
        out = {"id": c.id, "message_id": c.message_id, "status": c.status, "owner": c.owner,
               "created_at": iso(c.created_at), "reply_due": iso(c.reply_due), "fix_due": iso(c.fix_due),
               "replied_at": iso(c.replied_at), "closed_at": iso(c.closed_at), "overdue": reason is not None,
               "overdue_reason": reason, "notes": [n | {"at": note_time(n.get("at"))} for n in c.notes or []]}
        if fb is not None:
            out |= {"rating": fb.rating, "tags": fb.tags, "text": fb.text, "channel": fb.channel,
                    "conversation_id": fb.conversation_id}
        if turn is not None:
            out |= {"question": turn["question"], "answer": turn["answer"], "kind": turn["kind"], "items": turn["items"]}
        return out

    @api.get("/conversations/{conversation_id}", summary="一个会话：每条回答及其检索、路由轨迹")
    def conversation(conversation_id: str):
        a = assistant()
        with db_session() as db:
            conv = db.get(Conversation, conversation_id)
            if conv is None:
                raise StaffError(404, "not_found", "没有这个会话")
            msgs = list(db.scalars(select(Message).where(Message.conversation_id == conversation_id)
                                   .order_by(Message.seq)))
        ids = [m.id for m in msgs if m.role == "assistant"]
        fbs = feedback.for_messages(ids)
        cases = feedback.cases_for_messages(ids)
        reviews: dict[str, list] = defaultdict(list)
        for r in curated.reviews(ids):
            reviews[r.message_id].append({"verdict": r.verdict, "reason": r.reason, "staff": r.staff,
                                          "curated_id": r.curated_id, "at": iso(r.created_at)})
        cur = curated.for_messages(ids)
        ids_by_name = {g.name: g.id for g in a.index.corpus.guides}
        turns, question = [], ""
        for m in msgs:
            if m.role == "user":
                question = m.text
                continue
            trace = m.trace or {}
            fb = fbs.get(m.id)
            turns.append({
                "id": m.id, "seq": m.seq, "question": question, "answer": m.text, "kind": m.kind,
                "items": m.items or [], "created_at": iso(m.created_at),
                "item_ids": [ids_by_name[n] for n in (m.items or []) if n in ids_by_name],
                "trace": trace, "why": explain(trace), "rule_labels": labelled(trace.get("rules")),
                "citations": [chunk_out(a, cid, n) for n, cid in enumerate(trace.get("citations", []), 1)],
                "feedback": {"rating": fb.rating, "score": fb.score, "tags": fb.tags, "text": fb.text,
                             "at": iso(fb.created_at)} if fb else None,
                "case": case_out(cases[m.id]) if m.id in cases else None,
                "reviews": reviews.get(m.id, []),
                "curated": [{"id": c.id, "question": c.question, "item_id": c.item_id, "answer": c.answer,
                             "chunk_ids": c.chunk_ids, "active": c.active, "created_by": c.created_by,
                             "citations": [chunk_out(a, cid, n) for n, cid in enumerate(c.chunk_ids, 1)],
                             "at": iso(c.created_at)} for c in cur.get(m.id, [])],
            })
        return {"id": conv.id, "channel": conv.channel, "created_at": iso(conv.created_at),
                "updated_at": iso(conv.updated_at), "turns": turns}

    def message_or_404(message_id: str) -> Message:
        with db_session() as db:
            m = db.get(Message, message_id)
        if m is None or m.role != "assistant":
            raise StaffError(404, "not_found", "没有这条回答")
        return m

    @api.post("/messages/{message_id}/review", summary="核对一条回答：正确 / 有误（附理由）")
    def review(message_id: str, body: ReviewRequest, staff: Staff = Depends(current)):
        message_or_404(message_id)
        if body.verdict == "wrong" and not body.reason.strip():
            raise StaffError(422, "invalid_request", "标记有误时请写明理由")
        r = curated.review(message_id, body.verdict, body.reason, staff.username)
        return {"id": r.id, "message_id": message_id, "verdict": r.verdict, "reason": r.reason, "staff": r.staff,
                "at": iso(r.created_at)}

    # -- curated answers
    def curated_out(c) -> dict:
        return {"id": c.id, "question": c.question, "normalized": c.normalized, "item_id": c.item_id,
                "answer": c.answer, "chunk_ids": c.chunk_ids, "message_id": c.message_id, "created_by": c.created_by,
                "created_at": iso(c.created_at), "active": c.active}

    @api.get("/curated", summary="人工审核答案（更正后的答案）")
    def curated_list(all: bool = False):
        a = assistant()
        return {"curated": [curated_out(c) | {"item_name": item_name(a, c.item_id)} for c in curated.all(all)]}

    @api.post("/curated", status_code=201, summary="写更正答案：立即对相同和相近的问题生效")
    def curated_add(body: CuratedRequest, staff: Staff = Depends(current)):
        a = assistant()
        if body.item_id not in a.guides:
            raise StaffError(422, "invalid_request", f"没有编号为「{body.item_id}」的事项")
        unknown = [c for c in body.chunk_ids if c not in a.index.by_id]
        if unknown:
            raise StaffError(422, "invalid_request", f"引用的片段不存在：{'、'.join(unknown[:3])}")
        if body.message_id:
            message_or_404(body.message_id)
        answer = re.sub(r"\[\d{1,3}\]", "", body.answer).strip()  # the pipeline numbers the citations itself
        answer = answer.removeprefix("【人工审核】").strip()
        if not answer:
            raise StaffError(422, "invalid_request", "答案不能为空")
        row = curated.add(mask_pii(body.question), body.item_id, answer, body.chunk_ids, staff.username,
                          body.message_id)
        if body.message_id:
            curated.review(body.message_id, "wrong", body.reason or "已写更正答案", staff.username, row.id)
        return curated_out(row) | {"item_name": item_name(a, row.item_id)}

    @api.post("/curated/{curated_id}/disable", summary="停用一条人工审核答案（管理员或作者）")
    def curated_disable(curated_id: str, staff: Staff = Depends(current)):
        row = curated.get(curated_id)
        if row is None:
            raise StaffError(404, "not_found", "没有这条人工审核答案")
        if not staff.is_admin and row.created_by != staff.username:
            raise StaffError(403, "forbidden", "只有管理员或作者可以停用")
        curated.deactivate(curated_id)
        return {"id": curated_id, "active": False}

    # -- items and their chunks, for choosing citations
    @api.get("/items", summary="全部事项（编号、名称、部门）")
    def items():
        a = assistant()
        return {"items": [{"id": g.id, "name": g.name, "department": g.department} for g in a.index.corpus.guides]}

    @api.get("/items/{item_id}/chunks", summary="一个事项可引用的片段：办事指南各字段与设定依据法条")
    def item_chunks(item_id: str):
        a = assistant()
        g = a.guides.get(item_id)
        if g is None:
            raise StaffError(404, "not_found", f"没有编号为「{item_id}」的事项")
        own = [c.chunk_id for c in a.index.chunks if c.item_id == item_id]
        laws = [c.chunk_id for c in law_refs(a.index, g, limit=6)]
        return {"item": {"id": g.id, "name": g.name}, "chunks": [chunk_out(a, c) for c in own + laws]}

    # -- hit test
    def outcome(a, question: str) -> dict:
        r = a.answer(question, Context())
        resp, trace = r, r.trace
        return {"kind": resp.kind, "decision": trace.get("decision"), "answer": resp.answer,
                "items": [{"id": i.id, "name": i.name, "score": i.score} for i in resp.items],
                "citations": [c.chunk_id for c in resp.citations], "ranked": trace.get("items", []),
                "signals": trace.get("signals"), "rules": trace.get("rules", []), "query": trace.get("query"),
                "curated": str(trace.get("decision", "")).startswith("curated"), "ms": trace.get("ms"),
                "why": explain(trace), "rule_labels": labelled(trace.get("rules"))}

    @api.get("/hit-test", summary="命中测试：融合检索（BM25 与向量分数）和路由结果")
    def hit_test(q: str = Query(min_length=1, max_length=500), k: int = Query(10, ge=1, le=50)):
        a = assistant()
        retrieval = a.search(q, k=k)
        return {"query": q, "search_text": retrieval.query,
                "results": [h.as_dict() | {"bm25_rank": h.bm25_rank, "dense_rank": h.dense_rank, "kind": h.chunk.kind,
                                           "item_id": h.chunk.item_id} for h in retrieval.hits[:k]],
                "outcome": outcome(a, q)}

    def resolve_expected(a, exp: str | None) -> tuple[str | None, str | None, str | None]:
        """(item id, expected kind, error)."""
        if not exp:
            return None, None, None
        e = exp.strip()
        kinds = {"refuse": "refuse", "拒答": "refuse", "拒绝": "refuse", "handoff": "handoff", "转人工": "handoff",
                 "clarify": "clarify", "澄清": "clarify", "policy": "policy", "政策": "policy"}
        if e.lower() in kinds:
            return None, kinds[e.lower()], None
        if e in a.guides:
            return e, None, None
        by_name = {g.name: g.id for g in a.index.corpus.guides}
        if e in by_name:
            return by_name[e], None, None
        return None, None, f"未知的期望事项「{e}」"

    @api.post("/hit-test", summary="批量命中测试：每题的结果与命中率")
    def hit_test_batch(body: BatchRequest):
        a = assistant()
        cases = list(body.cases)
        if body.text:
            cases += parse_batch(body.text)
        if not cases:
            raise StaffError(422, "invalid_request", "请至少提供一道题（每行：问题<Tab>期望事项）")
        if len(cases) > BATCH_LIMIT:
            raise StaffError(422, "invalid_request", f"一次最多 {BATCH_LIMIT} 道题")
        rows, hits, hits_any, scored = [], 0, 0, 0
        for c in cases:
            exp_id, exp_kind, error = resolve_expected(a, c.expected)
            o = outcome(a, c.question)
            got = [i["id"] for i in o["items"]]
            hit = hit_any = None
            if exp_id:
                hit, hit_any = bool(got) and got[0] == exp_id and o["kind"] != "clarify", exp_id in got
            elif exp_kind:
                hit = hit_any = o["kind"] == exp_kind
            if hit is not None:
                scored += 1
                hits += hit
                hits_any += hit_any
            rows.append({"question": c.question, "expected": c.expected, "expected_id": exp_id,
                         "expected_kind": exp_kind, "error": error, "kind": o["kind"], "decision": o["decision"],
                         "items": o["items"], "hit": hit, "hit_any": hit_any, "curated": o["curated"]})
        return {"total": len(rows), "scored": scored, "hits": hits, "hit_rate": round(hits / scored, 4) if scored else None,
                "hit_any_rate": round(hits_any / scored, 4) if scored else None,
                "kinds": dict(Counter(r["kind"] for r in rows)), "results": rows}

    # -- gaps
    @api.get("/gaps", summary="缺口：被拒答或差评的问题，按相似度分组计数")
    def gaps(start: date | None = None, end: date | None = None, days: int = Query(30, ge=1, le=366),
             threshold: float = Query(GAP_THRESHOLD, ge=0.5, le=1.0), out_of_scope: bool = False,
             channel: str | None = None):
        a = assistant()
        start, end = span(start, end, days)
        turns = load_turns(start, end, channel or None)
        ids = [t["id"] for t in turns]
        fbs = feedback.for_messages(ids)
        wrong = {r.message_id for r in curated.reviews(ids) if r.verdict == "wrong"}
        refuse_ids = [t["id"] for t in turns if t["kind"] == "refuse"]
        decisions: dict[str, str] = {}
        if refuse_ids:
            with db_session() as db:
                for i in range(0, len(refuse_ids), 500):
                    for mid, trace in db.execute(select(Message.id, Message.trace)
                                                 .where(Message.id.in_(refuse_ids[i:i + 500]))):
                        decisions[mid] = (trace or {}).get("decision", "")
        picked = []
        for t in turns:
            why = []
            if t["kind"] == "refuse":
                d = decisions.get(t["id"], "")
                if "no evidence" in d or out_of_scope:
                    why.append("refused")
            fb = fbs.get(t["id"])
            if fb is not None and fb.score <= 2:
                why.append("bad_rating")
            if t["id"] in wrong:
                why.append("wrong")
            if why and t["question"].strip():
                picked.append((t, why))
        picked.reverse()  # oldest first: the first wording of a gap leads its group
        texts = [t["question"] for t, _ in picked]
        vecs = vectors.get(a.index.embedder, texts) if texts else np.zeros((0, 1))
        groups = []
        for rows in cluster(vecs, threshold) if texts else []:
            members = [picked[i] for i in rows]
            qs = Counter(t["question"] for t, _ in members)
            reasons = Counter(w for _, why in members for w in why)
            items = Counter(n for t, _ in members for n in t["items"])
            groups.append({"label": members[0][0]["question"], "count": len(members),
                           "questions": [{"text": q, "count": n} for q, n in qs.most_common(10)],
                           "reasons": dict(reasons), "items": [n for n, _ in items.most_common(3)],
                           "last_at": iso(max(t["created_at"] for t, _ in members)),
                           "examples": [{"message_id": t["id"], "conversation_id": t["conversation_id"]}
                                        for t, _ in members[-3:]]})
        groups.sort(key=lambda g: (-g["count"], g["label"]))
        return {"start": start.isoformat(), "end": end.isoformat(), "threshold": threshold, "total": len(picked),
                "groups": groups}

    # -- dashboard
    @api.get("/dashboard", summary="看板：每日问题数、渠道、热门事项、拒答率、评价分布")
    def dashboard(start: date | None = None, end: date | None = None, days: int = Query(30, ge=1, le=366)):
        start, end = span(start, end, days)
        turns = load_turns(start, end)
        per_day = {(start + timedelta(days=i)).isoformat(): {"total": 0, "refuse": 0}
                   for i in range((end - start).days + 1)}
        channels, kinds, items = Counter(), Counter(), Counter()
        convs = set()
        curated_hits = 0
        for t in turns:
            d = per_day.get(local_day(t["created_at"]).isoformat())
            if d is not None:
                d["total"] += 1
                d["refuse"] += t["kind"] == "refuse"
            channels[t["channel"] or "web"] += 1
            kinds[t["kind"]] += 1
            items.update(t["items"])
            convs.add(t["conversation_id"])
            curated_hits += t["answer"].startswith("【人工审核】")
        fbs = feedback.all(day_start(start), day_start(end + timedelta(days=1)))
        ratings = Counter(f.rating for f in fbs)
        total = len(turns)
        now_ = clock()
        all_cases = feedback.cases()
        open_cases = [c for c in all_cases if c.status != "已办结"]
        return {
            "start": start.isoformat(), "end": end.isoformat(), "questions": total, "conversations": len(convs),
            "per_day": [{"date": k, **v} for k, v in per_day.items()],
            "channels": [{"channel": k, "count": v} for k, v in channels.most_common()],
            "kinds": dict(kinds), "refusal_rate": round(kinds["refuse"] / total, 4) if total else None,
            "top_items": [{"name": k, "count": v} for k, v in items.most_common(10)],
            "ratings": [{"rating": k, "count": ratings.get(k, 0)} for k in RATINGS],
            "rated": len(fbs), "rating_rate": round(len(fbs) / total, 4) if total else None,
            "satisfaction": round(sum(f.score >= 3 for f in fbs) / len(fbs), 4) if fbs else None,
            "curated": {"active": len(curated.all()), "answers": curated_hits},
            "cases": {"open": len(open_cases), "overdue": sum(overdue_reason(c, now_) is not None for c in open_cases),
                      "closed": len(all_cases) - len(open_cases)},
            "truncated": total >= SCAN_LIMIT,
        }

    # -- 好差评 cases
    @api.get("/cases", summary="差评回访工单（超期的排在前面，overdue: true）")
    def cases(status: str | None = None, overdue: bool | None = None, mine: bool = False,
              staff: Staff = Depends(current), owner: str | None = None):
        if status and status not in STATUSES:
            raise StaffError(422, "invalid_request", "状态只能是 待回访、整改中 或 已办结")
        rows = feedback.cases(status or None)
        ids = [c.message_id for c in rows]
        fbs = feedback.for_messages(ids)
        turns: dict[str, dict] = {}
        if ids:
            with db_session() as db:
                msgs = {m.id: m for m in db.scalars(select(Message).where(Message.id.in_(ids)))}
                keys = {(m.conversation_id, m.seq - 1) for m in msgs.values()}
                conv_ids = list({k[0] for k in keys})
                users = {(u.conversation_id, u.seq): u.text for u in db.scalars(
                    select(Message).where(Message.conversation_id.in_(conv_ids), Message.role == "user"))}
            for mid, m in msgs.items():
                turns[mid] = {"question": users.get((m.conversation_id, m.seq - 1), ""), "answer": m.text,
                              "kind": m.kind, "items": m.items or []}
        out = [case_out(c, fbs.get(c.message_id), turns.get(c.message_id)) for c in rows]
        if overdue is not None:
            out = [c for c in out if c["overdue"] == overdue]
        if mine:
            out = [c for c in out if c["owner"] == staff.username]
        if owner is not None:  # "" or "-" = not yet assigned
            out = [c for c in out if (c["owner"] or "") == ("" if owner == "-" else owner)]
        order = {s: i for i, s in enumerate(STATUSES)}
        out.sort(key=lambda c: (not c["overdue"], order[c["status"]], c["fix_due"]))
        counts = Counter(c["status"] for c in out)
        return {"now": iso(clock()), "cases": out, "counts": {s: counts.get(s, 0) for s in STATUSES},
                "overdue": sum(c["overdue"] for c in out)}

    @api.post("/cases/{case_id}", summary="更新工单：状态、负责人、回访记录")
    def case_update(case_id: str, body: CaseUpdate, staff: Staff = Depends(current)):
        owner = staff.username if body.claim else body.owner
        if owner and accounts.get(owner) is None:
            raise StaffError(422, "invalid_request", f"没有工作人员「{owner}」")
        c = feedback.update_case(case_id, staff.username, status=body.status, owner=owner, note=body.note)
        if c is None:
            raise StaffError(404, "not_found", "没有这个工单")
        fb = feedback.for_messages([c.message_id]).get(c.message_id)
        return case_out(c, fb)

    accounts.case_out, accounts.list_cases, accounts.iso = case_out, cases, iso  # for staff_cases.py

    # -- accounts (admin)
    def user_out(u: StaffUser) -> dict:
        return {"username": u.username, "role": u.role, "active": u.active, "created_at": iso(u.created_at),
                "last_login": iso(u.last_login)}

    @api.get("/staff", summary="工作人员列表")
    def staff_list():
        return {"staff": [user_out(u) for u in accounts.all()]}

    @api.post("/staff", status_code=201, summary="新增工作人员（管理员）")
    def staff_add(body: NewStaff, _: Staff = Depends(admin)):
        try:
            return user_out(accounts.add(body.username, body.password, body.role))
        except AccountError as e:
            raise StaffError(422, "invalid_request", str(e)) from None

    @api.post("/staff/{username}", summary="修改工作人员：角色、停用、重置密码（管理员）")
    def staff_update(username: str, body: StaffUpdate, me_: Staff = Depends(admin)):
        if username == me_.username and (body.active is False or body.role == "guide"):
            raise StaffError(422, "invalid_request", "不能停用自己或取消自己的管理员权限")
        try:
            return user_out(accounts.update(username, body.password, body.role, body.active))
        except AccountError as e:
            raise StaffError(404 if "没有用户" in str(e) else 422, "invalid_request", str(e)) from None

    api.include_router(kb_router(curated=curated, feedback=feedback, sessions=sessions, get_assistant=get_assistant, settings=settings, current=current, admin=admin, route_class=StaffRoute, error=StaffError))  # bulk in/out: staff_kb.py
    router = APIRouter()
    router.include_router(pages)
    router.include_router(api)
    return router
