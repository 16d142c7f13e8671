"""WeChat official-account (公众号) message push: server verification, plain and
safe (AES) mode, passive replies within WeChat's 5-second limit.

Mount with ``app.include_router(wechat_router(answer, settings, engine), prefix="/wechat")``
where ``answer(openid, text) -> WeChatReply``.

Freshness and replay: the signed ``timestamp`` must be within ±``wechat_max_skew_seconds`` (300) of
now (else 403); every ``timestamp+nonce`` is kept with a hash of the body in the database
(``wechat_seen``, shared by replicas, kept across restarts): the same URL with the same body is a WeChat
retry (answered "success", not asked again), the same URL with another body is a replay (403).  Message
ids (``MsgId``) are kept there too.  The access log never records ``/wechat`` query strings
(`guard.safe_log_path`).  Safe (AES) mode is recommended.

An answer that misses the reply budget is kept in the database too (``wechat_pending``,
`shared_state.PendingAnswers`): the person's next message collects it on whichever replica it reaches.

A guide answer reaches the person in full: the text reply carries the item, hall/zone/windows, online
route and key materials (``WeChatReply.details``) and, when the whole answer does not fit WeChat's 2,048
bytes, a link to the asker-only answer page ``/a/{message_id}?t=…`` (`answer_page`).

Settings read (``getattr`` with defaults):
  wechat_token         – the Token configured on the WeChat console (None → 503)
  wechat_aes_key       – 43-char EncodingAESKey (safe/compatible mode only)
  wechat_app_id        – AppID, checked against the decrypted payload (safe mode only)
  wechat_reply_budget  – seconds to wait for ``answer`` before a "please wait" reply (4.0)

The protocol itself (signatures, AES, XML, fitting a reply in 2,048 bytes) is service/wechat_protocol.py;
`follower_answers` is the ``answer`` create_app gives the router: the one chat flow (service/chat.py),
one conversation per follower.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine

from assistant.service.wechat_protocol import (  # noqa: F401  (the protocol's names, importable from here too)
    EMPTY_TEXT, FAILED, LOST, MORE_NOTE, NEWS_TITLE, ONLY_TEXT, PENDING, STILL_PENDING, TEXT_LIMIT_BYTES, WELCOME,
    WeChatCrypto, WeChatError, WeChatReply, clean_answer, first_lines, news_xml, parse_xml, render_reply,
    sha1_signature, shorten, text_xml, _same)
from assistant.service.wechat_kefu import ON_ITS_WAY, make_kefu
from assistant.store.wechat import Replayed, ReplayStore  # noqa: F401 (importable from here too)
from assistant.store.db import memory_engine
from assistant.store.shared_state import PendingAnswers
from assistant.web.ratelimit import RateLimited
from assistant.web.routes.answer_page import guide_essentials
from assistant.web.schemas import ChatRequest

MAX_BODY_BYTES = 256 * 1024
WORKERS = 8

log = logging.getLogger("assistant.wechat")

def _openid_tag(openid: str) -> str:
    return hashlib.sha256(openid.encode("utf-8")).hexdigest()[:10]


async def _wait(fut: Future, timeout: float) -> None:
    """Wait up to ``timeout`` seconds for a thread future without blocking the event loop
    and without cancelling it on timeout."""
    loop, done = asyncio.get_running_loop(), asyncio.Event()

    def wake(_: Future) -> None:
        try:
            loop.call_soon_threadsafe(done.set)
        except RuntimeError:  # loop already closed: nobody is waiting any more
            pass

    fut.add_done_callback(wake)
    try:
        await asyncio.wait_for(done.wait(), timeout=max(timeout, 0.0))
    except asyncio.TimeoutError:
        pass


# ---------------------------------------------------------------- state


# ---------------------------------------------------------------- router
def _plain(status: int, message: str) -> Response:
    return Response(content=message, status_code=status, media_type="text/plain; charset=utf-8")


def _to_reply(result: Any) -> WeChatReply:
    if isinstance(result, WeChatReply):
        return result
    return WeChatReply(text=str(result or ""))


class WeChatEndpoint:
    """One mounted ``/wechat``: its settings, the replay and late-answer stores, and the pool that answers
    (a question may take longer than WeChat's 5 seconds; the pool keeps answering after the reply)."""

    def __init__(self, answer: Callable[[str, str], WeChatReply], settings: Any, engine: Engine | None = None):
        self.answer, self.settings = answer, settings
        self.executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="wechat-answer")
        # a stand-alone router (tests): the same stores in private in-memory databases (one connection each,
        # so the 客服 thread's token and the request's replay check never share one)
        alone = engine is None
        engine = memory_engine() if alone else engine
        self.replays = ReplayStore(engine)
        self.pending = PendingAnswers(engine)  # late answers in the database: the next message may reach another replica
        # 客服消息 when app id + secret are set; its access token is shared in the database
        self.kefu = make_kefu(settings, memory_engine() if alone else engine)

    def cfg(self, name: str, default=None):
        return getattr(self.settings, name, default)

    # ------------------------------------------------------------ checks
    def token_or_503(self) -> str:
        token = self.cfg("wechat_token")
        if not token:
            raise WeChatError(503, "公众号接入未配置（缺少 Token），请联系管理员")
        return token

    def fresh_or_403(self, timestamp: str) -> None:
        skew = float(self.cfg("wechat_max_skew_seconds", 300) or 300)
        try:
            ts = int(timestamp)
        except ValueError:
            raise WeChatError(403, "请求时间戳无效") from None
        if abs(time.time() - ts) > skew:
            raise WeChatError(403, "请求已过期（时间戳与服务器时间相差超过5分钟）")

    def open_message(self, body: bytes, token: str, signature: str, timestamp: str, nonce: str,
                     encrypt_type: str, msg_signature: str) -> tuple[dict[str, str], WeChatCrypto | None]:
        """The signed, fresh message (decrypted in safe mode) and the crypto to seal the reply with;
        `WeChatError` (403 bad signature or stale, 400 malformed, 503 safe mode not configured) otherwise."""
        sig_ok = _same(signature, sha1_signature(token, timestamp, nonce))
        if (signature and not sig_ok) or not (sig_ok or msg_signature):
            raise WeChatError(403, "签名校验失败，请求不是来自微信服务器")
        self.fresh_or_403(timestamp)
        outer = parse_xml(body)
        if not (encrypt_type.lower() == "aes" or ("Encrypt" in outer and "MsgType" not in outer)):
            if not sig_ok:
                raise WeChatError(403, "签名校验失败，请求不是来自微信服务器")
            return outer, None
        encrypted = outer.get("Encrypt", "")
        if not encrypted:
            raise WeChatError(400, "安全模式消息缺少 Encrypt 字段")
        if not _same(msg_signature, sha1_signature(token, timestamp, nonce, encrypted)):
            raise WeChatError(403, "消息签名校验失败，请求不是来自微信服务器")
        aes_key, app_id = self.cfg("wechat_aes_key"), self.cfg("wechat_app_id")
        if not aes_key or not app_id:
            raise WeChatError(503, "公众号安全模式未配置（缺少 EncodingAESKey 或 AppID），请联系管理员")
        crypto = WeChatCrypto(token, aes_key, app_id)
        return parse_xml(crypto.decrypt(encrypted)), crypto

    # ------------------------------------------------------------ answering
    def render(self, reply: WeChatReply, openid: str, account: str, base_url: str = "") -> str:
        return render_reply(reply, openid, account, self.cfg("public_url") or base_url,
                            self.cfg("wechat_more_note", MORE_NOTE))

    def result_of(self, fut: Future) -> WeChatReply:
        try:
            return _to_reply(fut.result(timeout=0))
        except Exception as e:  # noqa: BLE001 – the user gets an apology, never a 500
            log.warning("wechat answer failed: %s", type(e).__name__)
            return WeChatReply(text=FAILED)

    def keep(self, openid: str, fut: Future) -> None:
        self.pending.finish(openid, self.result_of(fut))

    async def late_answer(self, openid: str) -> WeChatReply | None:
        """A late answer waiting for this follower (or word that it is still coming, or was lost)."""
        late = await asyncio.to_thread(self.pending.peek, openid)
        if late is None:
            return None
        status, _ = late
        if status == "running":
            return WeChatReply(text=STILL_PENDING)
        if status == "lost":  # the replica computing it went away: ask again rather than wait for ever
            await asyncio.to_thread(self.pending.drop, openid)
            return WeChatReply(text=LOST)
        reply = await asyncio.to_thread(self.pending.take, openid)
        return WeChatReply(**reply) if reply is not None else None

    async def ask(self, openid: str, text: str) -> WeChatReply:
        """The answer to ``text``, the finished late answer, or a "please wait" text."""
        late = await self.late_answer(openid)
        if late is not None:
            return late
        fut = self.executor.submit(self.answer, openid, text)
        await _wait(fut, float(self.cfg("wechat_reply_budget", 4.0) or 4.0))
        if fut.done():
            return self.result_of(fut)
        if self.kefu is not None:  # sent when ready; kept for the next message if sending fails
            self.kefu.send_when_done(fut, openid, self.result_of, lambda: self.keep(openid, fut))
            return WeChatReply(text=ON_ITS_WAY)
        await asyncio.to_thread(self.pending.start, openid)  # before the answer can be written as done
        fut.add_done_callback(lambda f: self.keep(openid, f))
        return WeChatReply(text=PENDING)

    async def handle(self, msg: dict[str, str], base_url: str = "") -> str | None:
        """The reply XML (unencrypted), or None for "success"."""
        openid, account = msg.get("FromUserName", ""), msg.get("ToUserName", "")
        msg_type = msg.get("MsgType", "").lower()
        if not openid or not account or not msg_type:
            raise WeChatError(400, "消息缺少 ToUserName、FromUserName 或 MsgType")
        event = msg.get("Event", "").lower()
        key = msg.get("MsgId") or f"{openid}|{msg.get('CreateTime', '')}|{event}"
        if not await asyncio.to_thread(self.replays.first, "msg:" + key):
            log.info("wechat replay type=%s user=%s", msg_type, _openid_tag(openid))
            return None
        content = msg.get("Content", "")
        if msg_type == "voice" and msg.get("Recognition"):   # speech recognition switched on
            msg_type, content = "text", msg["Recognition"]
        log.info("wechat in type=%s%s user=%s len=%d", msg_type, f"/{event}" if event else "",
                 _openid_tag(openid), len(content))
        if msg_type == "event":
            if event == "subscribe":
                return text_xml(openid, account, self.cfg("wechat_welcome", WELCOME))
            return None  # unsubscribe, menu clicks, location reports…: nothing to say
        if msg_type != "text":
            return text_xml(openid, account, ONLY_TEXT)
        if not content.strip() and await asyncio.to_thread(self.pending.peek, openid) is None:
            return text_xml(openid, account, EMPTY_TEXT)
        return self.render(await self.ask(openid, content.strip()), openid, account, base_url)

    # ------------------------------------------------------------ HTTP
    def verify(self, signature: str, timestamp: str, nonce: str, echostr: str) -> Response:
        try:
            token = self.token_or_503()
            if not _same(signature, sha1_signature(token, timestamp, nonce)):
                return _plain(403, "签名校验失败，请求不是来自微信服务器")
            self.fresh_or_403(timestamp)
            if not echostr:
                return _plain(400, "缺少 echostr 参数")
            return _plain(200, echostr)
        except WeChatError as e:
            return _plain(e.status, e.message)

    @staticmethod
    async def read_body(request: Request) -> bytes:
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            raise WeChatError(413, "消息过大")  # refused before reading (the app's guard also caps every body)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                raise WeChatError(413, "消息过大")
        return body

    async def receive(self, request: Request, **query: str) -> Response:
        try:
            token = self.token_or_503()
            body = await self.read_body(request)
            msg, crypto = self.open_message(body, token, **query)
            # signed and fresh: now the nonce is spent (same body again = WeChat's retry, another body = replay)
            nonce_key = f"nonce:{query['timestamp']}:{query['nonce']}"
            try:
                fresh = await asyncio.to_thread(self.replays.first, nonce_key, hashlib.sha256(body).hexdigest())
            except Replayed:
                raise WeChatError(403, "请求已被使用过（重放），拒绝处理") from None
            if not fresh:
                return _plain(200, "success")
            reply = await self.handle(msg, str(request.base_url))
            if reply is None:
                return _plain(200, "success")
            if crypto is not None:
                reply = crypto.seal(reply)
            return Response(content=reply, media_type="application/xml; charset=utf-8")
        except WeChatError as e:
            return _plain(e.status, e.message)
        except Exception as e:  # noqa: BLE001 – never a 500 with a traceback to WeChat
            log.error("wechat error: %s", type(e).__name__)
            return _plain(200, "success")


