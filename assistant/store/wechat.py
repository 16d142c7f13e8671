"""The WeChat replay table (``wechat_seen``): nonces and message ids already handled, with a digest of
what came with them, so a retry of the same message is answered once and a replayed signed URL with
another body is refused (`web.routes.wechat.ReplayStore`).  Rows are kept `SEEN_KEEP` seconds."""
from __future__ import annotations

from sqlalchemy import Column, Float, String, Table

from assistant.store.db import metadata

SEEN = Table("wechat_seen", metadata,
             Column("key", String(200), primary_key=True),
             Column("digest", String(64), nullable=False),
             Column("seen_at", Float, nullable=False, index=True))
SEEN_KEEP = 3600.0  # seconds a nonce or message id is remembered (≫ the ±300 s window and WeChat's retries)
