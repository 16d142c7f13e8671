"""A guide answer in full, for people who asked through WeChat.

WeChat shows at most ~2,048 bytes of a text reply, so the reply carries the essentials of the item
(`guide_essentials`: item, hall/zone/windows, online route, key materials) and, when anything had to be
cut, a link to ``/a/{message_id}?t=<answer token>`` on this server: the whole stored answer with the
item's full guide.  The token is the per-answer HMAC only the asker received (`feedback.answer_token`),
so the page is the asker's; any other id or token gets the same 404 (nothing reveals that an answer
exists).  Everything is HTML-escaped; the page sends ``noindex`` and ``no-store``.
"""
from __future__ import annotations

import hmac
from html import escape
from typing import Callable

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from assistant.web.schemas import item_out
from assistant.store.conversations import SessionStore
from assistant.store.turns import TurnLog

KEY_MATERIALS = 6


def _where(o) -> str:
    zone = o.location.zone or ""
    return f"{o.location.hall}{zone}{'、'.join(o.location.windows)}窗口"


def guide_essentials(guide, centre, limit: int = KEY_MATERIALS) -> str:
    """Item, place, online route and the required materials of one guide, as plain text lines, e.g.

    事项：居民身份证换领
    办理地点：宿迁市…便民方舟 综合政务大厅 户籍专区 A12、A13窗口
    网上办理：网上预约：… https://…
    主要材料：1. 居民户口簿（原件1份）；2. …
    """
    o = item_out(guide, centre)
    windows = f"{o.location.zone or ''}{'、'.join(o.location.windows)}窗口"
    lines = [f"事项：{o.name}", f"办理地点：{o.location.address} {windows}", f"办理时间：{o.hours}",
             f"网上办理：{o.online.route}{(' ' + o.online.url) if o.online.url else ''}"]
    needed = [m for m in guide.materials if m.necessity == "必要"] or list(guide.materials)
    mats = [f"{i}. {m.name}（{m.copies}）" for i, m in enumerate(needed[:limit], 1)]
    if len(needed) > limit:
        mats.append(f"等{len(needed)}项")
    lines.append("主要材料：" + "；".join(mats))
    return "\n".join(lines)


def answer_page_router(store: SessionStore, token_for: Callable[[str, str], str | None],
                       get_assistant: Callable[[], object]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    log = TurnLog(store.engine)

    def not_found() -> HTMLResponse:
        return HTMLResponse(_page("没有找到这条回答", "<p>链接无效或已失效。请回到公众号重新提问。</p>"), status_code=404,
                            headers={"Cache-Control": "no-store"})

    @router.get("/a/{message_id}")
    def answer(message_id: str, t: str = ""):
        if not (0 < len(message_id) <= 40 and 0 < len(t) <= 64):
            return not_found()
        msg = log.answer(message_id)
        if msg is None:
            return not_found()
        want = token_for(msg.id, msg.conversation_id) or ""
        if not want or not hmac.compare_digest(t.encode(), want.encode()):
            return not_found()
        question = log.question_of(msg)
        a = get_assistant()
        parts = []
        if question is not None:
            parts.append(f"<p class='q'>您的问题：{escape(question.text)}</p>")
        parts.append("<div class='answer'>" + "".join(f"<p>{escape(line)}</p>" for line in msg.text.splitlines()
                                                        if line.strip()) + "</div>")
        if a is not None:
            by_name = {g.name: g for g in a.index.corpus.guides}
            for name in msg.items or []:
                g = by_name.get(name)
                if g is None:
                    continue
                o = item_out(g, a.centre)
                mats = "".join(f"<li>{escape(m.name)}（{escape(m.necessity)}，{escape(m.form)}{escape(m.copies)}）"
                               f"{escape('：' + m.note) if m.note else ''}</li>" for m in g.materials)
                url = o.online.url or ""
                link = f" <a href='{escape(url)}' rel='noopener'>{escape(url)}</a>" if url.startswith("https://") else ""
                parts.append(
                    f"<section><h2>{escape(o.name)}</h2>"
                    f"<p><b>办理地点：</b>{escape(o.location.address)} {escape(_where(o))}</p>"
                    f"<p><b>办理时间：</b>{escape(o.hours)}</p>"
                    f"<p><b>网上办理：</b>{escape(o.online.route)}{link}</p>"
                    f"<p><b>申请材料：</b></p><ol>{mats}</ol>"
                    f"<p><b>办理流程：</b>{escape('；'.join(g.steps))}</p>"
                    f"<p><b>承诺时限：</b>{escape(g.promised_limit)}　<b>收费：</b>{escape(g.fee.standard)}"
                    f"　<b>咨询电话：</b>{escape(g.phone)}</p></section>")
        return HTMLResponse(_page("导办助手的回答", "".join(parts)),
                            headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})

    return router


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'><meta name='robots' content='noindex'>"
            f"<title>{escape(title)}</title><link rel='stylesheet' href='/web/style.css'></head>"
            f"<body><main class='answer-page' data-testid='answer-page'><h1>{escape(title)}</h1>{body}"
            "<p class='muted small'>以上内容依据办事指南整理，以大厅窗口最终答复为准。</p></main></body></html>")
