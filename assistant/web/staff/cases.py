"""差评工单 (cases opened by bad ratings) as a team tool: the list, assigning and noting, what happened on a
case, and the daily digest of overdue cases.

* ``GET /staff/api/cases?status=待回访&overdue=true&mine=true&owner=guide2`` — cases with their rating and the
  turn they are about, overdue ones first (then by status and fix deadline); ``owner=-``: unassigned.
* ``POST /staff/api/cases/{id}`` ``{"status": "整改中", "owner": "guide2", "claim": false, "note": "已致电"}``.
* ``POST /staff/api/cases/{id}/outcome`` ``{"outcome": "回访成功" | "无法联系" | "已整改", "note": "…"}`` records
  exactly what happened (feedback.FeedbackStore.record_outcome): a failed call is noted as 无法联系 and the case
  is not stamped as replied.  Assigning to a colleague is ``POST /staff/api/cases/{id}`` ``{"owner": "guide2"}``;
  ``GET /staff/api/cases?owner=guide2&status=待回访&overdue=true`` filters (``owner=`` empty: unassigned).
* ``GET /staff/api/digest`` — the day's digest as JSON: overdue cases, cases due within a day, open cases per
  person, unassigned ones; ``GET /staff/digest`` the same as a printable page.
* ``POST /staff/api/digest/send`` (admin) — the digest as a plain-text e-mail through the SMTP server set in
  the environment (a cron job can call it every working morning)::

      ASSISTANT_SMTP_HOST=smtp.example.gov.cn  ASSISTANT_SMTP_PORT=25  ASSISTANT_SMTP_STARTTLS=1
      ASSISTANT_SMTP_USER=…  ASSISTANT_SMTP_PASSWORD=…  ASSISTANT_SMTP_FROM=daoban@example.gov.cn
      ASSISTANT_DIGEST_TO=leader@example.gov.cn,desk@example.gov.cn
"""
from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from html import escape
from typing import Literal

from collections import Counter

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from assistant.store.feedback import STATUSES
from assistant.web.staff.deps import (COOKIE, AdminStaff, Console, CurrentStaff, Staff, StaffError, console_of,
                                      staff_api)
from assistant.web.staff.out import case_out

WEEKDAYS = "一二三四五六日"


class CaseUpdate(BaseModel):
    status: Literal["待回访", "整改中", "已办结"] | None = None
    owner: str | None = Field(None, max_length=32)
    claim: bool = False
    note: str | None = Field(None, max_length=1000)


class OutcomeRequest(BaseModel):
    outcome: Literal["回访成功", "无法联系", "已整改"]  # feedback.OUTCOMES
    note: str | None = Field(None, max_length=1000)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    sender: str = "daoban@localhost"
    to: tuple[str, ...] = ()
    user: str = ""
    password: str = ""
    starttls: bool = False

    @classmethod
    def from_env(cls, env: dict | None = None) -> "SmtpConfig | None":
        """None when ASSISTANT_SMTP_HOST is not set (e-mail off)."""
        env = os.environ if env is None else env
        host = env.get("ASSISTANT_SMTP_HOST", "").strip()
        if not host:
            return None
        try:
            port = int(env.get("ASSISTANT_SMTP_PORT", "25"))
        except ValueError:
            raise StaffError(500, "config", "ASSISTANT_SMTP_PORT 必须是端口号（如 25、587）") from None
        to = tuple(a.strip() for a in env.get("ASSISTANT_DIGEST_TO", "").split(",") if a.strip())
        return cls(host=host, port=port, sender=env.get("ASSISTANT_SMTP_FROM", "daoban@localhost"), to=to,
                   user=env.get("ASSISTANT_SMTP_USER", ""), password=env.get("ASSISTANT_SMTP_PASSWORD", ""),
                   starttls=env.get("ASSISTANT_SMTP_STARTTLS", "") in ("1", "true", "yes"))


