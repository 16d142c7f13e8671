"""Nothing acknowledged is lost: a real server (``assistant serve``) under parallel chats and
ratings is killed with SIGKILL mid-load, restarted on the same database, and every message and rating
it had answered 2xx for is there — answers in order under their questions, ratings with their value."""
from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import create_engine, text

from servers import serve

CLIENTS = 8
LOAD_SECONDS = 6.0
QUESTIONS = ["结婚登记要带什么", "身份证过期了怎么换", "公积金租房能取吗", "营业执照怎么网上办", "社保卡丢了怎么补",
             "我的手机13912345678，退休手续怎么办", "居住证怎么办", "要带什么", "在哪个窗口", "多久能办好"]


def _server(tmp_path, db_url: str, name: str):
    env = os.environ | {"ASSISTANT_DATABASE_URL": db_url, "ASSISTANT_RATE_LIMITS": "off"}
    return serve([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1"], tmp_path / f"{name}.log",
                 env=env, name=f"the {name} server")


def test_kill_9_under_load_loses_no_acknowledged_message_or_rating(tmp_path, capsys):
    db_url = f"sqlite:///{tmp_path / 'durable.db'}"
    acked_msgs: list[tuple[str, str, str]] = []   # (message_id, session_id, question)
    acked_ratings: dict[str, str] = {}            # message_id → rating
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    with _server(tmp_path, db_url, "first") as srv:
        def client(n: int) -> None:
            sid = None
            with httpx.Client(base_url=srv.url, timeout=30) as http:
                for i in range(10_000):  # bounded; ends at `stop` or when the server is gone
                    if stop.is_set():
                        return
                    q = QUESTIONS[(n + i) % len(QUESTIONS)]
                    try:
                        t0 = time.perf_counter()
                        r = http.post("/v1/chat", json={"message": q, "session_id": sid})
                        dt = time.perf_counter() - t0
                    except httpx.HTTPError:
                        return  # killed mid-request: not acknowledged
                    with lock:
                        latencies.append(dt)
                        if r.status_code != 200:
                            errors.append(f"chat {r.status_code}")
                            continue
                    body = r.json()
                    sid = body["session_id"] if i % 4 else None  # new conversations now and then
                    with lock:
                        acked_msgs.append((body["message_id"], body["session_id"], q))
                    if i % 2 == 0:
                        rating = ["非常满意", "满意", "不满意"][i % 3]
                        try:
                            t0 = time.perf_counter()
                            fr = http.post("/v1/feedback", json={"message_id": body["message_id"], "rating": rating,
                                                                 "rating_token": body["rating_token"]})
                            dt = time.perf_counter() - t0
                        except httpx.HTTPError:
                            return
                        with lock:
                            latencies.append(dt)
                            if fr.status_code in (200, 201):
                                acked_ratings[body["message_id"]] = rating
                            else:
                                errors.append(f"feedback {fr.status_code}")

        pool = ThreadPoolExecutor(max_workers=CLIENTS)
        futures = [pool.submit(client, n) for n in range(CLIENTS)]
        time.sleep(LOAD_SECONDS)
        srv.proc.kill()  # SIGKILL while requests are in flight
        srv.proc.wait()
        stop.set()
        for f in futures:
            f.result(timeout=60)
        pool.shutdown()

    assert len(acked_msgs) >= CLIENTS, "the load never got going"
    with _server(tmp_path, db_url, "restarted") as srv:
        assert httpx.get(srv.url + "/healthz").status_code == 200
        mid, sid, _ = acked_msgs[-1]
        follow = httpx.post(srv.url + "/v1/chat", json={"message": "要带什么", "session_id": sid}, timeout=30)
        assert follow.status_code == 200

    lost = 0
    with create_engine(db_url).connect() as db:
        for mid, sid, q in acked_msgs:
            row = db.execute(text("select conversation_id, seq, role from messages where id = :m"), {"m": mid}).first()
            if row is None or row.conversation_id != sid or row.role != "assistant":
                lost += 1
                continue
            asked = db.execute(text("select text, role from messages where conversation_id = :s and seq = :n"),
                               {"s": sid, "n": row.seq - 1}).first()
            if asked is None or asked.role != "user" or "13912345678" in asked.text:
                lost += 1
        for mid, rating in acked_ratings.items():
            got = db.execute(text("select rating from feedback where message_id = :m"), {"m": mid}).scalar()
            lost += got != rating
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) >= 20 else max(latencies) * 1000
    with capsys.disabled():
        print(f"\n[durability] requests={len(latencies)} acknowledged messages={len(acked_msgs)} "
              f"ratings={len(acked_ratings)} p95={p95:.0f} ms errors={len(errors)} rows lost after kill -9={lost}")
    assert errors == []
    assert lost == 0
