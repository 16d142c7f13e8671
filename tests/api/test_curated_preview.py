"""Staff see the past questions a correction would catch before publishing it."""
from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

CLOCK_START = datetime(2026, 3, 6, 1, 0)
PASSWORD = "preview-pass-123"


@pytest.fixture()
def staff(staff_app):
    with TestClient(staff_app("prev.db", PASSWORD, {"writer": "guide"})) as c:
        yield c


def test_preview_lists_the_paraphrases_it_would_catch_and_nothing_else(staff):
    for q in ("我和女朋友想去领证，要带啥", "我和女朋友想去领证，要带啥", "领结婚证需要准备哪些材料",
              "离婚登记要带什么材料", "结婚登记在哪个窗口办", "公积金租房能取吗"):
        assert staff.post("/v1/chat", json={"message": q, "session_id": None}).status_code == 200
    assert staff.post("/staff/login", json={"username": "writer", "password": PASSWORD}).status_code == 200
    r = staff.post("/staff/api/curated/preview", json={"question": "结婚登记要带什么", "item_id": "marriage-registration"})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["checked"] == 5
    assert [c["question"] for c in b["catches"]] == ["我和女朋友想去领证，要带啥", "领结婚证需要准备哪些材料"]
    assert b["catches"][0]["count"] == 2
    # nothing was published
    assert staff.get("/staff/api/curated").json()["curated"] == []
    bad = staff.post("/staff/api/curated/preview", json={"question": "x", "item_id": "no-such-item"})
    assert bad.status_code == 422 and "no-such-item" in bad.json()["error"]["message"]
