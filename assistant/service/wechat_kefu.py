"""WeChat 客服消息 (customer-service messages): a late answer is sent when it is ready.

WeChat waits 5 seconds for a passive reply.  Without this module an answer that misses the budget
is kept until the person sends another message (wechat.py, "请稍候几秒后回复任意内容").  When the
account has the 客服消息 permission and both ``ASSISTANT_WECHAT_APP_ID`` and
``ASSISTANT_WECHAT_APP_SECRET`` are set, the passive reply says the answer is on its way and the
finished answer is pushed with the customer-service API; if that fails (no permission 48001, outside
the 48-hour window 45015, network), the answer falls back to waiting for the next message as before.

Protocol (WeChat docs, 获取 Access token / 客服消息):
  GET  {base}/cgi-bin/token?grant_type=client_credential&appid=APPID&secret=SECRET
       → {"access_token": "...", "expires_in": 7200}        (errors: {"errcode": 40013, ...})
  POST {base}/cgi-bin/message/custom/send?access_token=TOKEN
       {"touser": OPENID, "msgtype": "text", "text": {"content": "..."}}  → {"errcode": 0, "errmsg": "ok"}
  A token is used until 5 minutes before it expires and fetched again once when WeChat says it is
  invalid or expired (40001, 40014, 42001).  Every replica uses the same token, kept in the database
  (`store.shared_state.AccessTokens`): fetching one invalidates the previous, so only one replica
  fetches at a time.  JSON goes as UTF-8 (not \\u-escaped: WeChat would show the
  escapes).  ``ASSISTANT_WECHAT_API_BASE`` points the client at a local double in tests.
"""
from __future__ import annotations

import json
import logging
import time
from concurrent.futures import Future
from typing import Any, Callable

import httpx
from sqlalchemy.engine import Engine

from assistant.store.shared_state import AccessTokens
from assistant.service.wechat_protocol import MORE_NOTE, WeChatReply, clean_answer, shorten

log = logging.getLogger("assistant.wechat")

ON_ITS_WAY = "正在为您查询，答案准备好后会直接发给您（如果没有收到，回复任意内容即可获取）。"
TOKEN_ERRORS = {40001, 40014, 42001}
EARLY = 300  # seconds before expiry a token is renewed


class KefuError(RuntimeError):
    def __init__(self, code: int, message: str):
        super().__init__(f"{code} {message}")
        self.code = code


class KefuClient:
    """``tokens``: the access tokens shared by the replicas (`AccessTokens` on the conversations database)."""

    def __init__(self, app_id: str, secret: str, tokens: AccessTokens, base: str = "https://api.weixin.qq.com",
                 timeout: float = 5.0, transport: httpx.BaseTransport | None = None):
        self.app_id, self.secret, self.base, self.tokens = app_id, secret, base.rstrip("/"), tokens
        self.http = httpx.Client(timeout=timeout, transport=transport)

    def token(self, stale: str | None = None) -> str:
        """The shared token; `stale`: the one WeChat just refused (a new one is fetched unless another
        replica already did)."""
        return self.tokens.get(self.app_id, self._fetch, stale=stale)

    def _fetch(self) -> tuple[str, float]:
        r = self.http.get(f"{self.base}/cgi-bin/token",
                          params={"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret})
        body = r.json()
        if "access_token" not in body:
            raise KefuError(int(body.get("errcode", -1)), str(body.get("errmsg", "no access_token")))
        return body["access_token"], max(60, int(body.get("expires_in", 7200)) - EARLY)

    def send_text(self, openid: str, content: str) -> None:
        payload = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": content}},
                             ensure_ascii=False).encode("utf-8")
        refused = None
        for attempt in (0, 1):
            token = self.token(stale=refused)
            r = self.http.post(f"{self.base}/cgi-bin/message/custom/send", params={"access_token": token},
                               content=payload, headers={"Content-Type": "application/json; charset=utf-8"})
            body = r.json()
            code = int(body.get("errcode", 0))
            if code == 0:
                return
            if code not in TOKEN_ERRORS or attempt:
                raise KefuError(code, str(body.get("errmsg", "")))
            refused = token

    def send_when_done(self, fut: Future, openid: str, reply_of: Callable[[Future], WeChatReply],
                       fallback: Callable[[], None]) -> None:
        """When `fut` finishes, send its answer; on any failure call `fallback` (keep it for the next message)."""
        def done(f: Future) -> None:
            try:
                self.send_text(openid, kefu_text(reply_of(f)))
                log.info("wechat kefu sent")
            except Exception as e:  # noqa: BLE001 – the answer is kept for the next message instead
                log.warning("wechat kefu failed (%s): answer kept for the next message", e)
                fallback()
        fut.add_done_callback(done)


def kefu_text(reply: WeChatReply) -> str:
    """The answer as one text message: citations markers out, shortened, the item's link at the end."""
    text = clean_answer(reply.text)
    url = (reply.item_url or "").strip()
    tail = f"\n{reply.item_name or '办事指南'}：{url}" if url.startswith(("https://", "http://")) else ""
    return shorten(text, note=MORE_NOTE) + tail


def make_kefu(settings: Any, engine: Engine, clock=time.time, transport: httpx.BaseTransport | None = None) -> KefuClient | None:
    """A client when app id and secret are both configured, else None (the old fallback stays); its token
    lives in `engine`'s database, shared with every replica on it."""
    app_id, secret = getattr(settings, "wechat_app_id", None), getattr(settings, "wechat_app_secret", None)
    if not (app_id and secret):
        return None
    return KefuClient(app_id, secret, AccessTokens(engine, clock=clock),
                      getattr(settings, "wechat_api_base", None) or "https://api.weixin.qq.com", transport=transport)
