"""Server-sent events, the one way this server streams an answer (``/v1/chat`` with
``Accept: text/event-stream`` and ``/v1/chat/completions`` with ``stream: true``).

The answer is already whole when streaming starts (it is extractive and cited); it is sent in pieces of
`PIECE` characters so a chat window can type it out, e.g. ``办理「结婚登记」要带：本人有效居民身份证、…``
arrives as ``办理「结婚登记」要带：本人有效居民身份证、本人无配偶`` then the next 24 characters."""
from __future__ import annotations

import json
from typing import Iterable, Iterator

from fastapi.responses import StreamingResponse

PIECE = 24  # characters per streamed piece of the answer


def pieces(text: str, size: int = PIECE) -> Iterator[str]:
    """``text`` in consecutive slices of ``size`` characters (the last may be shorter)."""
    for i in range(0, len(text), size):
        yield text[i:i + size]


def event(data, name: str | None = None) -> str:
    """One SSE event: ``event: delta\\ndata: {"text": "…"}\\n\\n``; without a name only the data line
    (OpenAI's chunks); a string is sent as it is (``data: [DONE]``)."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {payload}\n\n"


def stream(events: Iterable[str]) -> StreamingResponse:
    """The response for a stream of `event` strings; proxies are told not to buffer it."""
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
