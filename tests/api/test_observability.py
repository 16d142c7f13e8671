"""Running it as a public service: a JSON line per request with nothing personal in it, Prometheus metrics,
and /readyz that checks the database and the index; `assistant serve` shows the app's own logs."""
from __future__ import annotations

import json
import logging
import re
import sys

import pytest
from sqlalchemy import create_engine

from assistant.store.conversations import SessionStore

from assistant.web.observability import JsonFormatter, RequestIdFilter

PHONE, ID_CARD = "13812345678", "32130219900101123X"


def _lines(caplog) -> list[dict]:
    fmt = JsonFormatter()
    return [json.loads(fmt.format(r)) for r in caplog.records if r.name == "assistant.access"]


def test_one_json_line_per_request_with_rule_and_nothing_personal(client, caplog):
    caplog.set_level(logging.INFO, logger="assistant.access")
    question = f"我手机{PHONE}，身份证{ID_CARD}，我和女朋友想去领证要带啥"
    r = client.post("/v1/chat", json={"message": question}, headers={"X-Request-ID": "req-abc.1"})
    assert r.status_code == 200 and r.json()["kind"] == "guide"
    assert r.headers["x-request-id"] == "req-abc.1"
    [line] = _lines(caplog)
    assert line["request_id"] == "req-abc.1"
    assert line["route"] == "/v1/chat" and line["method"] == "POST" and line["status"] == 200
    assert line["kind"] == "guide" and line["rule"] == "guide: 结婚登记"
    assert line["duration_ms"] > 0 and line["channel"] == "web"
    raw = json.dumps(line, ensure_ascii=False)
    for personal in (PHONE, "138****5678", ID_CARD, "321302", "女朋友", "要带啥"):
        assert personal not in raw


def test_words_quoted_from_the_question_never_reach_the_log(client, caplog):
    caplog.set_level(logging.INFO, logger="assistant.access")
    body = client.post("/v1/chat", json={"message": "怎么申请火星居住权"}).json()
    assert body["kind"] == "clarify"
    [line] = _lines(caplog)
    assert "火星" not in json.dumps(line, ensure_ascii=False)
    assert line["rule"].startswith("clarify:") and "「…」" in line["rule"]
    assert "rule:unknown-words" in line["rules"]


def test_request_id_is_made_when_missing_or_unsafe(client, caplog):
    caplog.set_level(logging.INFO, logger="assistant.access")
    made = client.get("/v1/items").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    unsafe = client.get("/v1/items/nope", headers={"X-Request-ID": "a b\"{}"})
    assert unsafe.status_code == 404 and unsafe.headers["x-request-id"] != "a b\"{}"
    lines = _lines(caplog)
    assert [ln["route"] for ln in lines] == ["/v1/items", "/v1/items/{item_id}"]  # the template, not the id
    assert lines[1]["status"] == 404 and lines[1]["request_id"] == unsafe.headers["x-request-id"]


def test_query_strings_are_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="assistant.access")
    assert client.get("/v1/search", params={"q": f"结婚登记 {PHONE}"}).status_code == 200
    [line] = _lines(caplog)
    assert line["route"] == "/v1/search" and PHONE not in json.dumps(line) and "q=" not in json.dumps(line)


def _metric(text: str, name: str, **labels) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            got = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0])) if "{" in line else {}
            if all(got.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_answers_refusals_clarifications_ratings_and_index(client, index):
    guide = client.post("/v1/chat", json={"message": "结婚登记要带什么"}).json()
    client.post("/v1/chat", json={"message": "明天宿迁天气怎么样"})
    client.post("/v1/chat", json={"message": "公积金"})
    assert client.post("/v1/feedback", json={"message_id": guide["message_id"], "rating_token": guide["rating_token"],
                                              "rating": "满意"}).status_code == 201
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    m = r.text
    assert _metric(m, "assistant_answers_total", kind="guide", rule="guide", channel="web") == 1
    refusals = [ln for ln in m.splitlines() if ln.startswith("assistant_refusals_total{")]
    assert len(refusals) == 1 and refusals[0].endswith(" 1.0") and "out of scope" in refusals[0]
    assert _metric(m, "assistant_clarifications_total") == 1
    assert _metric(m, "assistant_http_request_duration_seconds_count", route="/v1/chat", method="POST") == 3
    assert _metric(m, "assistant_http_requests_total", route="/v1/feedback", status="201") == 1
    assert _metric(m, "assistant_ratings", rating="满意") == 1
    assert _metric(m, "assistant_index_chunks", kind="all") == len(index.chunks)
    assert _metric(m, "assistant_index_items") == len(index.corpus.guides)
    assert _metric(m, "assistant_index_age_seconds") >= 0
    assert _metric(m, "assistant_llm_fallbacks_total") is None  # no LLM configured: nothing fell back


def test_llm_fallback_is_counted_by_reason(client):
    from assistant.web.observability import llm_fallback_reason, note_answer

    trace = {"decision": "guide: 结婚登记", "llm": {"used": False, "reason": "check failed: no sentence (x)"}}
    assert llm_fallback_reason(trace) == "check failed"
    note_answer(client.app, "guide", trace)
    note_answer(client.app, "guide", {"decision": "guide: 结婚登记", "llm": {"used": True, "reason": "ok"}})
    m = client.get("/metrics").text
    assert _metric(m, "assistant_llm_fallbacks_total", reason="check failed") == 1
    assert _metric(m, "assistant_llm_phrased_total") == 1


def test_readyz_checks_database_and_index(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"database": "ok", "index": "ok"}}


