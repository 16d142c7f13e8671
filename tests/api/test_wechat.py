"""WeChat official-account push protocol: fixtures are built from the documented
format (signatures with hashlib, AES envelopes with `cryptography` directly), not
with the module's own helpers."""
from __future__ import annotations

import base64
import hashlib
import os
import struct
import threading
import time
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.web.routes.wechat import WeChatReply, wechat_router

TOKEN = "daobantoken2024"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 chars
APP_ID = "wx1234567890abcdef"
OPENID = "oUser_openid_ABC123"
ACCOUNT = "gh_daoban_account"


# ---------------------------------------------------------------- protocol helpers (independent)
def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def query(timestamp=None, nonce=None, token=TOKEN, **extra) -> dict:
    """A freshly signed query: now's timestamp and a new nonce (both are checked: ±300 s, used once)."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
    return {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, **extra}


def text_msg(content: str, msg_id: str = "1000001", openid: str = OPENID, create_time: str = "1700000000") -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{create_time}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id}</MsgId></xml>")


def event_msg(event: str, create_time: str = "1700000100") -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event></xml>")


def _key() -> bytes:
    return base64.b64decode(AES_KEY + "=")


def encrypt(xml: str, app_id: str = APP_ID) -> str:
    key = _key()
    body = xml.encode()
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def decrypt(encrypted: str) -> tuple[str, str]:
    key = _key()
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = dec.update(base64.b64decode(encrypted)) + dec.finalize()
    plain = plain[:-plain[-1]]
    (n,) = struct.unpack(">I", plain[16:20])
    return plain[20:20 + n].decode(), plain[20 + n:].decode()


def fields(xml: str) -> dict[str, str]:
    root = ET.fromstring(xml)
    return {c.tag: (c.text or "") for c in root}


# ---------------------------------------------------------------- app
class FakeAnswers:
    """Test double for the pipeline: records calls, answers mentioning the question."""

    def __init__(self):
        self.calls: list[tuple[str, str]] = []
        self.url: str | None = None
        self.text: str | None = None
        self.release: threading.Event | None = None  # set → slow answers block until released

    def __call__(self, openid: str, text: str) -> WeChatReply:
        self.calls.append((openid, text))
        if self.release is not None:
            self.release.wait(10)
        body = self.text or f"关于“{text}”：请携带身份证到政务服务中心办理[1]。"
        return WeChatReply(text=body, item_name="居民身份证换领" if self.url else None, item_url=self.url)


@pytest.fixture
def fake_answer():
    return FakeAnswers()


def make_client(fake_answer, **overrides) -> TestClient:
    settings = SimpleNamespace(wechat_token=TOKEN, wechat_aes_key=AES_KEY, wechat_app_id=APP_ID,
                               wechat_reply_budget=2.0)
    for k, v in overrides.items():
        setattr(settings, k, v)
    app = FastAPI()
    app.include_router(wechat_router(fake_answer, settings), prefix="/wechat")
    return TestClient(app)


@pytest.fixture
def client(fake_answer):
    return make_client(fake_answer)


def post(client, xml: str, params: dict | None = None):
    return client.post("/wechat", params=params or query(), content=xml.encode(),
                       headers={"Content-Type": "text/xml"})


# ---------------------------------------------------------------- GET verification
def test_get_verification_good_signature(client):
    r = client.get("/wechat", params=query(echostr="echo_8899"))
    assert r.status_code == 200
    assert r.text == "echo_8899"
    assert r.headers["content-type"].startswith("text/plain")


def test_get_verification_forged_signature(client):
    params = query(echostr="echo_8899") | {"signature": "0" * 40}
    r = client.get("/wechat", params=params)
    assert r.status_code == 403
    assert "签名" in r.text and "echo_8899" not in r.text


def test_no_token_configured_is_503(fake_answer):
    c = make_client(fake_answer, wechat_token=None)
    r = c.get("/wechat", params=query(echostr="x"))
    assert r.status_code == 503 and "未配置" in r.text
    assert post(c, text_msg("你好")).status_code == 503


# ---------------------------------------------------------------- plain mode
def test_plain_text_reply(client, fake_answer):
    r = post(client, text_msg("身份证怎么换"))
    assert r.status_code == 200
    f = fields(r.text)
    assert f["ToUserName"] == OPENID and f["FromUserName"] == ACCOUNT
    assert f["MsgType"] == "text"
    assert "身份证怎么换" in f["Content"]
    assert "[1]" not in f["Content"]  # citation markers are dropped for WeChat
    assert int(f["CreateTime"]) > 0
    assert fake_answer.calls == [(OPENID, "身份证怎么换")]


def test_plain_forged_signature_is_403(client, fake_answer):
    r = post(client, text_msg("身份证怎么换"), query() | {"signature": "f" * 40})
    assert r.status_code == 403
    r = post(client, text_msg("身份证怎么换"), {"timestamp": "1700000000", "nonce": "123456"})
    assert r.status_code == 403
    assert fake_answer.calls == []


def test_replayed_msgid_answers_success_once(client, fake_answer):
    first = post(client, text_msg("护照怎么办", msg_id="555"))
    assert "护照怎么办" in fields(first.text)["Content"]
    for _ in range(3):  # WeChat retries up to 3 times
        r = post(client, text_msg("护照怎么办", msg_id="555"))
        assert r.status_code == 200 and r.text == "success"
    assert len(fake_answer.calls) == 1


def test_long_answer_is_shortened(client, fake_answer):
    fake_answer.text = "\n".join(f"第{i}条：需要准备的材料包括身份证原件及复印件、户口簿、近期免冠照片。[{i}]"
                                 for i in range(200))
    f = fields(post(client, text_msg("材料")).text)
    assert len(f["Content"].encode()) <= 2048
    assert f["Content"].endswith("完整信息详见“宿心办”或咨询大厅窗口。")
    assert "[" not in f["Content"]


def test_news_card_when_item_url(client, fake_answer):
    fake_answer.url = "https://example.gov.cn/items/sfz"
    r = post(client, text_msg("身份证换领"))
    root = ET.fromstring(r.text)
    assert root.findtext("MsgType") == "news"
    assert root.findtext("ToUserName") == OPENID and root.findtext("FromUserName") == ACCOUNT
    assert root.findtext("ArticleCount") == "1"
    items = root.findall("Articles/item")
    assert len(items) == 1
    assert items[0].findtext("Title") == "居民身份证换领"
    assert items[0].findtext("Url") == "https://example.gov.cn/items/sfz"
    assert "身份证换领" in items[0].findtext("Description")


def test_subscribe_event_welcome(client, fake_answer):
    f = fields(post(client, event_msg("subscribe")).text)
    assert f["MsgType"] == "text" and f["ToUserName"] == OPENID
    assert "欢迎" in f["Content"]
    assert post(client, event_msg("subscribe")).text == "success"  # replay of the event
    assert fake_answer.calls == []


def test_non_text_message_polite_reply(client, fake_answer):
    xml = (f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName>"
           "<CreateTime>1700000200</CreateTime><MsgType>image</MsgType>"
           "<PicUrl>http://mmbiz.qpic.cn/x</PicUrl><MediaId>m1</MediaId><MsgId>777</MsgId></xml>")
    f = fields(post(client, xml).text)
    assert f["MsgType"] == "text" and "只支持文字" in f["Content"]
    assert fake_answer.calls == []


def test_malformed_xml_is_400(client):
    r = post(client, "<xml><ToUserName>oops</xml")
    assert r.status_code == 400
    assert "XML" in r.text and "Traceback" not in r.text


def test_missing_fields_is_400(client):
    assert post(client, "<xml><Content>hi</Content></xml>").status_code == 400


@pytest.mark.parametrize("doc", [
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>9</MsgId></xml>",
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
    '<!doctype xml SYSTEM "http://evil.example/x.dtd"><xml/>',
])
def test_doctype_and_entity_rejected(client, fake_answer, doc):
    r = post(client, doc)
    assert r.status_code == 400
    assert "DOCTYPE" in r.text
    assert fake_answer.calls == []


# ---------------------------------------------------------------- 5-second limit
def test_slow_answer_is_collected_by_next_message(fake_answer):
    client = make_client(fake_answer, wechat_reply_budget=0.2)
    fake_answer.release = threading.Event()
    t0 = time.monotonic()
    r = post(client, text_msg("公积金怎么提取", msg_id="9001"))
    assert time.monotonic() - t0 < 2.0
    assert "正在为您查询" in fields(r.text)["Content"]

    r = post(client, text_msg("1", msg_id="9002"))  # still running
    assert "仍在查询" in fields(r.text)["Content"]

    fake_answer.release.set()
    content = ""
    for i in range(50):
        content = fields(post(client, text_msg("1", msg_id=f"91{i:02d}")).text)["Content"]
        if "公积金怎么提取" in content:
            break
        time.sleep(0.05)
    assert "公积金怎么提取" in content
    assert fake_answer.calls == [(OPENID, "公积金怎么提取")]  # the "1"s were not asked

    fake_answer.release = None  # the next question is asked normally again
    content = fields(post(client, text_msg("社保卡补办", msg_id="9500")).text)["Content"]
    assert "社保卡补办" in content


# ---------------------------------------------------------------- safe (AES) mode
def safe_params(encrypted: str, timestamp=None, nonce=None) -> dict:
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
    return {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "encrypt_type": "aes", "msg_signature": sign(TOKEN, timestamp, nonce, encrypted),
            "openid": OPENID}


def envelope(encrypted: str) -> str:
    return f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"


def test_safe_mode_round_trip(client, fake_answer):
    encrypted = encrypt(text_msg("营业执照网上怎么办", msg_id="7001"))
    r = post(client, envelope(encrypted), safe_params(encrypted))
    assert r.status_code == 200
    outer = fields(r.text)
    assert set(outer) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert outer["MsgSignature"] == sign(TOKEN, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
    xml, app_id = decrypt(outer["Encrypt"])
    assert app_id == APP_ID
    f = fields(xml)
    assert f["ToUserName"] == OPENID and f["FromUserName"] == ACCOUNT
    assert "营业执照网上怎么办" in f["Content"]
    assert fake_answer.calls == [(OPENID, "营业执照网上怎么办")]


def test_safe_mode_forged_msg_signature_is_403(client, fake_answer):
    encrypted = encrypt(text_msg("你好", msg_id="7002"))
    params = safe_params(encrypted) | {"msg_signature": sign(TOKEN, "1", "2", encrypted)}
    assert post(client, envelope(encrypted), params).status_code == 403
    assert fake_answer.calls == []


def test_safe_mode_wrong_appid_rejected(client, fake_answer):
    encrypted = encrypt(text_msg("你好", msg_id="7003"), app_id="wxSomeoneElse000")
    r = post(client, envelope(encrypted), safe_params(encrypted))
    assert r.status_code in (400, 403)
    assert "AppID" in r.text
    assert fake_answer.calls == []


def test_safe_mode_garbage_ciphertext_is_400(client):
    encrypted = base64.b64encode(os.urandom(64)).decode()
    assert post(client, envelope(encrypted), safe_params(encrypted)).status_code == 400