def digest_text(d: dict) -> str:
    """The digest as the e-mail body a 导办 team leader reads on a phone."""
    lines = [f"导办助手 差评工单日报 {d['date']}（周{d['weekday']}）", ""]
    lines.append(f"超期 {len(d['overdue'])} 件：" if d["overdue"] else "没有超期工单。")
    for c in d["overdue"]:
        lines.append(f"- [{c['overdue_reason']}] {c.get('question') or '（无问题文本）'} · {c.get('rating', '')} · "
                     f"负责人 {c['owner'] or '未分配'} · 状态 {c['status']}")
    if d["due_soon"]:
        lines += ["", f"一天内到期 {len(d['due_soon'])} 件："]
        lines += [f"- {c.get('question') or '（无问题文本）'} · 负责人 {c['owner'] or '未分配'} · 状态 {c['status']}"
                  for c in d["due_soon"]]
    lines += ["", f"未分配 {d['unassigned']} 件；按负责人："]
    lines += [f"- {o['owner']}：未办结 {o['open']} 件，超期 {o['overdue']} 件" for o in d["by_owner"]] or ["- （无）"]
    return "\n".join(lines) + "\n"


def send_digest(cfg: SmtpConfig, d: dict) -> list[str]:
    if not cfg.to:
        raise StaffError(422, "invalid_request", "没有设置日报收件人（ASSISTANT_DIGEST_TO，多个用逗号分隔）")
    msg = EmailMessage()
    msg["Subject"] = f"差评工单日报 {d['date']}：超期 {len(d['overdue'])} 件"
    msg["From"], msg["To"] = cfg.sender, ", ".join(cfg.to)
    msg.set_content(digest_text(d))
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=20) as smtp:
            if cfg.starttls:
                smtp.starttls()
            if cfg.user:
                smtp.login(cfg.user, cfg.password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise StaffError(502, "smtp_failed", f"日报邮件没有发出：邮件服务器 {cfg.host}:{cfg.port} 返回 {e}") from None
    return list(cfg.to)


def list_cases(console: Console, staff: Staff, status: str | None = None, overdue: bool | None = None,
               mine: bool = False, owner: str | None = None) -> dict:
    """The case list as ``GET /staff/api/cases`` returns it (also the digest's input)."""
    if status and status not in STATUSES:
        raise StaffError(422, "invalid_request", "状态只能是 待回访、整改中 或 已办结")
    feedback = console.feedback
    rows = feedback.cases(status or None)
    ids = [c.message_id for c in rows]
    fbs, turns = feedback.for_messages(ids), console.log.answers_with_questions(ids)
    out = [case_out(console.local, c, fbs.get(c.message_id), turns.get(c.message_id)) for c in rows]
    if overdue is not None:
        out = [c for c in out if c["overdue"] == overdue]
    if mine:
        out = [c for c in out if c["owner"] == staff.username]
    if owner is not None:  # "" or "-" = not yet assigned
        out = [c for c in out if (c["owner"] or "") == ("" if owner == "-" else owner)]
    order = {s: i for i, s in enumerate(STATUSES)}
    out.sort(key=lambda c: (not c["overdue"], order[c["status"]], c["fix_due"]))
    counts = Counter(c["status"] for c in out)
    return {"now": console.local.iso(feedback.clock()), "cases": out, "counts": {s: counts.get(s, 0) for s in STATUSES},
            "overdue": sum(c["overdue"] for c in out)}


def digest(console: Console, staff: Staff) -> dict:
    """The day's digest: overdue cases, cases due within a day, open cases per person, unassigned ones."""
    iso, now = console.local.iso, console.feedback.clock()
    open_ = [c for c in list_cases(console, staff)["cases"] if c["status"] != "已办结"]
    soon = now + timedelta(days=1)
    due_soon = [c for c in open_ if not c["overdue"]  # same offset on both sides: ISO strings compare
                and (c["reply_due"] if c["status"] == "待回访" else c["fix_due"]) <= iso(soon)]
    owners = sorted({c["owner"] for c in open_ if c["owner"]})
    local = iso(now)
    day = date.fromisoformat(local[:10])
    return {"date": local[:10], "weekday": WEEKDAYS[day.weekday()], "now": local,
            "overdue": [c for c in open_ if c["overdue"]], "due_soon": due_soon,
            "unassigned": sum(1 for c in open_ if not c["owner"]), "open": len(open_),
            "by_owner": [{"owner": o, "open": sum(c["owner"] == o for c in open_),
                          "overdue": sum(c["owner"] == o and c["overdue"] for c in open_)} for o in owners]}


def router(console: Console) -> APIRouter:
    """The case list and updates (mounted with the rest of the console by `console.staff_router`)."""
    api = staff_api()
    feedback = console.feedback

    @api.get("/cases", summary="差评回访工单（超期的排在前面，overdue: true）")
    def cases(staff: CurrentStaff, status: str | None = None, overdue: bool | None = None, mine: bool = False,
              owner: str | None = None):
        return list_cases(console, staff, status, overdue, mine, owner)

    @api.post("/cases/{case_id}", summary="更新工单：状态、负责人、回访记录")
    def case_update(case_id: str, body: CaseUpdate, staff: CurrentStaff):
        owner = staff.username if body.claim else body.owner
        if owner and console.accounts.get(owner) is None:
            raise StaffError(422, "invalid_request", f"没有工作人员「{owner}」")
        c = feedback.update_case(case_id, staff.username, status=body.status, owner=owner, note=body.note)
        if c is None:
            raise StaffError(404, "not_found", "没有这个工单")
        return case_out(console.local, c, feedback.for_messages([c.message_id]).get(c.message_id))

    return api


def install(app: FastAPI) -> None:
    """Outcomes and the digest (routes registered after the console's, see `web.app`)."""
    console = console_of(app)
    feedback = console.feedback
    api = staff_api()

    @api.post("/cases/{case_id}/outcome", summary="工单：记录回访或整改的结果（回访成功 / 无法联系 / 已整改）和记录")
    def outcome(case_id: str, body: OutcomeRequest, staff: CurrentStaff):
        c = feedback.record_outcome(case_id, staff.username, body.outcome, body.note)
        if c is None:
            raise StaffError(404, "not_found", "没有这个工单")
        return case_out(console.local, c, feedback.for_messages([c.message_id]).get(c.message_id))

    @api.get("/digest", summary="差评工单日报：超期、一天内到期、未分配、按负责人")
    def digest_json(staff: CurrentStaff):
        return digest(console, staff)

    @api.post("/digest/send", summary="把日报发到设置的邮箱（管理员；ASSISTANT_SMTP_HOST 等环境变量）")
    def digest_send(staff: AdminStaff):
        cfg = SmtpConfig.from_env()
        if cfg is None:
            raise StaffError(409, "not_configured", "没有设置邮件服务器（ASSISTANT_SMTP_HOST），日报只能在页面查看")
        d = digest(console, staff)
        return {"sent_to": send_digest(cfg, d), "overdue": len(d["overdue"])}

    pages = APIRouter(include_in_schema=False)

    @pages.get("/staff/digest")
    def digest_page(request: Request):
        staff = console.accounts.read(request.cookies.get(COOKIE))
        if staff is None:
            return RedirectResponse("/staff/login", status_code=303)
        d = digest(console, staff)
        body = "".join(f"<p>{escape(line)}</p>" if line else "" for line in digest_text(d).splitlines())
        return HTMLResponse("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
                            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                            f"<title>差评工单日报 {escape(d['date'])}</title>"
                            "<link rel='stylesheet' href='/web/theme.css'><link rel='stylesheet' href='/web/staff.css'>"
                            f"</head><body><main class='view digest' data-testid='digest'><h1>差评工单日报</h1>{body}"
                            "<p><a href='/staff#cases'>回到工单</a></p></main></body></html>")

    app.include_router(api)
    app.include_router(pages)
