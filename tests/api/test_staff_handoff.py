"""转人工 through the API at three hours, a staff reply reaching the chat, and 回访 numbers:
encrypted at rest, shown only to the assigned staff member, deleted when the case closes."""
from __future__ import annotations

import logging
from datetime import datetime

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import text

PASSWORD = "s3cret-pass"
CLOCK_START = datetime(2025, 11, 18, 2, 0)  # Tuesday 10:00 in 宿迁 (UTC+8)
PHONE = "13912345678"


@pytest.fixture()
def app(staff_app, settings, monkeypatch):
    monkeypatch.setattr(settings, "callback_key", Fernet.generate_key().decode())
    return staff_app("handoff.db", PASSWORD, {"guide1": "guide", "guide2": "guide"})


@pytest.fixture()
def client(app):
    with TestClient(app) as c:
        yield c


def _staff(app, user: str) -> TestClient:
    c = TestClient(app)
    assert c.post("/staff/login", json={"username": user, "password": PASSWORD}).status_code == 200
    return c


def _chat(c: TestClient, message: str, sid: str | None = None) -> dict:
    r = c.post("/v1/chat", json={"message": message, "session_id": sid, "channel": "web"}, params={"debug": "true"})
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- 转人工 at three hours

@pytest.mark.parametrize("utc, rule, says, never", [
    (datetime(2025, 11, 18, 2, 0), "rule:handoff:open", ["导服台", "0527-80000000", "已标记给导办台工作人员"], ["12345", "无法"]),
    (datetime(2025, 11, 18, 14, 0), "rule:handoff:closed", ["非办公时间", "12345", "无法为您转接人工", "明天08:30"], ["在岗", "已标记"]),
    (datetime(2025, 10, 1, 2, 0), "rule:handoff:holiday", ["国庆节", "12345", "无法为您转接人工", "10月9日"], ["在岗", "已标记"]),
])
def test_handoff_at_ten_at_night_and_on_a_holiday(client, clock, utc, rule, says, never):
    from tests.conftest import as_staff

    clock.t = utc
    b = _chat(as_staff(client), "转人工")  # ?debug=true shows the trace to a signed-in staff session only
    assert b["kind"] == "handoff" and rule in b["trace"]["rules"]
    for w in says:
        assert w in b["answer"], (w, b["answer"])
    for w in never:
        assert w not in b["answer"], (w, b["answer"])


# ---------------------------------------------------------------- staff reply reaches the chat

def test_handoff_is_flagged_and_a_staff_reply_reaches_the_chat(app, client):
    first = _chat(client, "结婚登记要带什么")
    sid = first["session_id"]
    assert client.get(f"/v1/chat/{sid}/staff-replies").json() == {"status": None, "replies": []}
    _chat(client, "转人工", sid)

    staff = _staff(app, "guide1")
    listed = staff.get("/staff/api/handoffs").json()
    assert listed["open"] == 1 and listed["handoffs"][0]["conversation_id"] == sid
    assert listed["handoffs"][0]["last_question"] == "转人工"
    one = staff.get(f"/staff/api/handoffs/{sid}").json()
    assert [m["text"] for m in one["messages"] if m["role"] == "user"] == ["结婚登记要带什么", "转人工"]

    r = staff.post(f"/staff/api/handoffs/{sid}/reply", json={"text": "您好，我是导办员小王：户口簿和身份证原件都要带。"})
    assert r.status_code == 201, r.text
    polled = client.get(f"/v1/chat/{sid}/staff-replies").json()
    assert polled["status"] == "已回复"
    assert [x["text"] for x in polled["replies"]] == ["您好，我是导办员小王：户口簿和身份证原件都要带。"]
    assert "guide1" not in str(polled)  # the person sees 导办台工作人员, not an account name
    last = polled["replies"][-1]["id"]
    assert client.get(f"/v1/chat/{sid}/staff-replies", params={"after": last}).json()["replies"] == []

    # a second 转人工 re-opens a closed thread
    assert staff.post(f"/staff/api/handoffs/{sid}/close").json()["status"] == "已关闭"
    _chat(client, "转人工", sid)
    assert staff.get("/staff/api/handoffs", params={"status": "待处理"}).json()["open"] == 1


