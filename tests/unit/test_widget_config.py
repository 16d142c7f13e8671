"""Settings the widget and the chat page rely on fail early and in Chinese when they are wrong."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.core.corpus.schema import OpeningHours, Theme
from assistant.web.routes.widget import check_origins


def test_embed_origins_are_plain_origins():
    assert check_origins(["https://www.suqian.gov.cn/", "http://127.0.0.1:8080"]) == [
        "https://www.suqian.gov.cn", "http://127.0.0.1:8080"]
    for bad in ("*", "https://a.gov.cn/path", "https://a.gov.cn; script-src *", "www.suqian.gov.cn"):
        with pytest.raises(ValueError, match="ASSISTANT_EMBED_ORIGINS"):
            check_origins([bad])


def test_opening_hours_and_colours_are_checked():
    with pytest.raises(ValidationError, match="08:30-12:00"):
        OpeningHours(工作日=["8:30-12:00"])
    with pytest.raises(ValidationError, match="08:30-12:00"):
        OpeningHours(工作日=["13:30-12:00"])
    with pytest.raises(ValidationError):
        Theme(主色="red; background:url(x)")
    assert Theme().main == "#1557a0"


def test_a_bad_callback_key_stops_the_server_with_the_fix(tmp_path):
    from sqlalchemy import create_engine

    from assistant.web.staff.handoff import HandoffStore

    with pytest.raises(ValueError, match="ASSISTANT_CALLBACK_KEY.*generate_key"):
        HandoffStore(create_engine(f"sqlite:///{tmp_path / 'k.db'}"), clock=None, key="not-a-key")
