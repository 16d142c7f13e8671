"""The WeChat replay table (``wechat_seen``): nonces and message ids already handled, with a digest of
what came with them, so a retry of the same message is answered once and a replayed signed URL with
another body is refused (`ReplayStore`).  Rows are kept `SEEN_KEEP` seconds."""
from __future__ import annotations

import time

from sqlalchemy import Column, Float, String, Table, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from assistant.store.db import ensure_schema, metadata

SEEN = Table("wechat_seen", metadata,
             Column("key", String(200), primary_key=True),
             Column("digest", String(64), nullable=False),
             Column("seen_at", Float, nullable=False, index=True))
SEEN_KEEP = 3600.0  # seconds a nonce or message id is remembered (≫ the ±300 s window and WeChat's retries)


class Replayed(Exception):
    """A nonce seen before with another body: a replayed signed URL (the web layer answers 403)."""


class ReplayStore:
    """Nonces and message ids already handled, in the database: survives restarts, shared by replicas.
    ``first(key, digest)`` → True the first time; False for a repeat with the same digest (a retry);
    raises `Replayed` for a repeat with another digest (a replayed signed URL with a new body)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        ensure_schema(engine)
        self._sweep_at = 0.0

    def first(self, key: str, digest: str = "") -> bool:
        now = time.time()
        try:
            with self.engine.begin() as db:
                if now > self._sweep_at:
                    self._sweep_at = now + 60
                    db.execute(delete(SEEN).where(SEEN.c.seen_at < now - SEEN_KEEP))
                db.execute(insert(SEEN).values(key=key[:200], digest=digest, seen_at=now))
            return True
        except IntegrityError:
            with self.engine.connect() as db:
                old = db.execute(select(SEEN.c.digest).where(SEEN.c.key == key[:200])).scalar()
            if digest and old is not None and old != digest:
                raise Replayed(key)
            return False