def test_handoff_routes_need_sign_in_and_a_real_thread(app, client):
    assert client.get("/staff/api/handoffs").status_code == 401
    assert client.post("/staff/api/handoffs/x/reply", json={"text": "hi"}).status_code in (401, 403)
    staff = _staff(app, "guide1")
    assert staff.post("/staff/api/handoffs/nosuchconversation/reply", json={"text": "hi"}).status_code == 404
    assert client.get("/v1/chat/bad id/staff-replies").status_code == 404


# ---------------------------------------------------------------- 回访 numbers

def _bad_rating(client) -> tuple[str, str]:
    """A 不满意 rating of a fresh answer: (message_id, rating_token)."""
    a = _chat(client, "结婚登记要带什么")
    r = client.post("/v1/feedback", json={"message_id": a["message_id"], "rating_token": a["rating_token"],
                                          "rating": "不满意", "tags": ["信息有误"]})
    assert r.status_code == 201 and r.json()["follow_up"] is True
    return a["message_id"], a["rating_token"]


def test_consented_number_is_encrypted_shown_to_the_owner_only_and_deleted_on_close(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    mid, token = _bad_rating(client)
    assert client.get("/v1/feedback/callback").json()["enabled"] is True
    r = client.post("/v1/feedback/callback", json={"message_id": mid, "rating_token": "x" * 32,
                                                   "phone": "139 1234 5678", "consent": True})
    assert r.status_code == 403, r.text  # someone who knows the message id but did not ask
    r = client.post("/v1/feedback/callback", json={"message_id": mid, "rating_token": token,
                                                   "phone": "139 1234 5678", "consent": True})
    assert r.status_code == 201, r.text
    assert "1个工作日内" in r.json()["message"] and "办结后号码即删除" in r.json()["message"]

    # at rest: not the digits, in any table
    with app.state.store.engine.connect() as db:
        rows = db.execute(text("SELECT * FROM callback_contacts")).all()
        assert len(rows) == 1 and PHONE not in str(rows) and "5678" not in str(rows[0][1])
        for table in ("messages", "feedback", "feedback_cases"):
            assert PHONE not in str(db.execute(text(f"SELECT * FROM {table}")).all())

    g1, g2 = _staff(app, "guide1"), _staff(app, "guide2")
    case_id = g1.get("/staff/api/cases").json()["cases"][0]["id"]
    assert PHONE not in g1.get("/staff/api/cases").text  # the list never carries it
    assert g1.get("/staff/api/callbacks").json()["cases"] == [case_id]
    assert g1.get(f"/staff/api/cases/{case_id}/callback").status_code == 403  # not assigned yet
    g1.post(f"/staff/api/cases/{case_id}", json={"claim": True})
    assert g1.get(f"/staff/api/cases/{case_id}/callback").json()["phone"] == PHONE
    assert g2.get(f"/staff/api/cases/{case_id}/callback").status_code == 403  # someone else's case

    g1.post(f"/staff/api/cases/{case_id}", json={"status": "已办结", "note": "已回访"})
    with app.state.store.engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM callback_contacts")).scalar() == 0
    assert g1.get(f"/staff/api/cases/{case_id}/callback").status_code == 404
    assert PHONE not in caplog.text and "5678" not in caplog.text


def test_without_a_number_no_callback_is_promised_and_bad_input_is_refused(app, client):
    mid, token = _bad_rating(client)
    g1 = _staff(app, "guide1")
    assert len(g1.get("/staff/api/cases").json()["cases"]) == 1  # the case opens for review all the same
    assert g1.get("/staff/api/callbacks").json()["cases"] == []
    for body, status, words in [
        ({"message_id": mid, "rating_token": token, "phone": PHONE, "consent": False}, 422, "同意"),
        ({"message_id": mid, "rating_token": token, "phone": "12345", "consent": True}, 422, "格式不正确"),
        ({"message_id": "0" * 24, "rating_token": token, "phone": PHONE, "consent": True}, 404, "不满意"),
    ]:
        r = client.post("/v1/feedback/callback", json=body)
        assert r.status_code == status and words in r.json()["error"]["message"], r.text


def test_no_key_no_numbers(staff_app, settings, monkeypatch):
    monkeypatch.setattr(settings, "callback_key", None)
    with TestClient(staff_app("nokey.db", PASSWORD, {})) as c:
        mid, token = _bad_rating(c)
        assert c.get("/v1/feedback/callback").json()["enabled"] is False
        r = c.post("/v1/feedback/callback", json={"message_id": mid, "rating_token": token, "phone": PHONE,
                                                  "consent": True})
        assert r.status_code == 404 and "暂未开通电话回访" in r.json()["error"]["message"]
