"""The OpenAI-compatible endpoint (/v1/chat/completions, streamed and not) with the REAL `openai` Python client.

The server is uvicorn in a subprocess on a free loopback port with its own SQLite file, started on
`app_factory` below: `create_app()` plus the router when `create_app` does not mount it yet.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from servers import uvicorn_server

from assistant.web.schemas import to_response

PATH = "/v1/chat/completions"


def _mount_if_missing(app):
    """The router as create_app will mount it; with a copy of create_app's chat_once until it does."""
    from assistant.web.routes.openai import openai_router

    if any(getattr(r, "path", None) == PATH for r in app.routes):
        return app

    def chat_once(req, debug):
        store = app.state.store
        sid, ctx = store.open(req.session_id, req.channel)
        result = app.state.assistant.answer(req.message, ctx, session_id=sid)
        r = to_response(result)
        trace = result.trace | {"citations": [c.chunk_id for c in r.citations], "channel": req.channel or "web"}
        mid = store.record(sid, req.message, r.kind, r.answer, [i.name for i in r.items], trace, result.context)
        return r.model_copy(update={"message_id": mid, "trace": trace if debug else None})

    app.include_router(openai_router(chat_once))
    return app


def app_factory():
    """uvicorn --factory entry point for this test's server."""
    from assistant.web.app import create_app

    return _mount_if_missing(create_app())


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def server(index, tmp_path_factory):  # `index` builds the index first when missing or stale
    tmp = tmp_path_factory.mktemp("openai")
    here = Path(__file__).resolve().parent  # the server imports this module, and it imports tests/servers.py
    env = os.environ | {"ASSISTANT_DATABASE_URL": f"sqlite:///{tmp / 'x.db'}",
                        "PYTHONPATH": os.pathsep.join([str(here.parents[1]), str(here.parent)])}
    for k in ("ASSISTANT_LLM_BASE_URL", "ASSISTANT_LLM_MODEL"):  # the extractive answers, whatever the shell says
        env.pop(k, None)
    with uvicorn_server("test_openai_compat:app_factory", tmp / "server.log", env=env, app_dir=Path(__file__).resolve().parent) as srv:
        yield srv.url


@pytest.fixture(scope="module")
def oai(server):
    openai = pytest.importorskip("openai", reason="the `openai` client is installed with pip install -e '.[llm]'")
    with openai.OpenAI(base_url=f"{server}/v1", api_key="not-needed", max_retries=0, timeout=60) as client:
        yield client


def _extra(obj) -> dict:
    extra = (obj.model_extra or {}).get("daoban")
    assert extra is not None, f"no `daoban` field in {obj!r}"
    return extra


# ---------------------------------------------------------------- tests

def test_non_streaming_answer_with_items_citations_and_follow_up(oai):
    r = oai.chat.completions.create(model="daoban-assistant",
                                    messages=[{"role": "system", "content": "你是导办助手"},
                                              {"role": "user", "content": "结婚登记要带什么"}])
    assert r.object == "chat.completion" and r.id.startswith("chatcmpl-")
    assert r.model == "daoban-assistant"
    choice = r.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert "居民身份证" in choice.message.content
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    d = _extra(r)
    assert set(d) == {"session_id", "message_id", "rating_token", "kind", "items", "citations", "suggestions"}
    assert d["kind"] == "guide" and d["items"][0]["name"] == "结婚登记"
    cited = {c["n"] for c in d["citations"]}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", choice.message.content)} <= cited
    assert d["session_id"] and d["message_id"] and d["suggestions"]

    # the follow-up continues the same session through extra_body
    f = oai.chat.completions.create(model="daoban-assistant",
                                    messages=[{"role": "user", "content": "结婚登记要带什么"},
                                              {"role": "assistant", "content": choice.message.content},
                                              {"role": "user", "content": "网上能办吗"}],
                                    extra_body={"session_id": d["session_id"]})
    fd = _extra(f)
    assert fd["session_id"] == d["session_id"]
    assert fd["items"] and fd["items"][0]["name"] == "结婚登记"
    assert fd["message_id"] != d["message_id"]


