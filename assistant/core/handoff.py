"""转人工 that tells the truth about this hour.

Nobody takes over the chat: what a person can do depends on whether the 导办台 is staffed right now.
The hours are the centre's `开放时段` (corpus/centre.yaml); public holidays and adjusted working days
come from the State Council calendar shipped in `chinesecalendar` (the same one the 好差评 due dates
use, see `clock.is_working_day`).

* open (e.g. a working Tuesday 10:00): the desk's location and the centre's phone, and that the
  conversation has been flagged for the desk's staff, whose replies show in the web and mini-program chat;
* closed (22:00, Sunday) or a public holiday (国庆节 10:00): no transfer is possible here — 12345,
  the opening hours and when the desk opens next.

`at` is the centre's local time (naive); the API passes its injected clock plus the centre's UTC
offset, so tests pin 10:00 / 22:00 / a holiday without touching the system clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar

from assistant.clock import is_working_day, utcnow
from assistant.core.dialogue.replies import reply
from assistant.core.corpus.schema import Centre, OpeningHours

HOLIDAYS = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
            "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
            "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日"}
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class DeskStatus:
    state: str  # "open" | "closed" | "holiday"
    closes: str | None = None  # "12:00" while open
    holiday: str | None = None  # "国庆节"
    next_open: datetime | None = None


def local_now(utc_naive: datetime | None = None, utc_offset_hours: float = 8.0) -> datetime:
    """The centre's wall-clock time for a naive-UTC instant (the stores' clocks are naive UTC); now by default."""
    utc_naive = utc_naive or utcnow()
    return (utc_naive.replace(tzinfo=timezone.utc) + timedelta(hours=utc_offset_hours)).replace(tzinfo=None)


def holiday_name(day: date) -> str | None:
    """"国庆节" when `day` is a statutory holiday (incl. its bridged days), else None."""
    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the calendar does not cover yet
        return None
    return HOLIDAYS.get(name, name) if off and name else None


def spans(hours: OpeningHours, day: date) -> list[tuple[time, time]]:
    """The desk's open spans on `day`: none on a holiday or Sunday, the working-day spans on working days
    (including an adjusted Saturday 调休), the Saturday spans on an ordinary Saturday."""
    if holiday_name(day):
        return []
    if is_working_day(day):
        texts = hours.workdays
        if hours.summer and hours.summer_workdays:
            start, end = hours.summer.split("至")
            if start <= day.strftime("%m-%d") <= end:
                texts = hours.summer_workdays
    elif day.weekday() == 5:
        texts = hours.saturday
    else:
        texts = []

    def t(s: str) -> time:
        return time.max if s == "24:00" else time.fromisoformat(s)
    return [(t(s[:5]), t(s[6:])) for s in texts]


def desk_status(centre: Centre, at: datetime) -> DeskStatus:
    """Is the 导办台 staffed at `at` (local time)?  Without machine-readable hours: treated as closed,
    so nothing is promised that may not be true."""
    if centre.opening is None:
        return DeskStatus("closed")
    today = spans(centre.opening, at.date())
    for start, end in today:
        if start <= at.time() < end:
            return DeskStatus("open", closes=end.strftime("%H:%M"))
    nxt = None
    for d in range(0, 31):  # the longest break (春节) is well under a month
        day = at.date() + timedelta(days=d)
        later = [s for s, _ in spans(centre.opening, day) if d > 0 or s > at.time()]
        if later:
            nxt = datetime.combine(day, later[0])
            break
    return DeskStatus("holiday" if holiday_name(at.date()) else "closed", holiday=holiday_name(at.date()), next_open=nxt)


def _when(at: datetime, nxt: datetime) -> str:
    day = "今天" if nxt.date() == at.date() else "明天" if nxt.date() == at.date() + timedelta(days=1) \
        else f"{nxt.month}月{nxt.day}日（周{WEEKDAYS[nxt.weekday()]}）"
    return f"{day}{nxt:%H:%M}"


def handoff_reply(centre: Centre, at: datetime) -> tuple[str, str]:
    """(text, rule) for "转人工" at local time `at`; the rule (rule:handoff:open|closed|holiday) goes into
    the trace.  The texts are corpus/lexicon/replies.yaml's transfer:*.  Examples (sample centre):

    * Tue 10:00 → "好的。现在是办公时间，导办台有导办员在岗（今天12:00前）：请到综合政务大厅 前台导服和帮办代办专区
      导服台找导办员当面咨询，或拨打中心咨询电话0527-80000000（示例）。…"
    * 22:00 → "现在是非办公时间，导办台没有工作人员值班，这里无法为您转接人工。可以拨打12345…"
    * 国庆节 → "今天是国庆节法定节假日，中心不办公，…"
    """
    st = desk_status(centre, at)
    desk = centre.point("导办台")
    name = centre.short_name
    where = desk.location if desk else reply("transfer:desk", centre=name)
    if st.state == "open":
        text = reply("transfer:open", centre=name, closes=st.closes, where=where, phone=centre.phone)
        if desk and desk.description:
            text += desk.description
        # true on every channel: the 公众号 cannot show a staff reply, the web page and mini-program do
        text += reply("transfer:flagged", centre=name)
        return text, "rule:handoff:open"
    if st.state == "holiday":
        text = reply("transfer:holiday", centre=name, holiday=st.holiday)
    else:
        text = reply("transfer:closed", centre=name)
    text += reply("transfer:hotline", centre=name, hotline=centre.hotline, hours=centre.hours)
    if st.next_open is not None:
        text += reply("transfer:next-open", centre=name, when=_when(at, st.next_open), where=where)
    return text + "。", f"rule:handoff:{st.state}"
