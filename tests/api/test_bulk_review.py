"""Bulk review: select answers by date, item, kind and rating; mark many as correct at once; export
the selection to Excel (the knowledge-base exports' workbook code, assistant/sheets.py); personal data stays
masked in the export."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from tests_helpers_cases import answer_and_rate

CLOCK_START = datetime(2026, 3, 6, 1, 0)
PASSWORD = "bulk-pass-12345"


@pytest.fixture()
def staff(staff_app):
    with TestClient(staff_app("bulk.db", PASSWORD, {"reviewer": "guide"})) as c:
        yield c


def _ask(c, q):
    r = c.post("/v1/chat", json={"message": q, "session_id": None, "channel": "web"})
    assert r.status_code == 200
    return r.json()


def test_select_mark_many_correct_and_export(staff, clock):
    a1 = _ask(staff, "结婚登记要带什么")
    a2 = _ask(staff, "我和女朋友想去领证，要带啥")
    answer_and_rate(staff, "公积金租房能取吗")  # rated 不满意
    _ask(staff, "我电话13812345678，结婚登记在哪办")
    assert staff.post("/staff/login", json={"username": "reviewer", "password": PASSWORD}).status_code == 200

    every = staff.get("/staff/api/bulk/turns").json()
    assert every["total"] == 4
    marriage = staff.get("/staff/api/bulk/turns", params={"item": "结婚登记", "kind": "guide"}).json()["turns"]
    assert {t["id"] for t in marriage} >= {a1["message_id"], a2["message_id"]}
    assert all("结婚登记" in t["items"] and t["kind"] == "guide" for t in marriage)
    bad = staff.get("/staff/api/bulk/turns", params={"rating": "bad"}).json()["turns"]
    assert [t["question"] for t in bad] == ["公积金租房能取吗"]
    assert staff.get("/staff/api/bulk/turns", params={"start": "2026-03-04", "end": "2026-03-05"}).json()["total"] == 0

    ids = [a1["message_id"], a2["message_id"]]
    r = staff.post("/staff/api/bulk/review", json={"message_ids": ids})
    assert r.status_code == 200 and r.json() == {"marked": 2, "verdict": "correct"}
    done = staff.get("/staff/api/bulk/turns", params={"review": "correct"}).json()["turns"]
    assert sorted(t["id"] for t in done) == sorted(ids)
    r = staff.get("/staff/api/bulk/turns", params={"review": "unreviewed"})
    assert r.status_code == 200 and r.json()["total"] == 2, r.text

    # one unknown id: nothing is marked, a Chinese 404
    r = staff.post("/staff/api/bulk/review", json={"message_ids": [every["turns"][0]["id"], "no-such-id"]})
    assert r.status_code == 404 and "没有标记任何一条" in r.json()["error"]["message"]
    assert staff.get("/staff/api/bulk/turns", params={"review": "correct"}).json()["total"] == 2
    assert staff.post("/staff/api/bulk/review", json={"message_ids": []}).status_code == 422

    from openpyxl import load_workbook
    x = staff.get("/staff/api/bulk/export.xlsx", params={"item": "结婚登记"})
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(x.content))["回答"]
    rows = list(ws.values)
    assert rows[0][:4] == ("时间", "渠道", "问题", "回答") and ws["A1"].font.bold
    questions = [r[2] for r in rows[1:]]
    assert "结婚登记要带什么" in questions and "公积金租房能取吗" not in questions
    assert {r[7] for r in rows[1:] if r[8] in ids} == {"正确"}
    text = "".join(str(v) for r in rows for v in r if v)
    assert "13812345678" not in text  # personal data stays masked


def test_bulk_routes_need_sign_in(staff):
    assert staff.get("/staff/api/bulk/turns").status_code == 401
    assert staff.get("/staff/api/bulk/export.xlsx").status_code == 401
