"""The one chat flow (service/chat.py): open the conversation → answer → record, the same for the web
page, the OpenAI endpoint and WeChat — checked here with a fake store and a fake assistant (no index)."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from assistant.core.assistant import Result
from assistant.core.compose import Citation, Citations
from assistant.core.dialogue.decision import Decision
from assistant.service.chat import ChatService


class FakeStore:
    def __init__(self):
        self.opened, self.recorded = [], []

    def clock(self) -> datetime:
        return datetime(2026, 3, 6, 1, 30)  # naive UTC: 09:30 in Suqian

    def open(self, session_id, channel):
        self.opened.append((session_id, channel))
        return session_id or "new-session", {"focus": None}

    def record(self, sid, message, kind, answer, items, trace, context):
        self.recorded.append(dict(sid=sid, message=message, kind=kind, answer=answer, items=items, trace=trace,
                                  context=context))
        return "m-1"


class FakeAssistant:
    def __init__(self):
        self.calls = []

    def answer(self, message, ctx, session_id, now):
        self.calls.append((message, session_id, now))
        cite = Citation(n=1, chunk_id="guide/id-card#materials", doc_id="guide/id-card", title="居民身份证换领",
                        section="申请材料", text="居民户口簿", source="办事指南")
        decision = Decision(kind="guide", rule="guide", paragraphs=["要带户口簿[1]。"], citations=Citations([cite]))
        return Result(decision, "要带户口簿[1]。", {"focus": "id-card"},
                      {"rule": "guide", "asked": "我的电话13912345678"}, session_id=session_id)


def _service(answered: list | None = None):
    store, assistant = FakeStore(), FakeAssistant()
    service = ChatService(store, lambda: assistant, lambda mid, sid: f"token:{mid}:{sid}", 8.0,
                          lambda kind, trace: (answered if answered is not None else []).append((kind, trace)))
    return service, store, assistant


def _req(message="办身份证要带什么", session_id=None, channel=None):
    return SimpleNamespace(message=message, session_id=session_id, channel=channel)


def test_an_answer_is_recorded_with_a_masked_trace_naming_channel_and_citations():
    service, store, _ = _service()
    service.ask(_req(channel="wechat"))
    rec = store.recorded[0]
    assert rec["sid"] == "new-session" and rec["message"] == "办身份证要带什么" and rec["kind"] == "guide"
    assert rec["trace"]["channel"] == "wechat" and rec["trace"]["citations"] == ["guide/id-card#materials"]
    assert "13912345678" not in str(rec["trace"]) and "139****5678" in rec["trace"]["asked"]
    assert rec["context"] == {"focus": "id-card"}


def test_the_answer_carries_its_message_id_and_the_askers_rating_token_and_no_trace_unless_debug():
    service, _, _ = _service()
    r = service.ask(_req(session_id="s-7"))
    assert r.message_id == "m-1" and r.rating_token == "token:m-1:s-7" and r.trace is None
    r = service.ask(_req(session_id="s-7"), debug=True)
    assert r.trace["rule"] == "guide" and r.trace["channel"] == "web"


def test_the_dialogue_sees_the_centres_local_time_and_the_conversation_continues():
    service, store, assistant = _service()
    service.ask(_req(session_id="s-7", channel="web"))
    assert store.opened == [("s-7", "web")]
    message, sid, now = assistant.calls[0]
    assert sid == "s-7" and now == datetime(2026, 3, 6, 9, 30)


def test_every_answer_is_counted_once_with_its_kind_and_masked_trace():
    answered: list = []
    service, _, _ = _service(answered)
    service.ask(_req())
    assert [kind for kind, _ in answered] == ["guide"] and "139****5678" in answered[0][1]["asked"]


def test_the_chat_flow_and_the_wechat_protocol_need_no_web_framework_or_database_library():
    """service/chat.py and service/wechat_protocol.py run without FastAPI, Starlette or SQLAlchemy loaded
    (the routes parse and shape HTTP; the stores are handed in)."""
    import subprocess
    import sys

    code = ("import sys, assistant.service.chat, assistant.service.wechat_protocol; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'starlette', 'sqlalchemy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
