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

Protocol notes (WeChat docs, 消息加解密说明):
  signature      = sha1("".join(sorted([token, timestamp, nonce])))
  msg_signature  = sha1("".join(sorted([token, timestamp, nonce, encrypt])))
  AES-256-CBC, key = b64decode(aes_key + "="), iv = key[:16], PKCS#7 with block size 32,
  plaintext = 16 random bytes + 4-byte big-endian length + xml + appid.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import struct
import time
import xml.etree.ElementTree as ET
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from assistant.store.db import ensure_schema
from assistant.store.wechat import SEEN, SEEN_KEEP
from assistant.store.shared_state import PendingAnswers

log = logging.getLogger("assistant.wechat")

# ---------------------------------------------------------------- texts
WELCOME = ("您好，欢迎关注！我是政务服务中心导办助手。\n"
           "请直接发送文字提问，例如：“办身份证要带什么材料？”“营业执照怎么网上办？”，"
           "我会依据办事指南和政策原文为您解答。")
ONLY_TEXT = "抱歉，目前只支持文字提问。请用文字描述您要办理的事项，例如：“退休手续怎么办？”"
EMPTY_TEXT = "请用文字描述您要咨询的事项，例如：“办身份证要带什么材料？”"
PENDING = "正在为您查询，请稍候几秒后回复任意内容（如“1”）获取答案。"
STILL_PENDING = "答案仍在查询中，请再稍候几秒后回复任意内容（如“1”）获取答案。"
FAILED = "抱歉，系统暂时无法回答，请稍后再试，或拨打12345咨询。"
LOST = "抱歉，刚才的问题没能查完，请重新发送您的问题。"
MORE_NOTE = "\n……内容较长，完整信息详见“宿心办”或咨询大厅窗口。"
NEWS_TITLE = "办事指南"

# ---------------------------------------------------------------- limits
TEXT_LIMIT_BYTES = 2048          # WeChat shows at most ~2048 bytes of a text reply
NEWS_DESC_CHARS = 120
NEWS_TITLE_CHARS = 64
MAX_BODY_BYTES = 256 * 1024
WORKERS = 8

_CITE = re.compile(r"\s?\[\d+(?:[,，\-–]\s?\d+)*\]")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DECL = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class WeChatReply:
    text: str
    item_name: str | None = None
    item_url: str | None = None
    details: str | None = None     # guide essentials: item, place and windows, online route, materials
    page_path: str | None = None   # /a/{message_id}?t=… — the whole answer, for the asker only


class WeChatError(Exception):
    """A request that is answered with ``status`` and a Chinese ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------- signatures
def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _same(a: str | None, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.lower().encode(), b.encode())


# ---------------------------------------------------------------- AES (safe mode)
class WeChatCrypto:
    BLOCK = 32

    def __init__(self, token: str, aes_key: str, app_id: str):
        try:
            key = base64.b64decode(aes_key + "=", validate=True)
        except (ValueError, TypeError) as e:
            raise WeChatError(503, "公众号 EncodingAESKey 配置有误，应为 43 个字符") from e
        if len(aes_key) != 43 or len(key) != 32:
            raise WeChatError(503, "公众号 EncodingAESKey 配置有误，应为 43 个字符")
        self.token, self.key, self.iv, self.app_id = token, key, key[:16], app_id

    def _cipher(self):
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        return Cipher(algorithms.AES(self.key), modes.CBC(self.iv))

    def encrypt(self, xml: str) -> str:
        body = xml.encode("utf-8")
        plain = os.urandom(16) + struct.pack(">I", len(body)) + body + self.app_id.encode("utf-8")
        pad = self.BLOCK - len(plain) % self.BLOCK
        plain += bytes([pad]) * pad
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (ValueError, TypeError) as e:
            raise WeChatError(400, "加密消息格式不正确") from e
        if not data or len(data) % 16:
            raise WeChatError(400, "加密消息格式不正确")
        dec = self._cipher().decryptor()
        plain = dec.update(data) + dec.finalize()
        pad = plain[-1]
        if not 1 <= pad <= self.BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise WeChatError(400, "消息解密失败")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise WeChatError(400, "消息解密失败")
        (n,) = struct.unpack(">I", plain[16:20])
        if 20 + n > len(plain):
            raise WeChatError(400, "消息解密失败")
        xml, app_id = plain[20:20 + n], plain[20 + n:]
        if not hmac.compare_digest(app_id, self.app_id.encode("utf-8")):
            raise WeChatError(403, "消息的 AppID 与本公众号不符")
        try:
            return xml.decode("utf-8")
        except UnicodeDecodeError as e:
            raise WeChatError(400, "消息解密失败") from e

    def seal(self, xml: str) -> str:
        """The encrypted reply envelope."""
        encrypt = self.encrypt(xml)
        ts, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
        sig = sha1_signature(self.token, ts, nonce, encrypt)
        return (f"<xml><Encrypt>{_cdata(encrypt)}</Encrypt><MsgSignature>{_cdata(sig)}</MsgSignature>"
                f"<TimeStamp>{ts}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>")


# ---------------------------------------------------------------- XML
def parse_xml(raw: bytes | str) -> dict[str, str]:
    """Flat ``<xml><Tag>value</Tag>…</xml>`` → dict.  DOCTYPE / ENTITY are refused
    (no entity expansion, no XXE); the document is parsed as UTF-8 whatever it declares."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise WeChatError(400, "消息不是 UTF-8 编码的 XML") from e
    else:
        text = raw
    text = text.lstrip("\ufeff")
    if _DECL.search(text):
        raise WeChatError(400, "不接受包含 DOCTYPE 或 ENTITY 声明的 XML")
    try:
        parser = ET.XMLParser(encoding="utf-8")
        parser.feed(text.encode("utf-8"))
        root = parser.close()
    except ET.ParseError as e:
        raise WeChatError(400, "消息不是合法的 XML") from e
    return {child.tag: (child.text or "").strip() for child in root}


