"""差评工单 as a team tool, on a fake clock: assign to a colleague, filter by assignee/status/overdue,
record exactly what happened (回访成功 / 无法联系 / 已整改) with the note, and the daily digest of overdue cases
as a page and as an e-mail through a local SMTP server (aiosmtpd)."""
from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from tests_helpers_cases import answer_and_rate

CLOCK_START = datetime(2026, 3, 6, 1, 0)  # Friday 09:00 in Suqian (UTC+8)
PASSWORD = "team-pass-12345"


@pytest.fixture()
def client(staff_app):
    app = staff_app("team.db", PASSWORD, {"lead": "admin", "guide1": "guide", "guide2": "guide"})
    with TestClient(app) as c:
        yield c


def _as(c: TestClient, user: str) -> TestClient:
    assert c.post("/staff/login", json={"username": user, "password": PASSWORD}).status_code == 200
    return c


def test_assign_filter_and_record_what_happened(client, clock):
    a = answer_and_rate(client, "结婚登记要带什么")
    b = answer_and_rate(client, "公积金租房能取吗")
    staff = _as(client, "lead")
    cases = {c["question"]: c for c in staff.get("/staff/api/cases").json()["cases"]}
    ca, cb = cases[a], cases[b]

    # assign one to a colleague; filter by assignee ("" = unassigned)
    r = staff.post(f"/staff/api/cases/{ca['id']}", json={"owner": "guide2"})
    assert r.status_code == 200 and r.json()["owner"] == "guide2"
    assert r.json()["notes"][-1] == r.json()["notes"][-1] | {"by": "lead", "owner": "guide2"}
    assert [c["id"] for c in staff.get("/staff/api/cases", params={"owner": "guide2"}).json()["cases"]] == [ca["id"]]
    assert [c["id"] for c in staff.get("/staff/api/cases", params={"owner": ""}).json()["cases"]] == [cb["id"]]
    r = staff.post(f"/staff/api/cases/{ca['id']}", json={"owner": "nobody"})
    assert r.status_code == 422 and "nobody" in r.json()["error"]["message"]

    # the call fails: noted as 无法联系, still 待回访, not stamped as replied — and it becomes overdue
    r = staff.post(f"/staff/api/cases/{ca['id']}/outcome", json={"outcome": "无法联系", "note": "电话无人接听 13812345678"})
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["status"] == "待回访" and c["replied_at"] is None
    assert c["notes"][-1]["outcome"] == "无法联系" and "电话无人接听" in c["notes"][-1]["text"]
    assert "13812345678" not in c["notes"][-1]["text"]  # masked before it is stored
    clock.t = datetime(2026, 3, 9, 2, 0)  # Monday 10:00: past the reply date
    late = staff.get("/staff/api/cases", params={"owner": "guide2", "overdue": True, "status": "待回访"}).json()
    assert [x["id"] for x in late["cases"]] == [ca["id"]] and late["cases"][0]["overdue_reason"] == "回访超期"

    # the second call works: 回访成功 stamps the reply and moves it to 整改中; 已整改 closes it
    c = staff.post(f"/staff/api/cases/{ca['id']}/outcome", json={"outcome": "回访成功", "note": "已说明户口簿不再需要"}).json()
    assert c["status"] == "整改中" and c["replied_at"] and c["notes"][-1]["status"] == "整改中"
    c = staff.post(f"/staff/api/cases/{ca['id']}/outcome", json={"outcome": "已整改", "note": "指南已更新"}).json()
    assert c["status"] == "已办结" and c["closed_at"] and c["overdue"] is False
    assert [n.get("outcome") for n in c["notes"]][-3:] == ["无法联系", "回访成功", "已整改"]

    # a bare status change no longer claims a call was made
    c = staff.post(f"/staff/api/cases/{cb['id']}", json={"status": "整改中", "note": "回访失败，先整改"}).json()
    assert c["status"] == "整改中" and c["replied_at"] is None

    bad = staff.post(f"/staff/api/cases/{cb['id']}/outcome", json={"outcome": "已回访"})
    assert bad.status_code == 422
    assert staff.post("/staff/api/cases/nope/outcome", json={"outcome": "已整改"}).status_code == 404


def test_daily_digest_page_and_email_through_a_local_smtp_server(client, clock, monkeypatch):
    aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd 未安装（pip install -e '.[test]'）")
    from servers import free_port

    q1 = answer_and_rate(client, "结婚登记要带什么")
    q2 = answer_and_rate(client, "公积金租房能取吗")
    staff = _as(client, "lead")
    ids = {c["question"]: c["id"] for c in staff.get("/staff/api/cases").json()["cases"]}
    staff.post(f"/staff/api/cases/{ids[q1]}", json={"owner": "guide1"})

    # Friday 09:00: nothing overdue; both are due within a day (reply by Monday 09:00 counts working days)
    d = staff.get("/staff/api/digest").json()
    assert d["overdue"] == [] and d["unassigned"] == 1 and d["open"] == 2
    clock.t = datetime(2026, 3, 9, 1, 30)  # Monday 09:30
    d = staff.get("/staff/api/digest").json()
    assert d["date"] == "2026-03-09" and d["weekday"] == "一"
    assert {c["question"] for c in d["overdue"]} == {q1, q2}
    assert d["by_owner"] == [{"owner": "guide1", "open": 1, "overdue": 1}]
    page = staff.get("/staff/digest")
    assert page.status_code == 200 and "超期 2 件" in page.text and q1 in page.text and "未分配" in page.text

    # not configured: a clear Chinese 409
    monkeypatch.delenv("ASSISTANT_SMTP_HOST", raising=False)
    r = staff.post("/staff/api/digest/send")
    assert r.status_code == 409 and "ASSISTANT_SMTP_HOST" in r.json()["error"]["message"]

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = free_port()
    ctl = aiosmtpd.Controller(Handler(), hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        monkeypatch.setenv("ASSISTANT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ASSISTANT_SMTP_PORT", str(port))
        monkeypatch.setenv("ASSISTANT_SMTP_FROM", "daoban@centre.example")
        monkeypatch.setenv("ASSISTANT_DIGEST_TO", "leader@centre.example, desk@centre.example")
        r = staff.post("/staff/api/digest/send")
        assert r.status_code == 200, r.text
        assert r.json() == {"sent_to": ["leader@centre.example", "desk@centre.example"], "overdue": 2}
    finally:
        ctl.stop()
    assert len(received) == 1
    env = received[0]
    assert env.mail_from == "daoban@centre.example" and env.rcpt_tos == ["leader@centre.example", "desk@centre.example"]
    import email
    from email import policy
    msg = email.message_from_bytes(env.original_content, policy=policy.default)
    assert "2026-03-09" in msg["Subject"] and "超期 2 件" in msg["Subject"]
    body = msg.get_content()
    assert "超期 2 件" in body and q1 in body and "guide1" in body and "回访超期" in body

    # the server is gone: 502 with the reason, nothing crashes
    r = staff.post("/staff/api/digest/send")
    assert r.status_code == 502 and "日报邮件没有发出" in r.json()["error"]["message"]

    # a guide may read the digest but not send it
    guide = _as(client, "guide1")
    assert guide.get("/staff/api/digest").status_code == 200
    assert guide.post("/staff/api/digest/send").status_code == 403


def test_unassigned_filter_also_reads_a_dash(client):
    answer_and_rate(client, "结婚登记要带什么")
    staff = _as(client, "lead")
    assert len(staff.get("/staff/api/cases", params={"owner": "-"}).json()["cases"]) == 1
    assert staff.get("/staff/api/cases", params={"owner": "guide1"}).json()["cases"] == []
