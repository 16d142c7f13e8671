"""One question, start to finish, whatever the channel: open the conversation → answer → record.

`/v1/chat` (the chat page, the mini-program), `/v1/chat/completions` (OpenAI clients) and the WeChat
official account all call `ChatService.ask`, so a question asked on WeChat is stored, masked, counted
and rated exactly like one asked on the web page.  No HTTP here: the routes parse the request and
shape the reply; this module only knows the conversation store and the assistant.

What it guarantees for every answer:

* the conversation is continued when its id is known and not idle too long, else a new one starts
  (`SessionStore.open`), so "要多少钱" after "办身份证" is about the identity card;
* the clock the dialogue sees is the centre's local time (office hours decide 转人工);
* the stored trace is PII-masked (``13912345678`` → ``139****5678``) and names the channel and the
  cited chunk ids;
* the answer carries its ``message_id`` and the asker's ``rating_token`` (only the asker can rate it),
  and the trace only when the caller may see it (signed-in staff).
"""
from __future__ import annotations

from typing import Any, Callable

from assistant.core.handoff import local_now
from assistant.core.text.normalize import mask_trace
from assistant.web.schemas import to_response  # the HTTP contract's body (pydantic only, no web framework)


class ChatService:
    """``ChatService(store, get_assistant, token_for, utc_offset_hours, on_answer)``:

    * ``store`` — the conversations (`store.conversations.SessionStore`, with its naive-UTC clock);
    * ``get_assistant()`` — the current assistant (the staff console may swap it after a publish);
    * ``token_for(message_id, conversation_id)`` — the asker's rating token (`FeedbackStore.token_for`);
    * ``on_answer(kind, trace)`` — called once per answer (metrics and the request log line).
    """

    def __init__(self, store, get_assistant: Callable[[], Any], token_for: Callable[[str, str], str | None],
                 utc_offset_hours: float = 8.0, on_answer: Callable[[str, dict], None] | None = None):
        self.store = store
        self.get_assistant = get_assistant
        self.token_for = token_for
        self.utc_offset_hours = utc_offset_hours
        self.on_answer = on_answer or (lambda kind, trace: None)

    def ask(self, req, debug: bool = False):
        """The answer (a `ChatResponse`) to ``req`` (message, session_id, channel), recorded in its
        conversation; ``debug``: include the masked trace."""
        sid, ctx = self.store.open(req.session_id, req.channel)
        now = local_now(self.store.clock(), self.utc_offset_hours)
        result = self.get_assistant().answer(req.message, ctx, session_id=sid, now=now)
        r = to_response(result)
        trace = mask_trace(result.trace | {"citations": [c.chunk_id for c in r.citations], "channel": req.channel or "web"})
        mid = self.store.record(sid, req.message, r.kind, r.answer, [i.name for i in r.items], trace, result.context)
        self.on_answer(r.kind, trace)  # request log line and metrics; the question itself is never logged
        return r.model_copy(update={"message_id": mid, "trace": trace if debug else None,
                                    "rating_token": self.token_for(mid, sid)})