def _cdata(s: str) -> str:
    s = _XML_ILLEGAL.sub("", s)
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_xml(to_user: str, from_user: str, content: str) -> str:
    return (f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(content)}</Content></xml>")


def news_xml(to_user: str, from_user: str, title: str, description: str, url: str) -> str:
    return (f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[news]]></MsgType>"
            f"<ArticleCount>1</ArticleCount><Articles><item><Title>{_cdata(title)}</Title>"
            f"<Description>{_cdata(description)}</Description><Url>{_cdata(url)}</Url></item></Articles></xml>")


# ---------------------------------------------------------------- text shaping
def clean_answer(text: str) -> str:
    """Citation markers ([1], [2,3]) mean nothing without the citation list: drop them."""
    text = _CITE.sub("", text or "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def shorten(text: str, limit: int = TEXT_LIMIT_BYTES, note: str = MORE_NOTE) -> str:
    """Fit ``text`` in ``limit`` UTF-8 bytes, cutting at a line or sentence end and
    appending ``note`` when something was cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(note.encode("utf-8"))
    used, cut = 0, 0
    for i, ch in enumerate(text):
        used += len(ch.encode("utf-8"))
        if used > room:
            break
        cut = i + 1
    head = text[:cut]
    for seps in ("\n", "。；！？;!?", "，,、 "):
        pos = max(head.rfind(s) for s in seps)
        if pos >= len(head) // 2:
            head = head[:pos + 1]
            break
    return head.rstrip() + note


def first_lines(text: str, limit: int = NEWS_DESC_CHARS) -> str:
    out = ""
    for line in (ln.strip() for ln in text.splitlines()):
        if not line:
            continue
        if out and len(out) + 1 + len(line) > limit:
            break
        out = f"{out}\n{line}" if out else line
        if len(out) >= limit:
            break
    return out if len(out) <= limit else out[:limit - 1] + "…"


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


class ReplayStore:
    """Nonces and message ids already handled, in the database: survives restarts, shared by replicas.
    ``first(key, digest)`` → True the first time; False for a repeat with the same digest (a retry);
    raises `WeChatError(403)` for a repeat with another digest (a replayed signed URL with a new body)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        ensure_schema(engine)
        self._sweep_at = 0.0

    def first(self, key: str, digest: str = "") -> bool:
        now = time.time()
        try:
            with self.engine.begin() as db:
                if now > self._sweep_at:
                    self._sweep_at = now + 60
                    db.execute(delete(SEEN).where(SEEN.c.seen_at < now - SEEN_KEEP))
                db.execute(insert(SEEN).values(key=key[:200], digest=digest, seen_at=now))
            return True
        except IntegrityError:
            with self.engine.connect() as db:
                old = db.execute(select(SEEN.c.digest).where(SEEN.c.key == key[:200])).scalar()
            if digest and old is not None and old != digest:
                raise WeChatError(403, "请求已被使用过（重放），拒绝处理") from None
            return False


# ---------------------------------------------------------------- router
def _plain(status: int, message: str) -> Response:
    return Response(content=message, status_code=status, media_type="text/plain; charset=utf-8")


def wechat_router(answer: Callable[[str, str], WeChatReply], settings: Any, engine: Engine | None = None) -> APIRouter:
    router = APIRouter(tags=["wechat"])
    executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="wechat-answer")
    if engine is None:  # a stand-alone router (tests): the same store in a private in-memory database
        engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    replays = ReplayStore(engine)
    pending = PendingAnswers(engine)  # late answers in the database: the next message may reach another replica
    from assistant.service.wechat_kefu import ON_ITS_WAY, make_kefu  # 客服消息 when app id + secret are set
    kefu = make_kefu(settings)

    def cfg(name: str, default=None):
        return getattr(settings, name, default)

    def token_or_503() -> str:
        token = cfg("wechat_token")
        if not token:
            raise WeChatError(503, "公众号接入未配置（缺少 Token），请联系管理员")
        return token

    def fresh_or_403(timestamp: str) -> None:
        skew = float(cfg("wechat_max_skew_seconds", 300) or 300)
        try:
            ts = int(timestamp)
        except ValueError:
            raise WeChatError(403, "请求时间戳无效") from None
        if abs(time.time() - ts) > skew:
            raise WeChatError(403, "请求已过期（时间戳与服务器时间相差超过5分钟）")

    def to_reply(result: Any) -> WeChatReply:
        if isinstance(result, WeChatReply):
            return result
        return WeChatReply(text=str(result or ""))

    def render(reply: WeChatReply, openid: str, account: str, base_url: str = "") -> str:
        text = clean_answer(reply.text)
        if reply.details:  # the essentials first: what is cut to fit 2,048 bytes is the longer prose
            text = f"{reply.details}\n\n{text}" if text else reply.details
        if reply.page_path:  # the whole answer on this server: a text reply, never a card to a portal
            link = (cfg("public_url") or base_url).rstrip("/") + reply.page_path
            whole = f"{text}\n\n完整回答：{link}"
            if len(whole.encode("utf-8")) <= TEXT_LIMIT_BYTES:
                return text_xml(openid, account, whole)
            return text_xml(openid, account, shorten(text, note=f"\n……完整回答（含全部材料）：{link}"))
        url = (reply.item_url or "").strip()
        if url.startswith(("https://", "http://")):
            title = (reply.item_name or "").strip() or NEWS_TITLE
            if len(title) > NEWS_TITLE_CHARS:
                title = title[:NEWS_TITLE_CHARS - 1] + "…"
            return news_xml(openid, account, title, first_lines(text), url)
        return text_xml(openid, account, shorten(text or FAILED, note=cfg("wechat_more_note", MORE_NOTE)))

    def result_of(fut: Future) -> WeChatReply:
        try:
            return to_reply(fut.result(timeout=0))
        except Exception as e:  # noqa: BLE001 – the user gets an apology, never a 500
            log.warning("wechat answer failed: %s", type(e).__name__)
            return WeChatReply(text=FAILED)

    def keep(openid: str, fut: Future) -> None:
        pending.finish(openid, result_of(fut))

    async def ask(openid: str, text: str) -> WeChatReply:
        """The answer to ``text``, the finished late answer, or a "please wait" text."""
        late = await asyncio.to_thread(pending.peek, openid)
        if late is not None:
            status, _ = late
            if status == "running":
                return WeChatReply(text=STILL_PENDING)
            if status == "lost":  # the replica computing it went away: ask again rather than wait for ever
                await asyncio.to_thread(pending.drop, openid)
                return WeChatReply(text=LOST)
            reply = await asyncio.to_thread(pending.take, openid)
            if reply is not None:
                return WeChatReply(**reply)
        fut = executor.submit(answer, openid, text)
        budget = float(cfg("wechat_reply_budget", 4.0) or 4.0)
        await _wait(fut, budget)
        if fut.done():
            return result_of(fut)
        if kefu is not None:  # sent when ready; kept for the next message if sending fails
            kefu.send_when_done(fut, openid, result_of, lambda: keep(openid, fut))
            return WeChatReply(text=ON_ITS_WAY)
        await asyncio.to_thread(pending.start, openid)  # before the answer can be written as done
        fut.add_done_callback(lambda f: keep(openid, f))
        return WeChatReply(text=PENDING)

    async def handle(msg: dict[str, str], base_url: str = "") -> str | None:
        """The reply XML (unencrypted), or None for "success"."""
        openid, account = msg.get("FromUserName", ""), msg.get("ToUserName", "")
        msg_type = msg.get("MsgType", "").lower()
        if not openid or not account or not msg_type:
            raise WeChatError(400, "消息缺少 ToUserName、FromUserName 或 MsgType")
        event = msg.get("Event", "").lower()
        key = msg.get("MsgId") or f"{openid}|{msg.get('CreateTime', '')}|{event}"
        if not await asyncio.to_thread(replays.first, "msg:" + key):
            log.info("wechat replay type=%s user=%s", msg_type, _openid_tag(openid))
            return None
        content = msg.get("Content", "")
        if msg_type == "voice" and msg.get("Recognition"):   # speech recognition switched on
            msg_type, content = "text", msg["Recognition"]
        log.info("wechat in type=%s%s user=%s len=%d", msg_type, f"/{event}" if event else "",
                 _openid_tag(openid), len(content))
        if msg_type == "event":
            if event == "subscribe":
                return text_xml(openid, account, cfg("wechat_welcome", WELCOME))
            return None  # unsubscribe, menu clicks, location reports…: nothing to say
        if msg_type != "text":
            return text_xml(openid, account, ONLY_TEXT)
        if not content.strip() and await asyncio.to_thread(pending.peek, openid) is None:
            return text_xml(openid, account, EMPTY_TEXT)
        return render(await ask(openid, content.strip()), openid, account, base_url)

    @router.get("", summary="公众号服务器地址验证", response_class=Response)
    async def verify(signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""):
        """WeChat's server check: echoes ``echostr`` for a good, fresh signature."""
        try:
            token = token_or_503()
            if not _same(signature, sha1_signature(token, timestamp, nonce)):
                return _plain(403, "签名校验失败，请求不是来自微信服务器")
            fresh_or_403(timestamp)
            if not echostr:
                return _plain(400, "缺少 echostr 参数")
            return _plain(200, echostr)
        except WeChatError as e:
            return _plain(e.status, e.message)

    @router.post("", summary="公众号消息推送", response_class=Response)
    async def receive(request: Request, signature: str = "", timestamp: str = "", nonce: str = "",
                      encrypt_type: str = "", msg_signature: str = ""):
        try:
            token = token_or_503()
            if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
                return _plain(413, "消息过大")  # refused before reading (the app's guard also caps every body)
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    return _plain(413, "消息过大")
            sig_ok = _same(signature, sha1_signature(token, timestamp, nonce))
            if signature and not sig_ok:
                return _plain(403, "签名校验失败，请求不是来自微信服务器")
            if not (sig_ok or msg_signature):
                return _plain(403, "签名校验失败，请求不是来自微信服务器")
            fresh_or_403(timestamp)
            outer = parse_xml(body)
            safe = encrypt_type.lower() == "aes" or ("Encrypt" in outer and "MsgType" not in outer)
            crypto = None
            if safe:
                encrypted = outer.get("Encrypt", "")
                if not encrypted:
                    return _plain(400, "安全模式消息缺少 Encrypt 字段")
                if not _same(msg_signature, sha1_signature(token, timestamp, nonce, encrypted)):
                    return _plain(403, "消息签名校验失败，请求不是来自微信服务器")
                aes_key, app_id = cfg("wechat_aes_key"), cfg("wechat_app_id")
                if not aes_key or not app_id:
                    return _plain(503, "公众号安全模式未配置（缺少 EncodingAESKey 或 AppID），请联系管理员")
                crypto = WeChatCrypto(token, aes_key, app_id)
                msg = parse_xml(crypto.decrypt(encrypted))
            elif not sig_ok:
                return _plain(403, "签名校验失败，请求不是来自微信服务器")
            else:
                msg = outer
            # signed and fresh: now the nonce is spent (same body again = WeChat's retry, another body = replay)
            if not await asyncio.to_thread(replays.first, f"nonce:{timestamp}:{nonce}", hashlib.sha256(body).hexdigest()):
                return _plain(200, "success")
            reply = await handle(msg, str(request.base_url))
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

    return router
