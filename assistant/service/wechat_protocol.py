"""The WeChat official-account (公众号) message protocol, without HTTP: signatures, safe-mode (AES)
envelopes, the XML messages, and shaping an answer into a text reply WeChat will show.

Used by the ``/wechat`` route (web/routes/wechat.py) and the 客服消息 sender (wechat_kefu.py).

Protocol notes (WeChat docs, 消息加解密说明):
  signature      = sha1("".join(sorted([token, timestamp, nonce])))
  msg_signature  = sha1("".join(sorted([token, timestamp, nonce, encrypt])))
  AES-256-CBC, key = b64decode(aes_key + "="), iv = key[:16], PKCS#7 with block size 32,
  plaintext = 16 random bytes + 4-byte big-endian length + xml + appid.

A text reply shows at most ~2,048 bytes: `shorten` cuts at a line or sentence end and says where the
rest is, and `clean_answer` drops the [n] citation markers (there is no citation list in WeChat).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import struct
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

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


def render_reply(reply: WeChatReply, openid: str, account: str, link_base: str = "",
                 more_note: str = MORE_NOTE) -> str:
    """The reply XML for an answer.  A guide answer puts its essentials first (what is cut to fit 2,048
    bytes is the longer prose) and links the whole answer on this server (``link_base`` + ``/a/…``) as
    text, never a card to a portal; an answer with an item URL becomes a news card; else plain text."""
    text = clean_answer(reply.text)
    if reply.details:
        text = f"{reply.details}\n\n{text}" if text else reply.details
    if reply.page_path:
        link = link_base.rstrip("/") + reply.page_path
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
    return text_xml(openid, account, shorten(text or FAILED, note=more_note))
