"""The outermost layer of the HTTP app: what every request passes before any route sees it.

* **Body size, before reading**: ``Content-Length`` over the limit → 413 at once; a chunked body is read
  only up to the limit (then 413), never whole.  64 KB on public routes (``ASSISTANT_MAX_BODY_BYTES``),
  1 MB under ``/staff`` (the hit test takes a 200-question batch).  A 200 MB ``/v1/chat`` body costs no
  memory.
* **Readable input**: a JSON or form body that is not UTF-8 → 400 ``请求体不是合法的 UTF-8 编码``; JSON
  nested deeper than 64 levels (``[[[[…``) → 400 ``请求体嵌套层数过多``; NUL or another control character
  (anything below U+0020 except tab, CR, LF, and U+007F) in a string of the body or in the query string →
  422 ``请求包含不允许的控制字符``.  PostgreSQL never sees a NUL byte (it would answer with an error).
* **Security headers** on every response: ``Content-Security-Policy`` (scripts only from this server, plus
  the one inline script of the sign-in page by hash; ``frame-ancestors 'self'`` — on the chat page ``/``
  also the sites of ``ASSISTANT_EMBED_ORIGINS``, the one setting for who may frame the chat, see
  widget.py), ``X-Frame-Options: SAMEORIGIN`` (not on a page other origins may frame),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: strict-origin-when-cross-origin``.  ``/docs`` and
  ``/redoc`` send the same CSP with the hash of their own inline script (offline_docs.py).
* **Per-IP rate limit** on the public routes (``/v1``, ``/a``, the chat page); ``/wechat`` is limited per
  follower instead (all its requests come from WeChat's servers) and ``/staff`` by its sign-in.

``install_access_log_filter`` makes uvicorn's access log record masked paths: query strings pass through
`normalize.mask_pii`, and ``/wechat`` is logged without its (signed) query string.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.concurrency import run_in_threadpool

from assistant.core.text.normalize import mask_pii
from assistant.web.errors import error_bytes
from assistant.web.errors import rate_limited_body  # noqa: F401  (importable from here too)
from assistant.web.ratelimit import Limiter, RateLimited, client_ip

MAX_DEPTH = 64
STAFF_BODY_BYTES = 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


class BadInput(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def has_control(text: str) -> bool:
    return bool(_CONTROL.search(text))


def check_value(value: Any) -> None:
    """Walk a parsed JSON value without recursion; refuse control characters and deep nesting."""
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadInput(400, "invalid_request", "请求体嵌套层数过多")
        if isinstance(v, str):
            if has_control(v):
                raise BadInput(422, "invalid_request", "请求包含不允许的控制字符（如 NUL），请删除后重试")
        elif isinstance(v, dict):
            stack.extend((k, depth + 1) for k in v.keys())
            stack.extend((x, depth + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)


def _nesting(raw: str) -> int:
    """The deepest bracket nesting of a JSON text (outside strings), measured without parsing."""
    depth = best = 0
    in_str = esc = False
    for ch in raw:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > best:
                best = depth
                if best > MAX_DEPTH:
                    return best
        elif ch in "]}":
            depth -= 1
    return best


def check_body(body: bytes, content_type: str) -> None:
    ct = content_type.split(";")[0].strip().lower()
    if not body or ct not in ("application/json", "application/x-www-form-urlencoded") and not ct.endswith("+json"):
        return
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(400, "invalid_encoding", "请求体不是合法的 UTF-8 编码，请以 UTF-8 发送") from None
    if ct == "application/x-www-form-urlencoded":
        check_value([v for pair in parse_qsl(text, keep_blank_values=True) for v in pair])
        return
    if _nesting(text) > MAX_DEPTH:
        raise BadInput(400, "invalid_request", "请求体嵌套层数过多")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return  # the route answers malformed JSON in its own words
    check_value(value)


def script_hash(script: str) -> str:
    """The CSP source expression that lets exactly this inline script run."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def inline_script_hashes(html: str) -> list[str]:
    return [script_hash(s) for s in _INLINE_SCRIPT.findall(html)]


def content_security_policy(script_hashes: list[str], frame_ancestors: list[str] = (), extra: str = "") -> str:
    """The one CSP of this server.  ``frame-ancestors 'self'`` plus ``frame_ancestors`` (the embedding
    origins, ``ASSISTANT_EMBED_ORIGINS``) — exactly one frame-ancestors directive."""
    ancestors = " ".join(["'self'", *frame_ancestors])
    return ("default-src 'self'; " + " ".join(["script-src 'self'", *sorted(set(script_hashes))]) + "; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
            f"base-uri 'none'; form-action 'self'; {extra}frame-ancestors {ancestors}")


