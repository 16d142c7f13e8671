"""Shared by the case tests: ask a question on the public API and rate the answer 不满意 (opens a case)."""
from __future__ import annotations


def answer_and_rate(c, question: str, rating: str = "不满意") -> str:
    r = c.post("/v1/chat", json={"message": question, "session_id": None, "channel": "web"})
    assert r.status_code == 200, r.text
    a = r.json()
    r = c.post("/v1/feedback", json={"message_id": a["message_id"], "rating_token": a["rating_token"], "rating": rating})
    assert r.status_code == 201, r.text
    return question
