"""Bulk in and out: curated answers exported and imported as Excel/CSV, and the Excel export of
conversations, ratings and cases with filters — personal data masked in every export."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

PASSWORD = "s3cret-pass"
CLOCK_START = datetime(2026, 3, 4, 2, 0)


@pytest.fixture()
def app(staff_app):
    return staff_app("kb.db", PASSWORD, {"guide1": "guide", "admin1": "admin"})


def _login(app, user: str) -> TestClient:
    c = TestClient(app)
    c.__enter__()
    assert c.post("/staff/login", json={"username": user, "password": PASSWORD}).status_code == 200
    return c


def _sheet(content: bytes, name: str) -> list[list]:
    ws = load_workbook(io.BytesIO(content))[name]
    return [[c if c is not None else "" for c in r] for r in ws.iter_rows(values_only=True)]


def test_curated_answers_round_trip_through_excel_and_csv(app):
    admin = _login(app, "admin1")
    r = admin.post("/staff/api/curated", json={"question": "结婚登记我电话13812345678能预约吗", "item_id": "marriage-registration",
                                                "answer": "可以在宿心办预约结婚登记。", "chunk_ids": ["guide/marriage-registration#online"]})
    assert r.status_code == 201, r.text
    r = admin.get("/staff/api/kb/curated/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
    rows = _sheet(r.content, "人工审核答案")
    assert rows[0][:3] == ["问题", "答案", "事项编号"] and rows[1][2] == "marriage-registration"
    assert "13812345678" not in str(rows) and rows[1][3] == "结婚登记"
    csv_text = admin.get("/staff/api/kb/curated/export?format=csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("问题,答案,事项编号")

    wb = Workbook()
    ws = wb.active
    ws.append(["问题", "答案", "事项名称", "引用片段"])
    ws.append(["离婚登记可以网上预约吗", "可以，在宿心办预约离婚登记。", "离婚登记", ""])
    ws.append(["结婚登记要带户口本吗", "2025年5月10日起不再需要户口簿。", "结婚登记", "guide/marriage-registration#materials"])
    buf = io.BytesIO()
    wb.save(buf)
    r = admin.post("/staff/api/kb/curated/import", files={"file": ("answers.xlsx", buf.getvalue())})
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 2
    listed = admin.get("/staff/api/curated").json()["curated"]
    assert {"离婚登记可以网上预约吗", "结婚登记要带户口本吗"} <= {c["question"] for c in listed}
    # a reviewed answer imported in bulk takes effect in chat at once
    chat = admin.post("/v1/chat", json={"message": "结婚登记要带户口本吗"}).json()
    assert "【人工审核】" in chat["answer"] and "不再需要户口簿" in chat["answer"]


def test_a_bad_curated_import_names_rows_and_writes_nothing(app):
    admin = _login(app, "admin1")
    csv_bytes = ("问题,答案,事项编号,引用片段\n"
                 "公积金能取吗,可以提取。,housing-fund-withdrawal-rent,\n"
                 ",缺问题的答案,marriage-registration,\n"
                 "火星登记怎么办,没有这个事项,mars-item,\n"
                 "结婚登记要带啥,带身份证,marriage-registration,guide/nope#x\n").encode("gb18030")
    r = admin.post("/staff/api/kb/curated/import", files={"file": ("bad.csv", csv_bytes)})
    assert r.status_code == 422
    msg = r.json()["error"]["message"]
    assert "第3行「问题」不能为空" in msg and "第4行「事项编号/事项名称」" in msg and "mars-item" in msg
    assert "第5行「引用片段」" in msg
    assert admin.get("/staff/api/curated").json()["curated"] == []
    guide = _login(app, "guide1")
    r = guide.post("/staff/api/kb/curated/import", files={"file": ("a.csv", b"\xe9\x97\xae\xe9\xa2\x98\n")})
    assert r.status_code == 403
    assert TestClient(app).get("/staff/api/kb/curated/export").status_code == 401


def test_conversations_ratings_and_cases_export_with_filters_and_masking(app):
    staff = _login(app, "guide1")
    a = staff.post("/v1/chat", json={"message": "结婚登记要带什么 我手机138 1234 5678", "channel": "web"}).json()
    b = staff.post("/v1/chat", json={"message": "公积金租房能取吗 邮箱li.ming@qq.com", "channel": "wechat"}).json()
    r = staff.post("/v1/feedback", json={"message_id": b["message_id"], "rating_token": b["rating_token"],
                                         "rating": "不满意", "tags": ["信息不全"],
                                         "text": "卡号6222021234567890123没说清楚"})
    assert r.status_code in (200, 201), r.text
    r = staff.get("/staff/api/kb/export/conversations.xlsx?start=2026-03-01&end=2026-03-31")
    assert r.status_code == 200
    conv = _sheet(r.content, "会话")
    assert len(conv) == 3 and {row[2] for row in conv[1:]} == {"web", "wechat"}
    text = str(conv) + str(_sheet(r.content, "评价")) + str(_sheet(r.content, "工单"))
    for secret in ("1234 5678", "12345678", "li.ming", "6222021234567890123"):
        assert secret not in text
    cases = _sheet(r.content, "工单")
    assert len(cases) == 2 and cases[1][2] == "待回访"
    bad = _sheet(staff.get("/staff/api/kb/export/conversations.xlsx?start=2026-03-01&end=2026-03-31&rating=bad").content, "会话")
    assert [row[8] for row in bad[1:]] == [b["message_id"]]
    web = _sheet(staff.get("/staff/api/kb/export/conversations.xlsx?start=2026-03-01&end=2026-03-31&channel=web").content, "会话")
    assert [row[8] for row in web[1:]] == [a["message_id"]]
    r = staff.get("/staff/api/kb/export/conversations.xlsx?start=2026-03-31&end=2026-03-01")
    assert r.status_code == 422 and "开始日期" in r.json()["error"]["message"]
