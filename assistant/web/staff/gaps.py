"""缺口 (gaps): the questions the assistant could not answer well, grouped by meaning.

``GET /staff/api/gaps?days=30&threshold=0.93&out_of_scope=false&channel=wechat`` — questions refused for want
of evidence (``out_of_scope=true``: every refusal), rated 不满意 or worse, or checked as wrong; paraphrases
(cosine ≥ ``threshold``) share a group, e.g. 「我和女朋友想去领证，要带啥」 with 「结婚登记要带什么材料」.  See
`service.reports.Reports.gaps`.
"""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from assistant.service.reports import GAP_THRESHOLD
from assistant.web.staff.deps import Console, staff_api


def router(console: Console) -> APIRouter:
    api = staff_api()

    @api.get("/gaps", summary="缺口：被拒答或差评的问题，按相似度分组计数")
    def gaps(start: date | None = None, end: date | None = None, days: int = Query(30, ge=1, le=366),
             threshold: float = Query(GAP_THRESHOLD, ge=0.5, le=1.0), out_of_scope: bool = False,
             channel: str | None = None):
        a = console.assistant()
        start, end = console.local.span(start, end, days)
        return console.reports.gaps(a.index.embedder, start, end, threshold, out_of_scope, channel)

    return api
