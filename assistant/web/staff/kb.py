"""Bulk in and out for the staff console (issue 13), under /staff/api/kb/:

* curated (人工审核) answers exported and imported as Excel or CSV — Dify's annotation import/export is
  the model: one row per question/answer, here with the item it belongs to and the chunks it cites;
  an import is validated row by row first and then written all at once (or not at all);
* an Excel workbook of conversations, ratings and cases, filtered by date, channel, answer kind and
  rating.

Everything exported passes :func:`mask_export`: ID-card, phone, bank-card and e-mail are masked even
in text stored before masking was complete.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Literal

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from assistant.core.text.normalize import mask_pii
from assistant.store.turns import TurnLog
from assistant.web.errors import error_body

CURATED_COLUMNS = ["问题", "答案", "事项编号", "事项名称", "引用片段", "状态", "作者", "创建时间"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BANK = re.compile(r"(?<!\d)(\d{4})[ -]?(?:\d{4}[ -]?){2,3}(\d{1,4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_PHONE_ANY = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)|(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def mask_export(text: str | None) -> str:
    """mask_pii (ID card, mobile) plus mobile numbers with spaces or dashes, landlines, bank cards
    and e-mail: 6222 0212 3456 7890 123 → 6222************123, li.ming@qq.com → l***@qq.com."""
    if not text:
        return ""
    text = mask_pii(text)
    text = _PHONE_ANY.sub(lambda m: f"{m.group(1)}****{m.group(2)}" if m.group(1) else f"{m.group(3)}-****{m.group(4)}",
                          text)
    text = _BANK.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def _xlsx(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append(["" if v is None else v for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read_table(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """(row number, {column: value}) of an uploaded .xlsx (first sheet) or .csv (UTF-8, or GBK from Excel)."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in r] for r in ws.iter_rows(values_only=True)]
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("CSV 文件编码无法识别（请用 UTF-8 或 GBK）")
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    if not rows:
        return []
    header = rows[0]
    return [(i, dict(zip(header, r))) for i, r in enumerate(rows[1:], 2) if any(r)]