def security_headers(frame_ancestors: list[str], web_dir: Path) -> list[tuple[bytes, bytes]]:
    """Headers for a page that ``frame_ancestors`` (other origins) may frame; none: only this server's own
    pages may frame it (``frame-ancestors 'self'``, ``X-Frame-Options: SAMEORIGIN``)."""
    hashes = [h for page in web_dir.glob("*.html") for h in inline_script_hashes(page.read_text(encoding="utf-8"))]
    csp = content_security_policy(hashes, frame_ancestors)
    headers = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"strict-origin-when-cross-origin")]
    if not frame_ancestors:  # X-Frame-Options cannot name other origins: sent only when nobody else may frame
        headers.append((b"x-frame-options", b"SAMEORIGIN"))
    return headers


class Guard:
    """Pure ASGI middleware (wraps the whole app, including mounted static files)."""

    def __init__(self, app, settings: Any, limiter: Limiter, web_dir: Path):
        self.app = app
        self.settings = settings
        self.limiter = limiter
        self.max_body = int(getattr(settings, "max_body_bytes", 64 * 1024))
        from assistant.web.routes.widget import FRAMED_PATHS, check_origins

        origins = check_origins(list(getattr(settings, "embed_origins", []) or []))
        self.headers = security_headers([], web_dir)  # every response: framable only by this server
        self.framed_paths = FRAMED_PATHS  # the chat page: also by the embedding sites (the widget)
        self.framed_headers = security_headers(origins, web_dir)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        ours = self.framed_headers if scope.get("path", "") in self.framed_paths else self.headers

        async def send_with_headers(message):
            if message["type"] == "http.response.start":  # a route's own CSP (/docs) is kept
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in ours if k not in present]
            await send(message)

        async def reply(refusal: tuple) -> None:
            status, headers, body = refusal
            await send_with_headers({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        path: str = scope.get("path", "")
        openai = path.startswith("/v1/chat/completions")
        refused = self._check_query(scope, openai) or await self._check_rate(scope, path, openai)
        if refused is not None:
            return await reply(refused)
        if scope.get("method") not in ("POST", "PUT", "PATCH", "DELETE"):
            return await self.app(scope, receive, send_with_headers)
        refused, body = await self._read_body(scope, receive, path, openai)
        if refused == "disconnected":
            return
        if refused is not None:
            return await reply(refused)
        return await self.app(scope, _replay(body, receive), send_with_headers)

    @staticmethod
    def _check_query(scope, openai: bool) -> tuple | None:
        """400 for a query string that is not UTF-8, 422 for a control character in the path or query."""
        path: str = scope.get("path", "")
        try:
            query = scope.get("query_string", b"").decode("utf-8")
        except UnicodeDecodeError:
            return error_bytes(400, "invalid_encoding", "查询参数不是合法的 UTF-8 编码", openai=openai)
        if has_control(path) or (query and has_control(unquote_plus(query))):
            return error_bytes(422, "invalid_request", "请求包含不允许的控制字符（如 NUL），请删除后重试", openai=openai)
        return None

    async def _check_rate(self, scope, path: str, openai: bool) -> tuple | None:
        """429 when this address asked too often (public routes only; see the module docstring)."""
        if not self.limiter.enabled or path.startswith(("/staff", "/wechat", "/healthz")):
            return None
        from starlette.requests import Request

        ip = client_ip(Request(scope), list(getattr(self.settings, "trusted_proxies", []) or []))
        try:
            await run_in_threadpool(self.limiter.hit, "ip", ip)
        except RateLimited as e:
            return rate_limited_body(e, openai)
        return None

    async def _read_body(self, scope, receive, path: str, openai: bool) -> tuple[tuple | str | None, bytes]:
        """(refusal or None, body): at most the limit is read, whatever the client announced; then the
        body's encoding, nesting and control characters are checked.  ``"disconnected"``: nothing to send."""
        limit = STAFF_BODY_BYTES if path.startswith("/staff") else self.max_body
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        too_big = error_bytes(413, "payload_too_large", f"请求体过大，最多 {limit // 1024} KB", openai=openai)
        try:
            if int(headers.get(b"content-length", b"0") or 0) > limit:
                return too_big, b""
        except ValueError:
            return error_bytes(400, "invalid_request", "Content-Length 不正确", openai=openai), b""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return "disconnected", b""
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return too_big, b""
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            await run_in_threadpool(check_body, body, headers.get(b"content-type", b"").decode("latin-1"))
        except BadInput as e:
            return error_bytes(e.status, e.code, e.message, openai=openai), body
        return None, body


def _replay(body: bytes, receive):
    """The app's ``receive``: the body already read, once; then whatever the client sends next."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _AccessLogFilter(logging.Filter):
    """uvicorn.access records ``(client, method, path?query, http_version, status)``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], safe_log_path(args[2]), *args[3:])
        return True


def safe_log_path(full_path: str) -> str:
    """``/v1/search?q=我的手机13912345678`` → ``/v1/search?q=我的手机139****5678``;
    ``/wechat?signature=…&nonce=…`` → ``/wechat`` (a logged signed URL must not be replayable)."""
    path, _, query = full_path.partition("?")
    if path.startswith("/wechat") or not query:
        return path
    return f"{path}?{mask_pii(unquote_plus(query))}"


def install_access_log_filter() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _AccessLogFilter) for f in logger.filters):
        logger.addFilter(_AccessLogFilter())
