"""Staff accounts and their server-side sign-in sessions (tables ``staff_users``, ``staff_sessions``,
``staff_meta``).

* Passwords: Argon2id (argon2-cffi, OWASP's 19 MiB / 2 passes / 1 lane); scrypt hashes of earlier versions
  still verify and are re-hashed at the next good sign-in (`needs_rehash`).  An unknown user name costs as
  much time as a known one (`_DUMMY_HASH`), so timing does not tell which accounts exist.
* Sessions: the cookie is a random token; the table keeps only its SHA-256, so a leaked table signs no one
  in.  A session ends on sign-out, on a password change or deactivation of its account, after
  ``idle_minutes`` without use (e.g. 30) and after ``session_hours`` in any case (e.g. 12).
* Roles: ``guide`` (导办员) and ``admin`` (管理员), made with ``assistant staff add NAME --role admin``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Boolean, DateTime, String, Text, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from assistant.clock import utcnow
from assistant.store.db import Base, ensure_schema

ROLES = ("guide", "admin")
USERNAME = re.compile(r"^[\w.\-]{2,32}$")
MIN_PASSWORD = 8


class StaffUser(Base):
    __tablename__ = "staff_users"
    username: Mapped[str] = mapped_column(String(32), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class StaffSessionRow(Base):
    """A signed-in browser.  ``id`` is the SHA-256 of the cookie value (a leaked table signs no one in)."""
    __tablename__ = "staff_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class StaffMeta(Base):
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


class StaffStore:
    """Staff accounts and server-side sign-in sessions."""

    def __init__(self, engine: Engine, secret: str | None = None, session_hours: int = 12, idle_minutes: int = 30,
                 clock: Callable[[], datetime] | None = None):
        ensure_schema(engine)
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._secret = secret.encode() if secret else None
        self.session_seconds = int(session_hours * 3600)
        self.idle = timedelta(minutes=idle_minutes)
        self.clock = clock or utcnow

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
                             created_at=utcnow())
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
            u.last_login = utcnow()
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
