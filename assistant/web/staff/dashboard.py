"""看板 (dashboard): ``GET /staff/api/dashboard?start=2026-03-01&end=2026-03-31`` (or ``days=30``) — questions per
local day with refusals, channels, kinds, the top items, the 好差评 distribution and satisfaction, how often
a reviewed answer (人工审核) answered, and open / overdue / closed cases.  See `service.reports.Reports.dashboard`.
"""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from assistant.web.staff.deps import Console, staff_api


def router(console: Console) -> APIRouter:
    api = staff_api()

    @api.get("/dashboard", summary="看板：每日问题数、渠道、热门事项、拒答率、评价分布")
    def dashboard(start: date | None = None, end: date | None = None, days: int = Query(30, ge=1, le=366)):
        start, end = console.local.span(start, end, days)
        return console.reports.dashboard(start, end)

    return api
