"""Bulk review of answers in the staff console (issue 15): select answers by date, channel, item, kind, rating
and review state (the same filters as 会话记录, `Reports.matching_turns`), mark many as correct at once, and export
the selection to Excel through the same workbook code as the knowledge-base exports (sheets.py).

* ``GET  /staff/api/bulk/turns?start=2026-03-01&end=2026-03-06&item=结婚登记&kind=guide&rating=bad&review=unreviewed``
* ``POST /staff/api/bulk/review`` ``{"message_ids": [...], "verdict": "correct"}`` — up to 500 at once
* ``GET  /staff/api/bulk/export.xlsx?…same filters…`` — 时间, 渠道, 问题, 回答, 类型, 事项, 评价, 核对
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import FastAPI, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from assistant.core.corpus.sheets import workbook_bytes
from assistant.web.staff.deps import Console, CurrentStaff, StaffError, console_of, staff_api

MAX_IDS = 500
KINDS = {"guide": "办事指南", "policy": "政策法规", "clarify": "请选择事项", "refuse": "拒答", "handoff": "转人工",
         "chitchat": "寒暄"}
VERDICTS = {"correct": "正确", "wrong": "有误", None: "未核对"}
HEADER = ["时间", "渠道", "问题", "回答", "类型", "事项", "评价", "核对", "消息编号"]


class BulkReview(BaseModel):
    message_ids: list[str] = Field(min_length=1, max_length=MAX_IDS)
    verdict: Literal["correct"] = "correct"
    reason: str = Field("", max_length=500)


def selection(console: Console, start, end, channel, kind, rating, item, review) -> list[dict]:
    """The answers that pass the 会话记录 filters, newest first, as the bulk table shows them."""
    a = console.assistant()
    start, end = console.local.span(start, end, days=30)
    matched = console.reports.matching_turns(start, end, channel, kind, rating, console.item_name(a, item), review,
                                             None)[0]
    return [{"id": t["id"], "at": console.local.iso(t["created_at"]), "channel": t["channel"],
             "question": t["question"], "answer": t["answer"], "kind": t["kind"], "items": t["items"],
             "rating": fb.rating if fb else None, "review": last} for t, fb, last in matched]


def install(app: FastAPI) -> None:
    console = console_of(app)
    api = staff_api("/bulk")

    @api.get("/turns", summary="批量核对：按日期、渠道、事项、类型、评价、核对状态选出回答")
    def turns(_: CurrentStaff, start: date | None = None, end: date | None = None, channel: str | None = None,
              kind: str | None = None, rating: str | None = None, item: str | None = None,
              review: Literal["correct", "wrong", "unreviewed"] | None = None, limit: int = Query(200, ge=1, le=MAX_IDS)):
        rows = selection(console, start, end, channel, kind, rating, item, review)
        return {"total": len(rows), "turns": rows[:limit]}

    @api.post("/review", summary="批量标记为回答正确")
    def bulk_review(body: BulkReview, staff: CurrentStaff):
        ids = list(dict.fromkeys(body.message_ids))
        found = console.log.existing_answers(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise StaffError(404, "not_found", f"有 {len(missing)} 条回答不存在（如 {missing[0]}），没有标记任何一条")
        for mid in ids:
            console.curated.review(mid, body.verdict, body.reason, staff.username)
        return {"marked": len(ids), "verdict": body.verdict}

    @api.get("/export.xlsx", summary="把选出的回答导出为 Excel")
    def export(_: CurrentStaff, start: date | None = None, end: date | None = None, channel: str | None = None,
               kind: str | None = None, rating: str | None = None, item: str | None = None,
               review: Literal["correct", "wrong", "unreviewed"] | None = None):
        rows = [[t["at"], t["channel"], t["question"], t["answer"], KINDS.get(t["kind"], t["kind"]), "、".join(t["items"]),
                 t["rating"] or "", VERDICTS.get(t["review"], t["review"]), t["id"]]
                for t in selection(console, start, end, channel, kind, rating, item, review)]
        data = workbook_bytes({"回答": (HEADER, rows)}, widths={"问题": 30, "回答": 60, "时间": 22})
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=answers.xlsx"})

    app.include_router(api)
