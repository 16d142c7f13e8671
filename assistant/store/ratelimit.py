"""The rate-limit counters table (``rate_counters``): one row per limited key, e.g.
``login_account/daoban`` or ``chat_ip/10.0.0.7``, with its hit count and when its window ends (wall-clock
seconds).  `DatabaseStorage` (a storage of the `limits` library, used by `web.ratelimit`) increments it atomically, so every replica sees one count."""
from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Column, Float, Integer, String, Table, delete, select, text
from sqlalchemy.engine import Engine

from assistant.store.db import ensure_schema, metadata

COUNTERS = Table("rate_counters", metadata,
                 Column("key", String(255), primary_key=True),
                 Column("hits", Integer, nullable=False),
                 Column("expires_at", Float, nullable=False, index=True))

_INCR = text("""
INSERT INTO rate_counters (key, hits, expires_at) VALUES (:key, :amount, :expires)
ON CONFLICT (key) DO UPDATE SET
  hits = CASE WHEN rate_counters.expires_at <= :now THEN :amount ELSE rate_counters.hits + :amount END,
  expires_at = CASE WHEN rate_counters.expires_at <= :now THEN :expires ELSE rate_counters.expires_at END
RETURNING hits
""")


class DatabaseStorage(Storage):
    """A `limits` storage in a SQL table: counts shared by every process on the same database."""

    STORAGE_SCHEME = ["assistant-database"]

    def __init__(self, engine: Engine, **options: Any):
        super().__init__(None, wrap_exceptions=False)
        self.engine = engine
        ensure_schema(engine)
        self._sweep_at = 0.0

    @property
    def base_exceptions(self):  # pragma: no cover - only used to wrap errors
        return Exception

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as db:
            hits = db.execute(_INCR, {"key": key, "amount": amount, "expires": now + expiry, "now": now}).scalar_one()
            if now > self._sweep_at:  # expired counters are removed now and then, never read
                self._sweep_at = now + 60
                db.execute(delete(COUNTERS).where(COUNTERS.c.expires_at < now - 60))
        return int(hits)

    def _row(self, key: str):
        with self.engine.connect() as db:
            return db.execute(select(COUNTERS.c.hits, COUNTERS.c.expires_at).where(COUNTERS.c.key == key)).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.hits) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        with self.engine.connect() as db:
            db.execute(select(1))
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as db:
            return db.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as db:
            db.execute(delete(COUNTERS).where(COUNTERS.c.key == key))
