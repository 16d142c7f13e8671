"""The rate-limit counters table (``rate_counters``): one row per limited key, e.g.
``login_account/daoban`` or ``chat_ip/10.0.0.7``, with its hit count and when its window ends (wall-clock
seconds).  `web.ratelimit.DatabaseStorage` increments it atomically, so every replica sees one count."""
from __future__ import annotations

from sqlalchemy import Column, Float, Integer, String, Table

from assistant.store.db import metadata

COUNTERS = Table("rate_counters", metadata,
                 Column("key", String(255), primary_key=True),
                 Column("hits", Integer, nullable=False),
                 Column("expires_at", Float, nullable=False, index=True))
