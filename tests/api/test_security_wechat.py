"""WeChat push under replay and delay (stale timestamps, replayed messages, answers longer than one
reply), with `wechatpy` playing WeChat's servers: signatures and AES envelopes come from wechatpy, not from our module.  The real app and
pipeline answer; the replay store is the database, so it holds across a restart and across replicas."""
from __future__ import annotations

import logging
import re
import secrets
import time
import xml.etree.ElementTree as ET

import pytest
import xmltodict
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from assistant.web.app import create_app
from assistant.config import get_settings
from assistant.store.conversations import SessionStore

TOKEN = "sec-token-2026"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx5ecur1ty0000001"
ACCOUNT = "gh_daoban"


def signature(*parts: str) -> str:
    s = WeChatSigner()
    s.add_data(*parts)
    return s.signature


def text_msg(content: str, openid: str = "oCitizen1", msg_id: str | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id or secrets.randbelow(10**15)}</MsgId></xml>")


class WeChatServer:
    """Sends pushes the way WeChat does; ``safe`` → AES envelopes made by wechatpy."""

    def __init__(self, client: TestClient, safe: bool):
        self.client, self.safe = client, safe
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)

    def signed(self, xml: str, timestamp: int | None = None, nonce: str | None = None) -> tuple[dict, bytes]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**9))
        params = {"signature": signature(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": "oCitizen1"}
        if not self.safe:
            return params, xml.encode()
        env = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{env['Encrypt']}]]></Encrypt></xml>"
        return params | {"encrypt_type": "aes", "msg_signature": env["MsgSignature"]}, body.encode()

    def post(self, params: dict, body: bytes):
        return self.client.post("/wechat", params=params, content=body, headers={"Content-Type": "text/xml"})

    def push(self, xml: str, **kw):
        return self.post(*self.signed(xml, **kw))

    def content(self, r) -> str:
        """The text our server replied (decrypted and signature-checked by wechatpy in safe mode)."""
        assert r.status_code == 200, r.text
        xml = r.text
        if self.safe:
            env = xmltodict.parse(xml)["xml"]
            xml = self.crypto.decrypt_message(xml, env["MsgSignature"], env["TimeStamp"], env["Nonce"])
        root = ET.fromstring(xml)
        assert root.findtext("MsgType") == "text"
        return root.findtext("Content")


@pytest.fixture()
def make(assistant, tmp_path, open_client):
    def build(db: str = "wechat.db", **overrides):
        s = get_settings(wechat_token=TOKEN, wechat_aes_key=AES_KEY, wechat_app_id=APP_ID, wechat_reply_budget=30,
                         **({"rate_limits": "off"} | overrides))
        return open_client(create_app(s, assistant, SessionStore(f"sqlite:///{tmp_path / db}")))

    return build


def _questions(c: TestClient) -> int:
    with create_engine(c.app.state.store.engine.url).connect() as db:
        return db.execute(text("select count(*) from messages where role = 'user'")).scalar_one()


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "aes"])
@pytest.mark.parametrize("age", [-365 * 86400, -301, 310, 10 * 365 * 86400], ids=["year-old", "5min-old", "5min-ahead", "10y-ahead"])
def test_stale_or_future_timestamps_are_refused(make, safe, age):
    c = make()
    wx = WeChatServer(c, safe)
    r = wx.push(text_msg("结婚登记要带什么"), timestamp=int(time.time()) + age)
    assert r.status_code == 403 and "过期" in r.text
    assert _questions(c) == 0
    ts = str(int(time.time()) + age)
    r = c.get("/wechat", params={"signature": signature(TOKEN, ts, "1"), "timestamp": ts, "nonce": "1", "echostr": "e"})
    assert r.status_code == 403


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "aes"])
def test_a_signed_url_is_good_for_one_body_only(make, safe):
    c = make()
    wx = WeChatServer(c, safe)
    params, body = wx.signed(text_msg("结婚登记要带什么", openid="oAlice"))
    assert "结婚" in wx.content(wx.post(params, body))
    # WeChat's retry (same URL, same body): "success", not asked again
    again = wx.post(params, body)
    assert again.status_code == 200 and again.text == "success"
    # the URL (e.g. read from a log) with another body and another openid: refused
    if safe:
        _, forged = wx.signed(text_msg("把我的材料发给我", openid="oMallory"), timestamp=int(params["timestamp"]),
                              nonce=params["nonce"])
        params = params | {"msg_signature": signature(TOKEN, params["timestamp"], params["nonce"],
                                                      xmltodict.parse(forged)["xml"]["Encrypt"])}
    else:
        forged = text_msg("把我的材料发给我", openid="oMallory").encode()
    r = wx.post(params, forged)
    assert r.status_code == 403 and "重放" in r.text
    assert _questions(c) == 1


def test_replay_store_survives_a_restart_and_is_shared_by_replicas(make):
    first = make("shared.db")
    wx1 = WeChatServer(first, safe=True)
    params, body = wx1.signed(text_msg("结婚登记要带什么", msg_id="424242"))
    assert "结婚" in wx1.content(wx1.post(params, body))
    first.app.state.store.engine.dispose()  # nothing of the first app's memory is reused: a new app, new router
    restarted = make("shared.db")  # a restarted process (or another replica) on the same database
    wx2 = WeChatServer(restarted, safe=True)
    assert wx2.post(params, body).text == "success"
    # a fresh signature around the same message id is a duplicate too
    assert wx2.push(text_msg("结婚登记要带什么", msg_id="424242")).text == "success"
    assert _questions(restarted) == 1


def test_each_follower_is_rate_limited(make):
    c = make(rate_limits="on", rate_limit_openid="2/minute")
    wx = WeChatServer(c, safe=False)
    replies = [wx.content(wx.push(text_msg(f"结婚登记{i}", openid="oBusy"))) for i in range(3)]
    assert "频繁" not in replies[1] and "频繁" in replies[2]
    assert "频繁" not in wx.content(wx.push(text_msg("结婚登记", openid="oCalm")))


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "aes"])
def test_a_guide_answer_reaches_the_person_in_full(make, safe):
    c = make()
    wx = WeChatServer(c, safe)
    content = wx.content(wx.push(text_msg("结婚登记要带什么材料")))
    assert len(content.encode()) <= 2048
    assert "事项：结婚登记" in content and "办理地点：" in content and "窗口" in content
    assert "网上办理：" in content and "主要材料：" in content and "身份证" in content
    link = re.search(r"http://testserver(/a/\w+\?t=\w+)", content)
    assert link, content  # the whole answer on this server, not a provincial portal
    page = c.get(link.group(1))
    assert page.status_code == 200 and "申请材料" in page.text and "结婚登记" in page.text
    assert "noindex" in page.text and page.headers["cache-control"] == "no-store"
    mid = link.group(1).split("?")[0].rsplit("/", 1)[1]
    assert c.get(f"/a/{mid}").status_code == 404
    assert c.get(f"/a/{mid}?t={'0' * 36}").status_code == 404


def test_wechat_query_strings_never_reach_the_logs(make, caplog):
    from assistant.web.guard import safe_log_path

    c = make()
    wx = WeChatServer(c, safe=False)
    params, body = wx.signed(text_msg("结婚登记要带什么"))
    with caplog.at_level(logging.DEBUG):
        wx.post(params, body)
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]  # httpx: the test's own client
    assert server_side and all(params["signature"] not in r.getMessage() for r in server_side)
    assert safe_log_path(f"/wechat?signature={params['signature']}&timestamp=1") == "/wechat"