def wechat_router(answer: Callable[[str, str], WeChatReply], settings: Any, engine: Engine | None = None) -> APIRouter:
    """``GET /wechat`` (server verification) and ``POST /wechat`` (messages) on one `WeChatEndpoint`."""
    router = APIRouter(tags=["wechat"])
    endpoint = WeChatEndpoint(answer, settings, engine)

    @router.get("", summary="公众号服务器地址验证", response_class=Response)
    async def verify(signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""):
        """WeChat's server check: echoes ``echostr`` for a good, fresh signature."""
        return endpoint.verify(signature, timestamp, nonce, echostr)

    @router.post("", summary="公众号消息推送", response_class=Response)
    async def receive(request: Request, signature: str = "", timestamp: str = "", nonce: str = "",
                      encrypt_type: str = "", msg_signature: str = ""):
        return await endpoint.receive(request, signature=signature, timestamp=timestamp, nonce=nonce,
                                      encrypt_type=encrypt_type, msg_signature=msg_signature)

    return router


def follower_answers(chat: Callable, sessions, limiter, get_assistant: Callable[[], Any]) -> Callable[[str, str], WeChatReply]:
    """``answer(openid, text)`` for `wechat_router`: one conversation per follower (``sessions``: openid →
    our session id, in the database), the per-follower rate limit, and ``chat(req, debug)`` — the same
    flow as /v1/chat.  A guide answer reaches the person whole: the essentials in the text, the rest on
    the asker-only page ``/a/{message_id}?t=…``."""
    def answer(openid: str, text: str) -> WeChatReply:
        try:
            req = ChatRequest(message=text[:2000] or "你好", session_id=sessions.get(openid), channel="wechat")
        except ValueError:
            return WeChatReply("请输入要咨询的问题。")
        try:
            limiter.hit("openid", openid)
        except RateLimited as e:
            return WeChatReply(f"您提问太频繁了，请{e.retry_after}秒后再问。")
        r = chat(req, False)
        sessions.set(openid, r.session_id)
        a = get_assistant()
        first = a.guides.get(r.items[0].id) if r.kind == "guide" and r.items else None
        return WeChatReply(r.answer, first.name if first else None, None,
                           details=guide_essentials(first, a.centre) if first else None,
                           page_path=f"/a/{r.message_id}?t={r.rating_token}" if r.rating_token else None)

    return answer
