"""State that every replica must see, kept in the conversations database instead of a process.

Behind a load balancer two messages of one WeChat follower may reach two different replicas (or
the same replica after a restart).  So:

* ``wechat_sessions`` – the follower's conversation: ``OpenidSessions.get(openid)`` on replica B
  returns the session id replica A created, and the conversation continues ("那要带什么材料？" after
  "怎么办居住证" is still about 居住证).
* ``wechat_pending`` – an answer that missed WeChat's 5-second budget.  The replica computing it writes
  ``running`` at once and the finished reply when done; the person's next message ("1"), wherever it
  lands, collects it (``take``) or hears that it is still being looked up.  A ``running`` row older than
  ``LOST_AFTER`` seconds belongs to a replica that died mid-answer: the person is asked to send the
  question again instead of waiting for ever.
* ``access_tokens`` – the WeChat 客服 access token, one row per app id.  WeChat invalidates the
  previous token when a new one is fetched, so replicas fetching their own would keep cancelling each
  other's; ``AccessTokens.get`` returns the stored token until it expires, and only the replica that
  wins the refresh lease (one conditional UPDATE) fetches a new one while the others wait for it.

Openids are stored only as SHA-256 digests (``openid_key``): the table links no WeChat identity to a
conversation by itself.  Rows are swept now and then (a day for the map, ``PENDING_TTL`` for answers).
Times are wall-clock seconds (``time.time()``), comparable across machines with synchronised clocks.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import asdict
from typing import Any

from sqlalchemy import JSON, Column, Float, String, Table, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from assistant.store.db import ensure_schema, metadata

MAP_KEEP = 86_400.0   # seconds a follower's conversation id is remembered (conversations expire sooner)
PENDING_TTL = 600.0   # a late answer is collected within 10 minutes
LOST_AFTER = 120.0    # a "running" answer older than this was lost with its replica
SWEEP_EVERY = 60.0

WECHAT_SESSIONS = Table("wechat_sessions", metadata,
                        Column("openid_key", String(64), primary_key=True),
                        Column("session_id", String(64), nullable=False),
                        Column("updated_at", Float, nullable=False, index=True))

WECHAT_PENDING = Table("wechat_pending", metadata,
                       Column("openid_key", String(64), primary_key=True),
                       Column("status", String(8), nullable=False),  # running | done
                       Column("reply", JSON, nullable=True),         # WeChatReply fields once done
                       Column("started_at", Float, nullable=False, index=True),
                       Column("done_at", Float, nullable=True))


ACCESS_TOKENS = Table("access_tokens", metadata,
                      Column("app_id", String(64), primary_key=True),
                      Column("token", String(512), nullable=True),
                      Column("expires_at", Float, nullable=False),     # renew from then on (already early)
                      Column("refreshing_until", Float, nullable=True))  # the refresh lease of one replica
REFRESH_LEASE = 10.0  # seconds one replica may take to fetch a token before another may try


def openid_key(openid: str) -> str:
    return hashlib.sha256(("wechat-openid|" + openid).encode("utf-8")).hexdigest()


def upsert(db, table: Table, key: str, values: dict) -> None:
    """Insert the row, or update it when its key exists (one statement on PostgreSQL and SQLite)."""
    name = db.dialect.name
    if name in ("postgresql", "sqlite"):
        from importlib import import_module

        insert = import_module(f"sqlalchemy.dialects.{name}").insert
        stmt = insert(table).values(**values)
        db.execute(stmt.on_conflict_do_update(index_elements=[key], set_={k: v for k, v in values.items() if k != key}))
        return
    col = table.c[key]
    if not db.execute(update(table).where(col == values[key]).values(**values)).rowcount:
        db.execute(table.insert().values(**values))


class _Swept:
    def __init__(self, engine: Engine):
        ensure_schema(engine)
        self.engine = engine
        self._sweep_at = 0.0

    def _sweep(self, db, table: Table, column, keep: float) -> None:
        now = time.time()
        if now > self._sweep_at:
            self._sweep_at = now + SWEEP_EVERY
            db.execute(delete(table).where(column < now - keep))


class OpenidSessions(_Swept):
    """openid → the follower's conversation id, shared by replicas."""

    def get(self, openid: str) -> str | None:
        with self.engine.connect() as db:
            return db.execute(select(WECHAT_SESSIONS.c.session_id)
                              .where(WECHAT_SESSIONS.c.openid_key == openid_key(openid))).scalar()

    def set(self, openid: str, session_id: str) -> None:
        key, now = openid_key(openid), time.time()
        with self.engine.begin() as db:
            self._sweep(db, WECHAT_SESSIONS, WECHAT_SESSIONS.c.updated_at, MAP_KEEP)
            upsert(db, WECHAT_SESSIONS, "openid_key", {"openid_key": key, "session_id": session_id, "updated_at": now})