def test_readyz_is_503_with_a_chinese_reason_when_the_database_is_down(client, tmp_path):
    class Broken(SessionStore):
        def __init__(self):  # a store whose database file cannot be opened
            self.engine = create_engine(f"sqlite:///{tmp_path}/missing-dir/x.db")

    good = client.app.state.store
    client.app.state.store = Broken()
    try:
        r = client.get("/readyz")
    finally:
        client.app.state.store = good
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "not_ready" and body["checks"]["database"].startswith("error")
    assert "数据库不可用" in body["reason"]


def test_readyz_is_503_before_the_index_is_loaded(client):
    a = client.app.state.assistant
    client.app.state.assistant = None
    try:
        r = client.get("/readyz")
    finally:
        client.app.state.assistant = a
    assert r.status_code == 503 and "索引尚未加载" in r.json()["reason"]


def test_unhandled_error_is_logged_as_500_with_its_request_id(client, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="assistant")
    caplog.handler.addFilter(RequestIdFilter())  # as `serve`'s handler does: the id is read at emit time
    monkeypatch.setattr(client.app.state.assistant, "search", lambda *a, **k: 1 / 0)
    from fastapi.testclient import TestClient

    with TestClient(client.app, raise_server_exceptions=False) as c:
        r = c.get("/v1/search", params={"q": "结婚"}, headers={"X-Request-ID": "boom-1"})
    assert r.status_code == 500 and "12345" in r.json()["error"]["message"]
    fmt = JsonFormatter()
    lines = [json.loads(fmt.format(rec)) for rec in caplog.records]
    access = [ln for ln in lines if ln["logger"] == "assistant.access"]
    assert access[-1]["status"] == 500 and access[-1]["request_id"] == "boom-1"
    errors = [ln for ln in lines if ln["logger"] == "assistant.api"]
    assert errors and errors[0]["request_id"] == "boom-1" and "ZeroDivisionError" in errors[0]["exc"]


@pytest.mark.slow
def test_serve_writes_json_lines_with_the_apps_own_info_logs(tmp_path):
    from servers import ensure_index, serve
    import httpx

    ensure_index()
    env = {**__import__("os").environ, "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    log = tmp_path / "serve.log"
    with serve([sys.executable, "-m", "assistant.cli", "serve"], log, env=env, ready="/readyz") as s:
        r = httpx.post(s.url + "/v1/chat", json={"message": f"我电话{PHONE}，结婚登记要带什么"}, timeout=60)
        assert r.status_code == 200
        rid = r.headers["x-request-id"]
    lines = [json.loads(ln) for ln in log.read_text(encoding="utf-8").splitlines() if ln.startswith("{")]
    assert any(ln["logger"].startswith("uvicorn") and "startup complete" in ln["msg"] for ln in lines)
    [req] = [ln for ln in lines if ln.get("request_id") == rid and ln["logger"] == "assistant.access"]
    assert req["kind"] == "guide" and req["route"] == "/v1/chat"
    assert PHONE not in log.read_text(encoding="utf-8")


def test_docs_pages_load_their_assets_from_the_app_not_a_cdn(client):
    for page, asset in (("/docs", "/docs-static/swagger-ui-bundle.js"), ("/redoc", "/docs-static/redoc.standalone.js")):
        r = client.get(page)
        assert r.status_code == 200 and asset in r.text
        assert not re.search(r'(src|href)="https?://', r.text), page  # nothing from the internet
        js = client.get(asset)
        assert js.status_code == 200 and len(js.content) > 100_000
    assert client.get("/docs-static/swagger-ui.css").status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/v1/chat"]


def test_query_vector_cache_lookups_are_counted(client):
    def lookups(result: str) -> float:
        return _metric(client.get("/metrics").text, "assistant_query_embedding_cache_lookups_total",
                       result=result) or 0.0

    hits, misses = lookups("hit"), lookups("miss")
    question = "办居住证要带什么材料（缓存计数测试）"
    client.post("/v1/chat", json={"message": question})
    client.post("/v1/chat", json={"message": question})
    assert lookups("miss") >= misses + 1  # the first time it is embedded
    assert lookups("hit") >= hits + 1  # the second time the vector comes from the cache
