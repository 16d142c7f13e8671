"""The one wall clock of the project: naive UTC.

Every stored time (a message's ``created_at``, a case's ``reply_due``, a staff session's ``expires_at``) is
naive UTC, because SQLite keeps no time zone and PostgreSQL's ``timestamp without time zone`` is what the
migrations create.  Local time (the centre's, ``ASSISTANT_STAFF_UTC_OFFSET_HOURS``, e.g. UTC+8 in 宿迁) is
only applied when a time is shown.  Stores take a ``clock`` argument defaulting to `utcnow`, so a test
can move time on (a case becomes overdue, a sign-in idles out) without waiting.

Working days (the deadlines of a 差评 case, the 导办台's opening days) follow the State Council's
calendar: `is_working_day`, `add_working_days`.

    >>> utcnow().tzinfo is None
    True
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import chinese_calendar


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (e.g. 2026-03-02 01:30 for 09:30 in 宿迁)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def is_working_day(day: date) -> bool:
    """The State Council's calendar (public holidays off, adjusted weekend working days on) as shipped
    by `chinesecalendar`; for years it does not cover yet, Monday to Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: datetime, days: int, utc_offset_hours: float = 8.0) -> datetime:
    """`start` (naive UTC) plus `days` working days (in local time, see `is_working_day`), same time of day.
    A rating given on a day off (weekend or public holiday) counts from the start of the next working
    day, so its case has the whole of that day (and the following days) to be answered."""
    off = timedelta(hours=utc_offset_hours)
    t = start + off
    if not is_working_day(t.date()):
        t = datetime(t.year, t.month, t.day)
        while not is_working_day(t.date()):
            t += timedelta(days=1)
    left = days
    while left > 0:
        t += timedelta(days=1)
        if is_working_day(t.date()):
            left -= 1
    return t - off
