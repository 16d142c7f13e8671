"""The service items and the chunks a correction may cite (for the console's pickers).

* ``GET /staff/api/items`` — every item: id, name, department.
* ``GET /staff/api/items/{id}/chunks`` — the item's own guide chunks (材料, 地点, 时限 …) and the law articles
  it rests on (设定依据), each with its text.
"""
from __future__ import annotations

from fastapi import APIRouter

from assistant.core.compose import law_refs
from assistant.web.staff.deps import Console, StaffError, staff_api
from assistant.web.staff.out import chunk_out


def router(console: Console) -> APIRouter:
    api = staff_api()

    @api.get("/items", summary="全部事项（编号、名称、部门）")
    def items():
        a = console.assistant()
        return {"items": [{"id": g.id, "name": g.name, "department": g.department} for g in a.index.corpus.guides]}

    @api.get("/items/{item_id}/chunks", summary="一个事项可引用的片段：办事指南各字段与设定依据法条")
    def item_chunks(item_id: str):
        a = console.assistant()
        g = a.guides.get(item_id)
        if g is None:
            raise StaffError(404, "not_found", f"没有编号为「{item_id}」的事项")
        own = [c.chunk_id for c in a.index.chunks if c.item_id == item_id]
        laws = [c.chunk_id for c in law_refs(a.index, g, limit=6)]
        return {"item": {"id": g.id, "name": g.name}, "chunks": [chunk_out(a, c) for c in own + laws]}

    return api