def _download(content: bytes, name: str, media: str) -> Response:
    return Response(content, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


class _Kb:
    """What the /kb routes share: the stores, the centre's time zone, and the console's error type."""

    def __init__(self, curated, feedback, sessions, get_assistant: Callable[[], object], settings, error):
        self.curated, self.feedback, self.sessions, self.error = curated, feedback, sessions, error
        self.get_assistant = get_assistant
        self.tz = timezone(timedelta(hours=settings.staff_utc_offset_hours))
        self.log = TurnLog(sessions.engine)

    def local(self, dt: datetime | None) -> str:
        return dt.replace(tzinfo=timezone.utc).astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S") if dt else ""

    def assistant(self):
        a = self.get_assistant()
        if a is None:
            raise self.error(503, "not_ready", "服务正在启动，请稍后再试")
        return a

    async def upload_bytes(self, file: UploadFile) -> bytes:
        data = await file.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise self.error(413, "too_large", "文件超过 5 MB")
        return data


def kb_router(*, curated, feedback, sessions, get_assistant: Callable[[], object], settings, current, admin,
              route_class, error) -> APIRouter:
    """Routes under the staff API (prefix /kb); `current`/`admin` are the console's sign-in dependencies,
    `error(status, code, message)` its error type."""
    api = APIRouter(prefix="/kb", route_class=route_class)
    kb = _Kb(curated, feedback, sessions, get_assistant, settings, error)
    _curated_routes(api, kb, admin)
    _export_routes(api, kb, current)
    _guide_routes(api, kb, admin)
    return api


# ------------------------------------------------------------ curated answers
def _curated_rows(kb: _Kb, all: bool) -> list[list]:
    a = kb.assistant()
    rows = []
    for c in kb.curated.all(all):
        g = a.guides.get(c.item_id)
        rows.append([mask_export(c.question), mask_export(c.answer), c.item_id, g.name if g else "",
                     "\n".join(c.chunk_ids), "启用" if c.active else "停用", c.created_by, kb.local(c.created_at)])
    return rows


def _check_import(rows: list[tuple[int, dict]], a, existing: set) -> tuple[list, list, list]:
    """(errors, rows to write, rows skipped) of an uploaded curated-answer table, every row checked:
    question and answer present, the item known (by 事项编号 or 事项名称), every cited chunk in the index."""
    by_name = {g.name: g.id for g in a.index.corpus.guides}
    errors, todo, skipped = [], [], []
    for i, row in rows:
        q, ans = row.get("问题", "").strip(), row.get("答案", "").strip()
        item = row.get("事项编号", "").strip() or by_name.get(row.get("事项名称", "").strip(), "")
        chunks = [c for c in re.split(r"[\s,，、]+", row.get("引用片段", "")) if c]
        if not q:
            errors.append({"row": i, "field": "问题", "message": "不能为空"})
        if not ans:
            errors.append({"row": i, "field": "答案", "message": "不能为空"})
        if item not in a.guides:
            errors.append({"row": i, "field": "事项编号/事项名称",
                           "message": f"没有这个事项：「{row.get('事项编号') or row.get('事项名称') or ''}」"})
        bad = [c for c in chunks if c not in a.index.by_id]
        if bad:
            errors.append({"row": i, "field": "引用片段", "message": f"片段不存在：{'、'.join(bad[:3])}"})
        if row.get("状态", "启用").strip() == "停用":
            skipped.append({"row": i, "why": "状态为停用"})
            continue
        if (mask_pii(q), ans) in existing:
            skipped.append({"row": i, "why": "与现有人工审核答案相同"})
            continue
        todo.append((i, q, item, ans, chunks))
    return errors, todo, skipped


def _curated_routes(api: APIRouter, kb: _Kb, admin) -> None:
    @api.get("/curated/export", summary="导出人工审核答案（Excel 或 CSV）")
    def curated_export(format: Literal["xlsx", "csv"] = "xlsx", all: bool = False):
        rows = _curated_rows(kb, all)
        if format == "csv":
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(CURATED_COLUMNS)
            w.writerows(rows)
            return _download(("\ufeff" + buf.getvalue()).encode("utf-8"), "curated.csv", "text/csv; charset=utf-8")
        return _download(_xlsx({"人工审核答案": (CURATED_COLUMNS, rows)}), "curated.xlsx", XLSX)

    @api.post("/curated/import", summary="批量导入人工审核答案（管理员；先逐行校验，全部通过才写入）")
    async def curated_import(file: UploadFile = File(...), dry_run: bool = False, staff=Depends(admin)):
        a = kb.assistant()
        data = await kb.upload_bytes(file)
        try:
            rows = _read_table(data, file.filename or "")
        except Exception as e:  # noqa: BLE001 - the user's file, reported in Chinese
            raise kb.error(422, "invalid_file", f"无法读取文件（请上传 .xlsx 或 .csv）：{e}") from None
        if not rows:
            raise kb.error(422, "invalid_file", "文件中没有数据行（第一行应为列名：问题、答案、事项编号或事项名称）")
        existing = {(c.question, c.answer) for c in kb.curated.all(False)}
        errors, todo, skipped = _check_import(rows, a, existing)
        if errors:
            raise kb.error(422, "invalid_rows", "；".join(f"第{e['row']}行「{e['field']}」{e['message']}" for e in errors[:20]))
        if not dry_run:
            for _, q, item, ans, chunks in todo:
                kb.curated.add(mask_pii(q), item, ans, chunks or [f"guide/{item}#overview"], staff.username)
        return {"imported": len(todo), "skipped": skipped, "written": not dry_run}


# ------------------------------------------------------------ conversations, ratings, cases
def _keep(rating: str | None, fb) -> bool:
    """Whether an answer with rating ``fb`` passes the rating filter (good = 基本满意 or better)."""
    return (rating is None or (rating == "unrated" and fb is None) or (rating == "rated" and fb is not None)
            or (fb is not None and rating == "bad" and fb.score <= 2)
            or (fb is not None and rating == "good" and fb.score >= 3))


def _conversation_sheets(kb: _Kb, msgs: list, kind: str | None, rating: str | None) -> dict:
    """The workbook's three sheets (会话, 评价, 工单) for the messages of the period, everything masked."""
    local = kb.local
    question = {(m.conversation_id, m.seq): m.text for m, _ in msgs if m.role == "user"}
    answers = [(m, ch) for m, ch in msgs if m.role == "assistant" and (not kind or m.kind == kind)]
    fbs = kb.feedback.for_messages([m.id for m, _ in answers])
    cases = kb.feedback.cases_for_messages([m.id for m, _ in answers])
    conv_rows, fb_rows, case_rows = [], [], []
    for m, ch in answers:
        fb = fbs.get(m.id)
        if not _keep(rating, fb):
            continue
        conv_rows.append([local(m.created_at), m.conversation_id, ch, mask_export(question.get((m.conversation_id,
                          m.seq - 1), "")), m.kind, "、".join(m.items or []), mask_export(m.text),
                          fb.rating if fb else "", m.id])
        if fb:
            fb_rows.append([local(fb.created_at), m.id, ch, fb.rating, fb.score, "、".join(fb.tags or []),
                            mask_export(fb.text)])
        c = cases.get(m.id)
        if c:
            notes = "\n".join(mask_export(n.get("text", "")) for n in c.notes or [])
            case_rows.append([c.id, m.id, c.status, c.owner or "", local(c.created_at), local(c.reply_due),
                              local(c.fix_due), local(c.closed_at), notes])
    return {
        "会话": (["时间", "会话", "渠道", "问题", "回答类型", "推荐事项", "回答", "评价", "回答编号"], conv_rows),
        "评价": (["时间", "回答编号", "渠道", "评价", "分值", "标签", "评价内容"], fb_rows),
        "工单": (["工单", "回答编号", "状态", "负责人", "创建时间", "回访期限", "整改期限", "办结时间", "回访记录"], case_rows),
    }


def _export_routes(api: APIRouter, kb: _Kb, current) -> None:
    @api.get("/export/conversations.xlsx", summary="导出会话、评价和工单（Excel），可按日期、渠道、类型、评价筛选")
    def export_conversations(start: date | None = None, end: date | None = None, channel: str | None = None,
                             kind: str | None = None,
                             rating: Literal["good", "bad", "rated", "unrated"] | None = None,
                             _=Depends(current)):
        tz = kb.tz
        today = datetime.now(timezone.utc).astimezone(tz).date()
        end = end or today
        start = start or end - timedelta(days=29)
        if start > end:
            raise kb.error(422, "invalid_request", "开始日期不能晚于结束日期")
        lo = datetime(start.year, start.month, start.day, tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)
        hi = datetime(end.year, end.month, end.day, tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None) \
            + timedelta(days=1)
        msgs = kb.log.messages_between(lo, hi, channel)
        content = _xlsx(_conversation_sheets(kb, msgs, kind, rating))
        return _download(content, f"conversations-{start}-{end}.xlsx", XLSX)


# ------------------------------------------------------------ edit, preview, publish, versions (admin)
def _version_out(kb: _Kb, v) -> dict:
    return {"id": v.id, "action": v.action, "note": v.note, "by": v.by, "at": kb.local(v.at)}


def _guide_routes(api: APIRouter, kb: _Kb, admin) -> None:
    from assistant.service.publish import Publisher, PublishError

    publisher = Publisher(kb.sessions.engine, kb.feedback.clock)

    def guide_or_404(a, item_id: str) -> dict:
        data = publisher.read(a.index, item_id) if item_id in a.guides else None
        if data is None:
            raise kb.error(404, "not_found", f"没有编号为「{item_id}」的办事指南")
        return data

    @api.get("/guides/{item_id}", summary="一个办事指南的全部字段和历史版本")
    def guide_get(item_id: str):
        a = kb.assistant()
        return {"item_id": item_id, "data": guide_or_404(a, item_id),
                "versions": [_version_out(kb, v) for v in publisher.versions(item_id)]}

    @api.post("/guides/{item_id}/preview", summary="预览：按修改后的指南回答几个问题（不影响线上）")
    def guide_preview(item_id: str, body: GuideEdit, _=Depends(admin)):
        a = kb.assistant()
        guide_or_404(a, item_id)
        try:
            return {"answers": publisher.preview(item_id, body.data, body.questions, a.index)}
        except PublishError as e:
            raise kb.error(422, "invalid_guide", f"校验未通过：{e}") from None

    @api.post("/guides/{item_id}/publish", summary="发布：校验、写入语料、增量重建索引并无重启切换")
    def guide_publish(item_id: str, body: GuideEdit, request: Request, staff=Depends(admin)):
        a = kb.assistant()
        guide_or_404(a, item_id)
        try:
            return publisher.publish(request.app.state, item_id, body.data, staff.username, body.note)
        except PublishError as e:
            raise kb.error(422, "invalid_guide", f"校验未通过：{e}") from None

    @api.get("/guides/{item_id}/diff", summary="两个版本的差异（默认：该版本与当前文件）")
    def guide_diff(item_id: str, version: str, against: str | None = None):
        a = kb.assistant()
        current = publisher.read(a.index, item_id)
        v = publisher.version(version)
        w = publisher.version(against) if against else None
        if v is None or v.item_id != item_id or (against and (w is None or w.item_id != item_id)):
            raise kb.error(404, "not_found", "没有这个版本")
        from assistant.service.publish import dump

        other = w.content if w else dump(current or {})
        return {"diff": publisher.diff(v.content, other, f"版本 {v.id}", f"版本 {w.id}" if w else "当前")}

    @api.post("/guides/{item_id}/rollback", summary="一键回滚到某个版本（同样增量重建并切换）")
    def guide_rollback(item_id: str, body: RollbackRequest, request: Request, staff=Depends(admin)):
        kb.assistant()
        try:
            return publisher.rollback(request.app.state, item_id, body.version_id, staff.username)
        except PublishError as e:
            raise kb.error(422, "invalid_guide", f"校验未通过：{e}") from None

    _upload_route(api, kb, admin, publisher)


def _upload_route(api: APIRouter, kb: _Kb, admin, publisher) -> None:
    from assistant.core.corpus.importers import ImportFailed, import_file

    @api.post("/upload", summary="上传 Excel 模板或 Word 办事指南：先预览导入报告，publish=true 时导入并切换")
    async def upload(request: Request, file: UploadFile = File(...), publish: bool = False, staff=Depends(admin)):
        import tempfile
        from pathlib import Path

        from fastapi.concurrency import run_in_threadpool

        a = kb.assistant()
        data = await kb.upload_bytes(file)
        name = Path(file.filename or "upload").name
        with tempfile.TemporaryDirectory(prefix="daoban-upload-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)

            def run():
                with publisher.lock:
                    report = import_file(path, a.index.settings, dry_run=not publish)
                    if report.written:
                        publisher.rebuild_and_swap(request.app.state)
                    return report
            try:
                report = await run_in_threadpool(run)
            except ImportFailed as e:
                return JSONResponse(error_body("invalid_file", "导入未通过校验，未做任何改动") | {"report": e.report.as_dict()},
                                    status_code=422)
        return {"report": report.as_dict(), "by": staff.username}


class GuideEdit(BaseModel):
    data: dict
    questions: list[str] = Field(default_factory=list, max_length=5)
    note: str = Field("", max_length=200)


class RollbackRequest(BaseModel):
    version_id: str = Field(min_length=1, max_length=24)
