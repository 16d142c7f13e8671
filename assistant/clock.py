"""The one wall clock of the project: naive UTC.

Every stored time (a message's ``created_at``, a case's ``reply_due``, a staff session's ``expires_at``) is
naive UTC, because SQLite keeps no time zone and PostgreSQL's ``timestamp without time zone`` is what the
migrations create.  Local time (the centre's, ``ASSISTANT_STAFF_UTC_OFFSET_HOURS``, e.g. UTC+8 in 宿迁) is
only applied when a time is shown.  Stores take a ``clock`` argument defaulting to `utcnow`, so a test
can move time on (a case becomes overdue, a sign-in idles out) without waiting.

    >>> utcnow().tzinfo is None
    True
"""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (e.g. 2026-03-02 01:30 for 09:30 in 宿迁)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
