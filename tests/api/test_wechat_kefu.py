"""客服消息: a late answer is pushed through WeChat's customer-service API — tested against a local
double of api.weixin.qq.com (a tiny HTTP server on 127.0.0.1) that checks the access-token flow and
the message body; without app secret, or when sending fails, the old "reply to fetch" fallback stays."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from test_wechat import APP_ID, OPENID, FakeAnswers, fields, make_client, post, text_msg

SECRET = "s3cr3t-app-secret"


class WeChatDouble:
    """/cgi-bin/token and /cgi-bin/message/custom/send, recording every call."""

    def __init__(self):
        self.calls: list[tuple[str, dict, dict | None]] = []
        self.issued = 0
        self.expire_first = False  # the first token is refused once (42001) → a new one is fetched
        self.send_error = 0  # errcode for every send (e.g. 48001: no 客服消息 permission)
        self.sent = threading.Event()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _json(self, body: dict):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                u = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                double.calls.append((u.path, q, None))
                if u.path != "/cgi-bin/token":
                    return self._json({"errcode": 404, "errmsg": "no such api"})
                if q != {"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET}:
                    return self._json({"errcode": 40013, "errmsg": "invalid appid or secret"})
                double.issued += 1
                self._json({"access_token": f"TOKEN-{double.issued}", "expires_in": 7200})

            def do_POST(self):
                u = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.loads(raw.decode("utf-8"))
                double.calls.append((u.path, q, body))
                if "\\u" in raw.decode("utf-8"):
                    return self._json({"errcode": 47001, "errmsg": "data format error: escaped unicode"})
                token = q.get("access_token")
                if token != f"TOKEN-{double.issued}" or (double.expire_first and token == "TOKEN-1"):
                    return self._json({"errcode": 42001, "errmsg": "access_token expired"})
                if double.send_error:
                    double.sent.set()
                    return self._json({"errcode": double.send_error, "errmsg": "api unauthorized"})
                double.sent.set()
                self._json({"errcode": 0, "errmsg": "ok"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sends(self):
        return [c for c in self.calls if c[0] == "/cgi-bin/message/custom/send"]


@pytest.fixture
def double():
    d = WeChatDouble()
    yield d
    d.server.shutdown()
    d.server.server_close()


def _late(double, **extra):
    answers = FakeAnswers()
    answers.release = threading.Event()
    client = make_client(answers, wechat_reply_budget=0.2, wechat_app_secret=SECRET, wechat_api_base=double.url, **extra)
    return answers, client


def test_a_late_answer_is_sent_with_the_customer_service_api(double):
    double.expire_first = True
    answers, client = _late(double)
    r = post(client, text_msg("公积金怎么提取", msg_id="8001"))
    assert "直接发给您" in fields(r.text)["Content"]
    assert double.calls == []  # nothing sent before the answer exists
    answers.release.set()
    assert double.sent.wait(10)
    for _ in range(100):  # the retry with the renewed token follows the refused one
        if any(c[2] and c[1]["access_token"] == "TOKEN-2" for c in double.sends()):
            break
        time.sleep(0.05)
    paths = [c[0] for c in double.calls]
    assert paths == ["/cgi-bin/token", "/cgi-bin/message/custom/send", "/cgi-bin/token", "/cgi-bin/message/custom/send"]
    path, q, body = double.sends()[-1]
    assert q == {"access_token": "TOKEN-2"}
    assert body["touser"] == OPENID and body["msgtype"] == "text"
    assert "公积金怎么提取" in body["text"]["content"] and "[1]" not in body["text"]["content"]
    # the answer was delivered: the next message is a new question, not a collection
    answers.release = None
    assert "社保卡补办" in fields(post(client, text_msg("社保卡补办", msg_id="8002")).text)["Content"]


def test_the_token_is_reused_while_valid(double):
    answers, client = _late(double)
    answers.release = None
    assert "第一问" in fields(post(client, text_msg("第一问", msg_id="8101")).text)["Content"]  # in time: no API call
    assert double.calls == []
    answers.release = threading.Event()
    post(client, text_msg("第二问", msg_id="8102"))
    answers.release.set()
    assert double.sent.wait(10)
    double.sent.clear()
    answers.release = threading.Event()
    post(client, text_msg("第三问", msg_id="8103"))
    answers.release.set()
    assert double.sent.wait(10)
    assert [c[0] for c in double.calls].count("/cgi-bin/token") == 1
    assert [c[2]["text"]["content"][:10] for c in double.sends()] == ["关于“第二问”：请携", "关于“第三问”：请携"]


def test_without_permission_the_answer_waits_for_the_next_message(double):
    double.send_error = 48001
    answers, client = _late(double)
    post(client, text_msg("公积金怎么提取", msg_id="8201"))
    answers.release.set()
    assert double.sent.wait(10)
    content = ""
    for i in range(50):
        content = fields(post(client, text_msg("1", msg_id=f"83{i:02d}")).text)["Content"]
        if "公积金怎么提取" in content:
            break
        time.sleep(0.05)
    assert "公积金怎么提取" in content


def test_without_a_secret_nothing_is_sent(double):
    answers = FakeAnswers()
    answers.release = threading.Event()
    client = make_client(answers, wechat_reply_budget=0.2, wechat_api_base=double.url)
    r = post(client, text_msg("公积金怎么提取", msg_id="8401"))
    assert "请稍候几秒后回复任意内容" in fields(r.text)["Content"]
    answers.release.set()
    time.sleep(0.3)
    assert double.calls == []
