"""Per-follower WeChat state shared through the database (assistant/shared_state.py): two app processes
are played by two WeChat routers on one database file, as two replicas behind a proxy would be."""
from __future__ import annotations

import threading
import time

from types import SimpleNamespace

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from assistant.store.conversations import make_engine
from assistant.store.shared_state import LOST_AFTER, WECHAT_PENDING, OpenidSessions, PendingAnswers, openid_key
from assistant.web.routes.wechat import LOST, PENDING, STILL_PENDING, wechat_router
from test_wechat import OPENID, TOKEN, FakeAnswers, fields, post, text_msg


def _replica(engine, answers) -> TestClient:
    settings = SimpleNamespace(wechat_token=TOKEN, wechat_reply_budget=0.2)
    app = FastAPI()
    app.include_router(wechat_router(answers, settings, engine), prefix="/wechat")
    return TestClient(app)


def test_a_late_answer_started_on_one_replica_is_collected_on_the_other(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    slow, other = FakeAnswers(), FakeAnswers()
    slow.release = threading.Event()
    a, b = _replica(engine, slow), _replica(engine, other)

    r = post(a, text_msg("身份证怎么办", msg_id="9001"))
    assert fields(r.text)["Content"] == PENDING
    r = post(b, text_msg("1", msg_id="9002"))  # still being looked up on A
    assert fields(r.text)["Content"] == STILL_PENDING
    slow.release.set()
    for _ in range(100):  # A writes the finished answer to the database
        if PendingAnswers(engine).peek(OPENID)[0] == "done":
            break
        time.sleep(0.05)
    r = post(b, text_msg("1", msg_id="9003"))
    assert "关于“身份证怎么办”" in fields(r.text)["Content"]
    assert other.calls == []  # B asked nothing itself: it handed over A's answer
    r = post(b, text_msg("结婚登记", msg_id="9004"))  # collected once: the next message is a new question
    assert "关于“结婚登记”" in fields(r.text)["Content"]
    assert other.calls == [(OPENID, "结婚登记")]


def test_an_answer_lost_with_its_replica_asks_for_the_question_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    PendingAnswers(engine).start(OPENID)
    with engine.begin() as db:  # the replica computing it died LOST_AFTER seconds ago
        db.execute(update(WECHAT_PENDING).where(WECHAT_PENDING.c.openid_key == openid_key(OPENID))
                   .values(started_at=time.time() - LOST_AFTER - 1))
    answers = FakeAnswers()
    b = _replica(engine, answers)
    assert fields(post(b, text_msg("1", msg_id="9101")).text)["Content"] == LOST
    assert "关于“居住证”" in fields(post(b, text_msg("居住证", msg_id="9102")).text)["Content"]


def test_the_follower_map_is_shared_and_keeps_no_openid(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    OpenidSessions(engine).set(OPENID, "session-one")
    assert OpenidSessions(engine).get(OPENID) == "session-one"
    OpenidSessions(engine).set(OPENID, "session-two")  # the conversation expired and a new one began
    assert OpenidSessions(engine).get(OPENID) == "session-two"
    assert OpenidSessions(engine).get("someone-else") is None
    with engine.connect() as db:
        dump = repr(db.exec_driver_sql("select * from wechat_sessions").all())
    assert OPENID not in dump
