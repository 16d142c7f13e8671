"""Bulk review of answers in the staff console (issue 15): select answers by date, channel, item, kind, rating
and review state (the same filters as 会话记录, staff.matching_turns), mark many as correct at once, and export
the selection to Excel through the same workbook code as the knowledge-base exports (sheets.py).

* ``GET  /staff/api/bulk/turns?start=2026-03-01&end=2026-03-06&item=结婚登记&kind=guide&rating=bad&review=unreviewed``
* ``POST /staff/api/bulk/review`` ``{"message_ids": [...], "verdict": "correct"}`` — up to 500 at once
* ``GET  /staff/api/bulk/export.xlsx?…same filters…`` — 时间, 渠道, 问题, 回答, 类型, 事项, 评价, 核对
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from assistant.store.conversations import Message
from assistant.core.corpus.sheets import workbook_bytes
from assistant.web.staff.console import Staff, StaffError, StaffRoute

MAX_IDS = 500
KINDS = {"guide": "办事指南", "policy": "政策法规", "clarify": "请选择事项", "refuse": "拒答", "handoff": "转人工",
         "chitchat": "寒暄"}
VERDICTS = {"correct": "正确", "wrong": "有误", None: "未核对"}
HEADER = ["时间", "渠道", "问题", "回答", "类型", "事项", "评价", "核对", "消息编号"]


class BulkReview(BaseModel):
    message_ids: list[str] = Field(min_length=1, max_length=MAX_IDS)
    verdict: Literal["correct"] = "correct"
    reason: str = Field("", max_length=500)


def install(app: FastAPI) -> None:
    accounts, curated = app.state.staff, app.state.curated
    current = accounts.signed_in
    api = APIRouter(prefix="/staff/api/bulk", route_class=StaffRoute, tags=["staff"])

    def selection(start, end, channel, kind, rating, item, review) -> list[dict]:
        out = []
        for t, fb, last in accounts.matching_turns(start, end, channel, kind, rating, item, review, None)[0]:
            out.append({"id": t["id"], "at": accounts.iso(t["created_at"]), "channel": t["channel"],
                        "question": t["question"], "answer": t["answer"], "kind": t["kind"], "items": t["items"],
                        "rating": fb.rating if fb else None, "review": last})
        return out

    @api.get("/turns", summary="批量核对：按日期、渠道、事项、类型、评价、核对状态选出回答")
    def turns(start: date | None = None, end: date | None = None, channel: str | None = None,
              kind: str | None = None, rating: str | None = None, item: str | None = None,
              review: Literal["correct", "wrong", "unreviewed"] | None = None, limit: int = Query(200, ge=1, le=MAX_IDS),
              _: Staff = Depends(current)):
        rows = selection(start, end, channel, kind, rating, item, review)
        return {"total": len(rows), "turns": rows[:limit]}

    @api.post("/review", summary="批量标记为回答正确")
    def bulk_review(body: BulkReview, staff: Staff = Depends(current)):
        ids = list(dict.fromkeys(body.message_ids))
        with app.state.store.engine.connect() as conn:
            found = {r[0] for r in conn.execute(select(Message.id).where(Message.id.in_(ids), Message.role == "assistant"))}
        missing = [i for i in ids if i not in found]
        if missing:
            raise StaffError(404, "not_found", f"有 {len(missing)} 条回答不存在（如 {missing[0]}），没有标记任何一条")
        for mid in ids:
            curated.review(mid, body.verdict, body.reason, staff.username)
        return {"marked": len(ids), "verdict": body.verdict}

    @api.get("/export.xlsx", summary="把选出的回答导出为 Excel")
    def export(start: date | None = None, end: date | None = None, channel: str | None = None,
               kind: str | None = None, rating: str | None = None, item: str | None = None,
               review: Literal["correct", "wrong", "unreviewed"] | None = None, _: Staff = Depends(current)):
        rows = [[t["at"], t["channel"], t["question"], t["answer"], KINDS.get(t["kind"], t["kind"]), "、".join(t["items"]),
                 t["rating"] or "", VERDICTS.get(t["review"], t["review"]), t["id"]]
                for t in selection(start, end, channel, kind, rating, item, review)]
        data = workbook_bytes({"回答": (HEADER, rows)}, widths={"问题": 30, "回答": 60, "时间": 22})
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=answers.xlsx"})

    app.include_router(api)
