"""Rate limits on the public routes, built on the `limits` library (fixed windows).

Counters live where every replica sees them: in the conversations database by default (table
``rate_counters``, one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per hit, SQLite ≥ 3.35 and
PostgreSQL alike), or in any storage `limits` knows (``ASSISTANT_RATE_LIMIT_STORAGE=redis://host:6379``).
``ASSISTANT_RATE_LIMITS=off`` turns every limit off (evaluation runs, load benchmarks).

Keys: the client IP (``client_ip``: the socket address, or — only when that address is a configured
trusted proxy — the last untrusted address of ``X-Forwarded-For``), the conversation id and the WeChat
openid.  A refusal is ``RateLimited(retry_after)``, which the API turns into a Chinese 429 with
``Retry-After``, e.g. ``429 {"error": {"code": "rate_limited", "message": "请求过于频繁，请 37 秒后再试"}}``.
"""
from __future__ import annotations

import ipaddress
import math
import time
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.engine import Engine

from assistant.store.ratelimit import DatabaseStorage  # noqa: F401 (importable from here too)


class RateLimited(Exception):
    def __init__(self, retry_after: int, message: str | None = None):
        super().__init__(message or f"请求过于频繁，请 {retry_after} 秒后再试")
        self.retry_after = retry_after
        self.message = str(self)


class Limiter:
    """``hit(name, key)`` counts one request of the configured limit ``name`` for ``key`` and raises
    `RateLimited` when it is over; ``enabled`` is False with ``ASSISTANT_RATE_LIMITS=off``."""

    def __init__(self, settings: Any, engine: Engine):
        self.enabled = str(getattr(settings, "rate_limits", "on")).strip().lower() not in ("off", "0", "false", "no")
        uri = getattr(settings, "rate_limit_storage", "database") or "database"
        self.storage = DatabaseStorage(engine) if uri == "database" else storage_from_string(uri)
        self.strategy = FixedWindowRateLimiter(self.storage)
        self.items: dict[str, RateLimitItem] = {}
        for name in ("ip", "chat_ip", "session", "openid", "feedback_ip"):
            self.items[name] = parse(getattr(settings, f"rate_limit_{name}"))

    def hit(self, name: str, key: str | None, *, item: RateLimitItem | None = None, force: bool = False) -> None:
        if not key or not (self.enabled or force):
            return
        item = item or self.items[name]
        if not self.strategy.hit(item, name, key):
            raise RateLimited(self._retry(item, name, key))

    def _retry(self, item: RateLimitItem, name: str, key: str) -> int:
        reset = self.strategy.get_window_stats(item, name, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def clear(self, name: str, key: str, item: RateLimitItem) -> None:
        self.strategy.clear(item, name, key)

    def refund(self, name: str, key: str, item: RateLimitItem) -> None:
        """Give one hit back (a sign-in that turned out right does not use up the address's budget)."""
        if key:
            self.storage.incr(item.key_for(name, key), item.get_expiry(), amount=-1)


def _networks(values: list[str]) -> list[ipaddress._BaseNetwork]:
    out = []
    for v in values or []:
        try:
            out.append(ipaddress.ip_network(v.strip(), strict=False))
        except ValueError:
            continue
    return out


def _is_in(addr: str, nets: list) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def client_ip(request: Any, trusted_proxies: list[str]) -> str:
    """The client's address.  ``X-Forwarded-For`` counts only when the connection comes from a configured
    trusted proxy, and then its last address that is not itself a trusted proxy: a client cannot reset its
    counters by sending ``X-Forwarded-For: 1.2.3.4`` directly (its own address is used) nor through the
    proxy (the proxy appends the real address, which is the one taken)."""
    peer = request.client.host if request.client else ""
    nets = _networks(trusted_proxies)
    if not nets or not _is_in(peer, nets):
        return peer
    chain = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",") if p.strip()]
    for addr in reversed(chain):
        if not _is_in(addr, nets):
            return addr
    return peer
