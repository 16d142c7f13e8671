"""The WeChat 客服 access token is shared by the replicas through the database: WeChat cancels the previous
token whenever a new one is fetched, so two replicas each fetching their own would keep refusing each
other's messages.  Two replicas are played by two clients made by `make_kefu` (what each app builds) on
one SQLite file, with a settable clock and a fake api.weixin.qq.com (httpx.MockTransport) that counts
token requests and accepts only the token it issued last."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import httpx

from assistant.service.wechat_kefu import make_kefu
from assistant.store.conversations import make_engine

APP_ID, SECRET = "wx0123456789abcdef", "s3cr3t-app-secret"


class FakeWeChat:
    def __init__(self, expires_in: int = 7200):
        self.expires_in = expires_in
        self.issued = 0
        self.sent: list[str] = []  # the token of every accepted message
        self.refused = 0
        self.gate: threading.Event | None = None  # when set, token requests wait for it (a slow WeChat)
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/token":
            if self.gate is not None:
                self.gate.wait(5)
            with self.lock:
                self.issued += 1
                return httpx.Response(200, json={"access_token": f"TOKEN-{self.issued}", "expires_in": self.expires_in})
        token = request.url.params["access_token"]
        with self.lock:
            if token != f"TOKEN-{self.issued}":  # only the newest token is valid
                self.refused += 1
                return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
            self.sent.append(token)
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})


class Clock:
    def __init__(self):
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def _replicas(tmp_path, wechat: FakeWeChat, clock: Clock, n: int = 2):
    settings = SimpleNamespace(wechat_app_id=APP_ID, wechat_app_secret=SECRET, wechat_api_base="https://wechat.test")
    engine_url = f"sqlite:///{tmp_path / 'shared.db'}"
    return [make_kefu(settings, make_engine(engine_url), clock=clock, transport=httpx.MockTransport(wechat))
            for _ in range(n)]


def test_two_replicas_send_with_one_token_and_renew_it_once_when_it_expires(tmp_path):
    wechat, clock = FakeWeChat(expires_in=7200), Clock()
    a, b = _replicas(tmp_path, wechat, clock)
    a.send_text("openid-1", "答案一")
    b.send_text("openid-2", "答案二")
    a.send_text("openid-3", "答案三")
    assert wechat.issued == 1 and wechat.sent == ["TOKEN-1"] * 3 and wechat.refused == 0

    clock.t += 7200 - 300 - 1  # still valid (renewed 5 minutes early)
    b.send_text("openid-2", "还是旧令牌")
    assert wechat.issued == 1
    clock.t += 2  # past the renewal time: the first replica to send fetches, the other uses its token
    b.send_text("openid-2", "新令牌")
    a.send_text("openid-1", "新令牌")
    assert wechat.issued == 2 and wechat.sent[-2:] == ["TOKEN-2", "TOKEN-2"] and wechat.refused == 0


def test_a_token_refused_on_one_replica_is_renewed_once_for_both(tmp_path):
    wechat, clock = FakeWeChat(), Clock()
    a, b = _replicas(tmp_path, wechat, clock)
    a.send_text("openid-1", "第一条")
    wechat.issued += 1  # WeChat cancelled TOKEN-1 (e.g. the secret was reset by an administrator)
    b.send_text("openid-2", "第二条")  # refused once, renewed, sent
    a.send_text("openid-1", "第三条")  # uses the renewed token straight away
    assert wechat.refused == 1 and wechat.issued == 3
    assert wechat.sent == ["TOKEN-1", "TOKEN-3", "TOKEN-3"]


def test_replicas_refreshing_at_the_same_moment_fetch_one_token(tmp_path):
    wechat, clock = FakeWeChat(), Clock()
    replicas = _replicas(tmp_path, wechat, clock, n=4)
    wechat.gate = threading.Event()
    errors: list[BaseException] = []

    def send(client, i):
        try:
            client.send_text(f"openid-{i}", "同时")
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=send, args=(c, i)) for i, c in enumerate(replicas)]
    for t in threads:
        t.start()
    threading.Timer(0.3, wechat.gate.set).start()  # WeChat answers the token request late
    for t in threads:
        t.join(20)
    assert errors == [] and wechat.issued == 1
    assert wechat.sent == ["TOKEN-1"] * 4 and wechat.refused == 0
