"""会话记录: the log of conversations, one conversation with the trace of every answer, and checking an answer.

* ``GET /staff/api/conversations?start=2026-03-01&end=2026-03-06&channel=wechat&kind=refuse&rating=bad
  &item=结婚登记&review=unreviewed&q=户口&page=1&size=20`` — conversations with a matching answer, newest first.
* ``GET /staff/api/conversations/{id}`` — every turn: question, answer, trace, "why" in Chinese, citations with
  their text, rating, case, checks and the corrections written from it.
* ``POST /staff/api/messages/{id}/review`` ``{"verdict": "wrong", "reason": "窗口已搬到B区"}`` — a reason is
  required when the answer is marked wrong.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from assistant.core.rule_labels import explain, labelled
from assistant.web.staff.deps import Console, CurrentStaff, StaffError, staff_api
from assistant.web.staff.out import case_out, chunk_out


class ReviewRequest(BaseModel):
    verdict: Literal["correct", "wrong"]
    reason: str = Field("", max_length=500)


def _turn_out(console: Console, a, m, question: str, extras: dict) -> dict:
    """One answer of a conversation with everything staff check it against."""
    iso, trace, fb = console.local.iso, m.trace or {}, extras["feedback"].get(m.id)
    ids_by_name = extras["ids_by_name"]
    return {
        "id": m.id, "seq": m.seq, "question": question, "answer": m.text, "kind": m.kind,
        "items": m.items or [], "created_at": iso(m.created_at),
        "item_ids": [ids_by_name[n] for n in (m.items or []) if n in ids_by_name],
        "trace": trace, "why": explain(trace), "rule_labels": labelled(trace.get("rules")),
        "citations": [chunk_out(a, cid, n) for n, cid in enumerate(trace.get("citations", []), 1)],
        "feedback": {"rating": fb.rating, "score": fb.score, "tags": fb.tags, "text": fb.text,
                     "at": iso(fb.created_at)} if fb else None,
        "case": case_out(console.local, extras["cases"][m.id]) if m.id in extras["cases"] else None,
        "reviews": extras["reviews"].get(m.id, []),
        "curated": [{"id": c.id, "question": c.question, "item_id": c.item_id, "answer": c.answer,
                     "chunk_ids": c.chunk_ids, "active": c.active, "created_by": c.created_by,
                     "citations": [chunk_out(a, cid, n) for n, cid in enumerate(c.chunk_ids, 1)],
                     "at": iso(c.created_at)} for c in extras["curated"].get(m.id, [])],
    }


def _extras(console: Console, a, ids: list[str]) -> dict:
    """Ratings, cases, checks and corrections of the answers ``ids``, keyed by message id."""
    reviews: dict[str, list] = defaultdict(list)
    for r in console.curated.reviews(ids):
        reviews[r.message_id].append({"verdict": r.verdict, "reason": r.reason, "staff": r.staff,
                                      "curated_id": r.curated_id, "at": console.local.iso(r.created_at)})
    return {"feedback": console.feedback.for_messages(ids), "cases": console.feedback.cases_for_messages(ids),
            "reviews": reviews, "curated": console.curated.for_messages(ids),
            "ids_by_name": {g.name: g.id for g in a.index.corpus.guides}}


def router(console: Console) -> APIRouter:
    api = staff_api()
    local = console.local

    @api.get("/conversations", summary="会话记录：按日期、渠道、类型、评价、事项筛选")
    def conversations(start: date | None = None, end: date | None = None, channel: str | None = None,
                      kind: str | None = None, rating: str | None = None, item: str | None = None,
                      review: Literal["correct", "wrong", "unreviewed"] | None = None,
                      q: str | None = Query(None, max_length=100), page: int = Query(1, ge=1),
                      size: int = Query(20, ge=1, le=100)):
        start, end = local.span(start, end, days=30)
        a = console.assistant()
        matched, truncated = console.reports.matching_turns(start, end, channel, kind, rating,
                                                            console.item_name(a, item), review, q)
        return console.reports.conversations(start, end, matched, truncated, page, size)

    @api.get("/conversations/{conversation_id}", summary="一个会话：每条回答及其检索、路由轨迹")
    def conversation(conversation_id: str):
        a = console.assistant()
        found = console.log.conversation(conversation_id)
        if found is None:
            raise StaffError(404, "not_found", "没有这个会话")
        conv, msgs = found
        extras = _extras(console, a, [m.id for m in msgs if m.role == "assistant"])
        turns, question = [], ""
        for m in msgs:
            if m.role == "user":
                question = m.text
            else:
                turns.append(_turn_out(console, a, m, question, extras))
        return {"id": conv.id, "channel": conv.channel, "created_at": local.iso(conv.created_at),
                "updated_at": local.iso(conv.updated_at), "turns": turns}

    @api.post("/messages/{message_id}/review", summary="核对一条回答：正确 / 有误（附理由）")
    def review(message_id: str, body: ReviewRequest, staff: CurrentStaff):
        answer_or_404(console, message_id)
        if body.verdict == "wrong" and not body.reason.strip():
            raise StaffError(422, "invalid_request", "标记有误时请写明理由")
        r = console.curated.review(message_id, body.verdict, body.reason, staff.username)
        return {"id": r.id, "message_id": message_id, "verdict": r.verdict, "reason": r.reason, "staff": r.staff,
                "at": local.iso(r.created_at)}

    return api


def answer_or_404(console: Console, message_id: str):
    m = console.log.answer(message_id)
    if m is None:
        raise StaffError(404, "not_found", "没有这条回答")
    return m