def test_without_a_session_id_a_new_session_starts(oai):
    a = _extra(oai.chat.completions.create(model="x", messages=[{"role": "user", "content": "结婚登记要带什么"}]))
    b = _extra(oai.chat.completions.create(model="x", messages=[{"role": "user", "content": "网上能办吗"}]))
    assert a["session_id"] and b["session_id"] and a["session_id"] != b["session_id"]


def test_streaming_answer_chunks_then_daoban_and_usage(oai):
    full = oai.chat.completions.create(model="daoban-assistant",
                                       messages=[{"role": "user", "content": "结婚登记要带什么"}])
    stream = oai.chat.completions.create(model="daoban-assistant", stream=True,
                                         stream_options={"include_usage": True},
                                         messages=[{"role": "user", "content": "结婚登记要带什么"}])
    pieces, finals, extras, usage, ids = [], [], [], None, set()
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk" and chunk.model == "daoban-assistant"
        ids.add(chunk.id)
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason:
                finals.append(choice.finish_reason)
        if (chunk.model_extra or {}).get("daoban"):
            extras.append(chunk.model_extra["daoban"])
    assert len(ids) == 1
    assert len(pieces) > 1, "the answer should arrive in several pieces"
    assert "".join(pieces) == full.choices[0].message.content
    assert finals == ["stop"]
    assert len(extras) == 1 and extras[0]["items"][0]["name"] == "结婚登记"
    assert extras[0]["citations"] and extras[0]["session_id"]
    assert usage is not None and usage.completion_tokens > 0

    # streamed follow-up in the same session, the id given in metadata this time
    follow = oai.chat.completions.create(model="daoban-assistant", stream=True,
                                         metadata={"session_id": extras[0]["session_id"]},
                                         messages=[{"role": "user", "content": "网上能办吗"}])
    last = None
    text = ""
    for chunk in follow:
        text += "".join(c.delta.content or "" for c in chunk.choices)
        if (chunk.model_extra or {}).get("daoban"):
            last = chunk.model_extra["daoban"]
    assert text and last is not None
    assert last["session_id"] == extras[0]["session_id"]
    assert last["items"][0]["name"] == "结婚登记"


def test_raw_stream_ends_with_done(server):
    with httpx.stream("POST", server + PATH, timeout=60,
                      json={"model": "m", "stream": True, "messages": [{"role": "user", "content": "你好"}]}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = [ln for ln in r.iter_lines() if ln]
    assert all(ln.startswith("data: ") for ln in lines)
    assert lines[-1] == "data: [DONE]"


def test_content_parts_are_accepted(server):
    body = httpx.post(server + PATH, timeout=60, json={
        "model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "结婚登记要带什么"}]}]}).json()
    assert body["daoban"]["items"][0]["name"] == "结婚登记"


def test_errors_in_openai_shape_with_chinese_messages(oai, server):
    import openai

    with pytest.raises(openai.BadRequestError) as e:
        oai.chat.completions.create(model="daoban-assistant", messages=[{"role": "system", "content": "你好"}])
    assert e.value.status_code == 400
    assert "用户消息" in e.value.message

    for payload in ({"model": "m"}, {"model": "m", "messages": []}, [1, 2],
                    {"model": "m", "messages": [{"role": "user", "content": "   "}]},
                    {"model": "m", "messages": [{"role": "user", "content": "问" * 2001}]},
                    {"model": "m", "stream": "yes", "messages": [{"role": "user", "content": "你好"}]}):
        r = httpx.post(server + PATH, json=payload, timeout=30)
        assert r.status_code in (400, 422), payload
        err = r.json()["error"]
        assert set(err) == {"message", "type", "param", "code"}
        assert err["type"] == "invalid_request_error"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
    r = httpx.post(server + PATH, content=b"{not json", headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]


def test_models_list_names_the_assistant(oai):
    assert [m.id for m in oai.models.list()] == ["daoban-assistant"]
