"""Conversations, ratings and the staff console on PostgreSQL, the database being only a URL in the
configuration: the same HTTP API, a real server started by the test."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from servers import postgres


@pytest.fixture(scope="module")
def pg_url():
    with postgres() as url:
        yield url


@pytest.fixture()
def pg_client(assistant, settings, pg_url):
    from fastapi.testclient import TestClient

    from assistant.web.app import create_app
    from assistant.store.conversations import SessionStore

    with TestClient(create_app(settings, assistant, SessionStore(pg_url))) as c:
        yield c


def test_a_conversation_is_kept_in_postgresql(pg_client, pg_url):
    sid = None
    names = []
    for m in ("公积金", "租房用的", "要带什么"):
        body = pg_client.post("/v1/chat", json={"message": m, "session_id": sid}).json()
        sid = body["session_id"]
        names.append(body["items"][0]["name"] if body["items"] else None)
    assert names[1:] == ["住房公积金提取（租房）"] * 2  # the focus survived the round trips through PostgreSQL
    with create_engine(pg_url).connect() as db:
        rows = db.execute(text("select role, text from messages where conversation_id = :s order by seq"),
                          {"s": sid}).all()
    assert [r.role for r in rows] == ["user", "assistant"] * 3
    assert rows[0].text == "公积金"


def test_personal_numbers_are_masked_in_postgresql_and_ratings_open_cases(pg_client, pg_url):
    body = pg_client.post("/v1/chat", json={"message": "我身份证320102199001011234 手机13812345678 结婚登记要带什么"}).json()
    rated = pg_client.post("/v1/feedback", json={"message_id": body["message_id"], "rating_token": body["rating_token"], "rating": "不满意"})
    assert rated.status_code == 201
    with create_engine(pg_url).connect() as db:
        stored = db.execute(text("select text from messages where conversation_id = :s and role = 'user'"),
                            {"s": body["session_id"]}).scalar_one()
        cases = db.execute(text("select status from feedback_cases where message_id = :m"),
                           {"m": body["message_id"]}).scalars().all()
    assert "320102199001011234" not in stored and "13812345678" not in stored
    assert cases == ["待回访"]


def test_a_guessed_session_id_reveals_nothing(pg_client):
    mine = pg_client.post("/v1/chat", json={"message": "我想领证"}).json()
    guess = mine["session_id"][:-1] + ("A" if mine["session_id"][-1] != "A" else "B")
    other = pg_client.post("/v1/chat", json={"message": "要带什么", "session_id": guess}).json()
    assert other["session_id"] not in (mine["session_id"], guess)
    assert not (other["kind"] == "guide" and other["items"][0]["name"] == "结婚登记")
