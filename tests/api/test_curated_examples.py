"""Staff widen or narrow a correction with example questions, and edit it with its history kept.

结婚登记要带什么 catches 我和女朋友想去领证，要带啥 by itself (the router sends it to 结婚登记, it asks about
materials); a 导办员 who thinks it should not can exclude it.  领证要几张照片 (how many) is not caught; added as
an example it is, with its own paraphrases, and 离婚登记要几张照片 still is not.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from assistant.core.text.normalize import normalize
from assistant.store.curated import CuratedStore
from assistant.store.curated_edits import Examples

CLOCK_START = datetime(2026, 3, 6, 1, 0)  # the `clock` fixture (conftest.py)
PASSWORD = "examples-pass-123"
FIX = "双方带身份证和户口簿原件，到婚姻登记处办理。"
QUESTION, ITEM = "结婚登记要带什么", "marriage-registration"


def _answered(store, assistant, q: str) -> bool:
    return store.lookup(normalize(q), assistant.retriever.embed) is not None


def test_an_excluded_question_and_its_close_paraphrases_do_not_get_the_correction(assistant):
    store = CuratedStore.scratch().bind(assistant)
    store.add(QUESTION, ITEM, FIX, [], "guide1", examples=Examples(exclude=("我和女朋友想去领证，要带啥",)))
    assert not _answered(store, assistant, "我和女朋友想去领证，要带啥")  # the excluded question itself
    assert not _answered(store, assistant, "我和男朋友想去领证，要带啥")  # closer to it than to 结婚登记要带什么
    for q in ("结婚登记要带什么", "结婚登记需要带什么材料", "领结婚证需要准备哪些材料"):
        assert _answered(store, assistant, q), q
    without = CuratedStore.scratch().bind(assistant)
    without.add(QUESTION, ITEM, FIX, [], "guide1")
    assert _answered(without, assistant, "我和女朋友想去领证，要带啥")  # caught when nobody excluded it


def test_an_added_example_is_caught_like_the_corrections_own_question(assistant):
    store = CuratedStore.scratch().bind(assistant)
    store.add(QUESTION, ITEM, FIX, [], "guide1")
    assert not _answered(store, assistant, "领证要带几张照片")
    store = CuratedStore.scratch().bind(assistant)
    store.add(QUESTION, ITEM, FIX, [], "guide1", examples=Examples(include=("领证要几张照片",)))
    hit = store.lookup(normalize("领证要几张照片"), assistant.retriever.embed)
    assert hit is not None and hit.similarity == 1.0 and hit.answer == FIX
    assert _answered(store, assistant, "领证要带几张照片")  # a paraphrase of the example
    assert not _answered(store, assistant, "离婚登记要几张照片")  # still not another item


@pytest.fixture()
def clients(staff_app):
    app = staff_app("examples.db", PASSWORD, {"guide1": "guide", "guide2": "guide", "admin1": "admin"})
    with TestClient(app) as guide, TestClient(app) as other, TestClient(app) as admin:
        for c, user in ((guide, "guide1"), (other, "guide2"), (admin, "admin1")):
            assert c.post("/staff/login", json={"username": user, "password": PASSWORD}).status_code == 200
        yield guide, other, admin


def _chat(c: TestClient, q: str) -> str:
    r = c.post("/v1/chat", json={"message": q, "session_id": None})
    assert r.status_code == 200, r.text
    return r.json()["answer"]


def test_examples_are_saved_with_the_correction_and_used_in_the_chat(clients):
    guide, _, _ = clients
    r = guide.post("/staff/api/curated", json={"question": QUESTION, "item_id": ITEM, "answer": FIX,
                                               "examples": ["领证要几张照片"], "excluded": ["我和女朋友想去领证，要带啥"],
                                               "reason": "材料清单更新"})
    assert r.status_code == 201, r.text
    assert (r.json()["examples"], r.json()["excluded"]) == (["领证要几张照片"], ["我和女朋友想去领证，要带啥"])
    assert guide.get("/staff/api/curated").json()["curated"][0]["excluded"] == ["我和女朋友想去领证，要带啥"]
    assert _chat(guide, "领证要带几张照片").startswith("【人工审核】" + FIX)
    assert "【人工审核】" not in _chat(guide, "我和女朋友想去领证，要带啥")


def test_the_preview_shows_what_the_examples_change(clients):
    guide, _, _ = clients
    for q in ("我和女朋友想去领证，要带啥", "领证要带几张照片", "领结婚证需要准备哪些材料"):
        _chat(guide, q)
    body = {"question": QUESTION, "item_id": ITEM}
    caught = lambda extra: sorted(c["question"] for c in guide.post("/staff/api/curated/preview",  # noqa: E731
                                                                    json=body | extra).json()["catches"])
    assert caught({}) == ["我和女朋友想去领证，要带啥", "领结婚证需要准备哪些材料"]
    assert caught({"examples": ["领证要几张照片"], "excluded": ["我和女朋友想去领证，要带啥"]}) == [
        "领结婚证需要准备哪些材料", "领证要带几张照片"]


def test_an_edit_keeps_the_previous_version_and_a_version_can_be_restored(clients):
    guide, other, admin = clients
    cid = guide.post("/staff/api/curated", json={"question": QUESTION, "item_id": ITEM, "answer": FIX}).json()["id"]
    new = "双方带身份证原件即可，不再需要户口簿。"
    assert guide.put(f"/staff/api/curated/{cid}", json={"answer": new}).status_code == 422  # no reason
    assert guide.put(f"/staff/api/curated/{cid}", json={"answer": new, "reason": " "}).status_code == 422
    assert other.put(f"/staff/api/curated/{cid}", json={"answer": new, "reason": "x"}).status_code == 403
    r = guide.put(f"/staff/api/curated/{cid}", json={"answer": new + "[1]", "reason": "户口簿已取消"})
    assert r.status_code == 200, r.text and r.json()["answer"] == new
    assert _chat(guide, QUESTION).startswith("【人工审核】" + new)

    r = admin.put(f"/staff/api/curated/{cid}", json={"examples": ["领证要几张照片"], "reason": "加一个问法"})
    assert r.status_code == 200 and r.json()["examples"] == ["领证要几张照片"]
    h = guide.get(f"/staff/api/curated/{cid}/history").json()
    assert h["curated"]["answer"] == new and h["curated"]["examples"] == ["领证要几张照片"]
    assert [(v["seq"], v["replaced_by"], v["reason"], v["answer"]) for v in h["versions"]] == [
        (2, "admin1", "加一个问法", new), (1, "guide1", "户口簿已取消", FIX)]
    assert h["versions"][0]["examples"] == [] and h["versions"][0]["replaced_at"]

    first = h["versions"][1]["id"]
    assert guide.post(f"/staff/api/curated/{cid}/restore", json={"version_id": first}).status_code == 422
    assert guide.post(f"/staff/api/curated/{cid}/restore",
                      json={"version_id": "nope", "reason": "x"}).status_code == 404
    r = guide.post(f"/staff/api/curated/{cid}/restore", json={"version_id": first, "reason": "改错了，恢复"})
    assert r.status_code == 200 and (r.json()["answer"], r.json()["examples"]) == (FIX, [])
    assert _chat(guide, QUESTION).startswith("【人工审核】" + FIX)
    versions = guide.get(f"/staff/api/curated/{cid}/history").json()["versions"]
    assert [v["reason"] for v in versions] == ["改错了，恢复", "加一个问法", "户口簿已取消"]
    exported = admin.get("/staff/api/kb/curated/export", params={"format": "csv"}).content.decode("utf-8-sig")
    assert FIX in exported and new not in exported  # the export has the restored text
