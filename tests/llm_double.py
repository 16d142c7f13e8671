"""TEST DOUBLE: a tiny local OpenAI-compatible chat server for the LLM-phrasing tests.

It is not a language model.  It answers ``POST /v1/chat/completions`` from the evidence in the prompt
that ``assistant/llm.py`` sends (lines ``[n] title section：text``), and the ``model`` name of the
request selects how it behaves:

* ``good``          a faithful rewrite: the first clause of each piece of evidence, with its [n]
* ``invent-fee``    the faithful rewrite plus an invented fee sentence ("办理需缴纳工本费200元[1]。")
* ``bad-citation``  the faithful rewrite with every marker replaced by [99]
* ``hang``          sleeps far longer than any test timeout before answering
* ``error``         HTTP 500 with an OpenAI-shaped error body

``GET /requests`` returns the request bodies received (newest last), ``GET /health`` says ok.

Run: ``python tests/llm_double.py --port 8765`` (loopback only).
"""
from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_SECONDS = 30
FEE_SENTENCE = "办理需缴纳工本费200元[1]。"
_EVIDENCE = re.compile(r"^\[(\d+)\] (.*?)(?=^\[\d+\] |\Z)", re.M | re.S)
_ENUM = re.compile(r"^\s*\d{1,2}[.、]\s*")

_requests: list[dict] = []
_lock = threading.Lock()


def evidence_of(prompt: str) -> list[tuple[int, str]]:
    """(n, text) of each numbered piece of evidence in the user prompt."""
    block = prompt.split("编号证据：", 1)[-1].split("参考答案", 1)[0]
    out = []
    for m in _EVIDENCE.finditer(block):
        body = m.group(2).strip()
        text = body.split("：", 1)[1] if "：" in body else body
        out.append((int(m.group(1)), text))
    return out


def faithful(prompt: str, limit: int = 3) -> str:
    """The first clause of each piece of evidence, copied word for word, with its [n]."""
    lines = []
    for n, text in evidence_of(prompt)[:limit]:
        clause = next((c for c in re.split(r"[。；;\n]", text) if c.strip()), "")
        clause = _ENUM.sub("", clause).strip(" ，,：:")
        if clause:
            lines.append(f"{clause}[{n}]。")
    return "\n".join(lines) or "请参考以上材料[1]。"


def reply_for(model: str, prompt: str) -> str:
    text = faithful(prompt)
    if model == "invent-fee":
        return f"{text}\n{FEE_SENTENCE}"
    if model == "bad-citation":
        return re.sub(r"\[\d+\]", "[99]", text)
    return text


class Handler(BaseHTTPRequestHandler):
    server_version = "llm-test-double/1"

    def log_message(self, *args):  # quiet
        pass

    def _json(self, status: int, obj) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self._json(200, {"status": "ok", "double": True})
        if self.path == "/requests":
            with _lock:
                return self._json(200, {"requests": list(_requests)})
        return self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        with _lock:
            _requests.append(body)
            del _requests[:-50]
        model = body.get("model", "good")
        if model == "error":
            return self._json(500, {"error": {"message": "test double: simulated server error",
                                              "type": "server_error", "param": None, "code": None}})
        if model == "hang":
            time.sleep(HANG_SECONDS)
        prompt = "\n".join(m.get("content") or "" for m in body.get("messages", [])
                           if m.get("role") == "user" and isinstance(m.get("content"), str))
        content = reply_for(model, prompt)
        self._json(200, {
            "id": f"chatcmpl-double-{len(_requests)}", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt), "completion_tokens": len(content),
                      "total_tokens": len(prompt) + len(content)},
        })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
