"""`assistant serve --workers N`: each worker's embedding gets its share of the cores (OpenMP threads),
and the listening socket uvicorn binds for the workers is marked TCP, so asyncio turns Nagle off
(TCP_NODELAY) on every connection; without it each keep-alive request after the first waited ~40 ms
for the client's delayed ACK (uvicorn issue 3149)."""
from __future__ import annotations

import asyncio
import os
import socket

from uvicorn.config import Config

from assistant.web.serving import _tcp_listener
from servers import run_async


def nodelay_of_an_accepted_connection(listener: socket.socket) -> int:
    listener.listen()
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport):
            seen.append(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def run():
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()

    run_async(run)
    return seen[0]


def test_the_workers_listening_socket_gives_connections_tcp_nodelay():
    _tcp_listener()
    _tcp_listener()  # a second call does not wrap twice
    sock = Config(app=lambda *a: None, host="127.0.0.1", port=0).bind_socket()
    assert sock.proto == socket.IPPROTO_TCP and sock.get_inheritable()
    assert nodelay_of_an_accepted_connection(sock) == 1


def test_a_listener_bound_with_proto_zero_leaves_nagle_on():
    """What uvicorn 0.54 does without the fix (if it ever changes, `_tcp_listener` can go)."""
    sock = socket.socket(socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    assert nodelay_of_an_accepted_connection(sock) == 0


def test_the_embedding_threads_share_the_cores_between_workers(monkeypatch):
    from assistant.web.serving import embed_threads, omp_threads

    assert [omp_threads(w, 2) for w in (1, 2, 3)] == [2, 1, 1]
    assert omp_threads(2, 8) == 4
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    embed_threads(2)
    assert os.environ["OMP_NUM_THREADS"] == "3"  # the operator's setting wins
    monkeypatch.delenv("OMP_NUM_THREADS")
    embed_threads(64)
    assert os.environ["OMP_NUM_THREADS"] == "1"
