"""Server-sent events (web/sse.py): the one way /v1/chat and /v1/chat/completions stream an answer."""
from __future__ import annotations

from assistant.web import sse


def test_the_answer_is_cut_into_24_character_pieces_that_join_back_to_it():
    text = "办理「结婚登记」要带：本人有效居民身份证、本人无配偶以及与对方没有直系血亲和三代以内旁系血亲关系的签字声明。"
    parts = list(sse.pieces(text))
    assert "".join(parts) == text and all(len(p) == 24 for p in parts[:-1]) and 0 < len(parts[-1]) <= 24
    assert list(sse.pieces("")) == []


def test_a_named_event_has_an_event_line_and_json_data_in_utf8():
    assert sse.event({"text": "身份证"}, "delta") == 'event: delta\ndata: {"text": "身份证"}\n\n'


def test_an_unnamed_event_is_only_a_data_line_and_a_string_is_sent_as_it_is():
    assert sse.event({"a": 1}) == 'data: {"a": 1}\n\n'
    assert sse.event("[DONE]") == "data: [DONE]\n\n"


def test_the_stream_response_tells_proxies_not_to_buffer():
    r = sse.stream(iter(["data: x\n\n"]))
    assert r.media_type == "text/event-stream"
    assert r.headers["cache-control"] == "no-cache" and r.headers["x-accel-buffering"] == "no"