class PendingAnswers(_Swept):
    """Late WeChat answers by follower, shared by replicas (see the module docstring).

    ``peek(openid)`` → None | ``("running", None)`` | ``("lost", None)`` | ``("done", reply_dict)``."""

    def __init__(self, engine: Engine, ttl: float = PENDING_TTL, lost_after: float = LOST_AFTER):
        super().__init__(engine)
        self.ttl, self.lost_after = ttl, lost_after

    def start(self, openid: str) -> None:
        self._write(openid, "running", None)

    def finish(self, openid: str, reply: Any) -> None:
        self._write(openid, "done", asdict(reply) if hasattr(reply, "__dataclass_fields__") else dict(reply))

    def _write(self, openid: str, status: str, reply: dict | None) -> None:
        key, now = openid_key(openid), time.time()
        values = {"status": status, "reply": reply, "done_at": now if status == "done" else None}
        with self.engine.begin() as db:
            self._sweep(db, WECHAT_PENDING, WECHAT_PENDING.c.started_at, self.ttl)
            if status == "running":
                values["started_at"] = now
                upsert(db, WECHAT_PENDING, "openid_key", {"openid_key": key, **values})
            elif not db.execute(update(WECHAT_PENDING).where(WECHAT_PENDING.c.openid_key == key).values(**values)).rowcount:
                db.execute(WECHAT_PENDING.insert().values(openid_key=key, started_at=now, **values))

    def peek(self, openid: str) -> tuple[str, dict | None] | None:
        with self.engine.connect() as db:
            row = db.execute(select(WECHAT_PENDING.c.status, WECHAT_PENDING.c.reply, WECHAT_PENDING.c.started_at)
                             .where(WECHAT_PENDING.c.openid_key == openid_key(openid))).first()
        if row is None:
            return None
        age = time.time() - row.started_at
        if age > self.ttl:
            return None
        if row.status == "running":
            return ("lost", None) if age > self.lost_after else ("running", None)
        return "done", row.reply

    def take(self, openid: str) -> dict | None:
        """The finished reply, removed so that only one message collects it (even on two replicas)."""
        key = openid_key(openid)
        with self.engine.begin() as db:
            row = db.execute(select(WECHAT_PENDING.c.reply).where(WECHAT_PENDING.c.openid_key == key,
                                                                  WECHAT_PENDING.c.status == "done")).first()
            if row is None:
                return None
            gone = db.execute(delete(WECHAT_PENDING).where(WECHAT_PENDING.c.openid_key == key,
                                                           WECHAT_PENDING.c.status == "done")).rowcount
        return row.reply if gone else None

    def drop(self, openid: str) -> None:
        with self.engine.begin() as db:
            db.execute(delete(WECHAT_PENDING).where(WECHAT_PENDING.c.openid_key == openid_key(openid)))


class AccessTokens:
    """An access token shared by every replica: ``get(app_id, fetch)`` returns the stored token while it
    is valid; when it has expired (or ``stale``, the token WeChat just refused, is still the stored one)
    one replica takes the refresh lease and calls ``fetch() → (token, seconds valid)``; the others wait
    for its token (up to the lease, then fetch themselves).  ``clock``: wall-clock seconds."""

    def __init__(self, engine: Engine, clock=time.time, sleep=time.sleep, lease: float = REFRESH_LEASE):
        ensure_schema(engine)
        self.engine, self.clock, self.sleep, self.lease = engine, clock, sleep, lease

    def _valid(self, app_id: str, stale: str | None) -> str | None:
        with self.engine.connect() as db:
            row = db.execute(select(ACCESS_TOKENS.c.token, ACCESS_TOKENS.c.expires_at)
                             .where(ACCESS_TOKENS.c.app_id == app_id)).first()
        ok = row is not None and row.token and row.token != stale and self.clock() < row.expires_at
        return row.token if ok else None

    def _take_lease(self, app_id: str) -> bool:
        now, t = self.clock(), ACCESS_TOKENS.c
        try:
            with self.engine.begin() as db:
                if db.execute(update(ACCESS_TOKENS).where(t.app_id == app_id, (t.refreshing_until.is_(None))
                                                          | (t.refreshing_until < now))
                              .values(refreshing_until=now + self.lease)).rowcount:
                    return True
                if db.execute(select(t.app_id).where(t.app_id == app_id)).first() is None:
                    db.execute(ACCESS_TOKENS.insert().values(app_id=app_id, token=None, expires_at=0.0,
                                                             refreshing_until=now + self.lease))
                    return True
        except IntegrityError:  # another replica inserted the row first: it holds the lease
            pass
        return False

    def get(self, app_id: str, fetch, stale: str | None = None) -> str:
        token = self._valid(app_id, stale)
        if token:
            return token
        deadline = self.clock() + self.lease
        while not self._take_lease(app_id):
            self.sleep(0.05)  # another replica is fetching: use its token
            token = self._valid(app_id, stale)
            if token:
                return token
            if self.clock() > deadline:
                break
        token = self._valid(app_id, stale)  # refreshed by another replica since we looked
        if token:
            self._release(app_id, {})
            return token
        try:
            token, valid_for = fetch()
        except BaseException:
            self._release(app_id, {})
            raise
        self._release(app_id, {"token": token, "expires_at": self.clock() + valid_for})
        return token

    def _release(self, app_id: str, values: dict) -> None:
        with self.engine.begin() as db:
            db.execute(update(ACCESS_TOKENS).where(ACCESS_TOKENS.c.app_id == app_id)
                       .values(refreshing_until=None, **values))
