"""转人工 tells the truth about this hour: the desk and its phone while it is staffed, 12345 and the
opening hours (never a transfer) at night and on public holidays."""
from __future__ import annotations

from datetime import datetime

import pytest

from assistant.config import get_settings
from assistant.core.corpus.schema import load_centre
from assistant.core.handoff import desk_status, handoff_reply, local_now


@pytest.fixture(scope="module")
def centre():
    return load_centre(get_settings().corpus_dir / "centre.yaml")


WORKDAY_10 = datetime(2025, 11, 18, 10, 0)   # a Tuesday
WORKDAY_22 = datetime(2025, 11, 18, 22, 0)
NATIONAL_DAY = datetime(2025, 10, 1, 10, 0)  # 国庆节, a Wednesday


def test_ten_on_a_working_day_names_the_desk_and_its_phone(centre):
    text, rule = handoff_reply(centre, WORKDAY_10)
    assert rule == "rule:handoff:open"
    assert "导服台" in text and centre.phone in text and "今天12:00前" in text
    assert "12345" not in text and "无法" not in text


def test_ten_at_night_offers_12345_and_the_hours_without_a_transfer(centre):
    text, rule = handoff_reply(centre, WORKDAY_22)
    assert rule == "rule:handoff:closed"
    assert "无法为您转接人工" in text and "12345" in text and centre.hours in text
    assert "明天08:30" in text  # Wednesday 19 Nov is a working day
    assert "为您转人工" not in text and "在岗" not in text and "已标记" not in text


def test_public_holiday_says_so_and_when_the_desk_opens_again(centre):
    text, rule = handoff_reply(centre, NATIONAL_DAY)
    assert rule == "rule:handoff:holiday"
    assert text.startswith("今天是国庆节法定节假日") and "12345" in text and "无法为您转接人工" in text
    # 1–8 October 2025 are off; 9 October (Thursday) is the next working day
    assert "10月9日（周四）08:30" in text


def test_edges_summer_hours_saturday_and_adjusted_working_day(centre):
    assert desk_status(centre, datetime(2025, 11, 18, 17, 45)).state == "closed"  # winter: closes 17:30
    assert desk_status(centre, datetime(2025, 7, 15, 17, 45)).state == "open"  # summer: until 18:00
    assert desk_status(centre, datetime(2025, 7, 15, 13, 45)).state == "closed"  # summer lunch break
    assert desk_status(centre, datetime(2025, 11, 22, 10, 0)).state == "open"  # Saturday morning
    assert desk_status(centre, datetime(2025, 11, 23, 10, 0)).state == "closed"  # Sunday
    assert desk_status(centre, datetime(2025, 9, 28, 10, 0)).state == "open"  # Sunday made a working day (调休)


def test_local_now_is_the_centre_clock():
    assert local_now(datetime(2025, 11, 18, 2, 0)) == WORKDAY_10  # 02:00 UTC is 10:00 in 宿迁
