"""The chat on any government website: one ``<script src="https://<assistant>/widget.js"></script>``.

* ``GET /widget.js`` — assistant/web/widget.js with the centre's name and colours (corpus/centre.yaml
  ``名称``/``简称``/``配色``) filled in.  It adds a floating 导办 button in a shadow root (the host's CSS
  cannot reach it) that opens the chat page (``/?embed=1``, the same page as ``/``) in a sandboxed iframe.
  ``data-label``, ``data-position="left|right"`` and ``data-open="true"`` on the script tag adjust it.
* ``GET /centre.css`` — the same colours as CSS variables for the chat page.
* Who may frame the chat: ``ASSISTANT_EMBED_ORIGINS`` (e.g. ``["https://www.suqian.gov.cn"]``) becomes
  ``frame-ancestors 'self' <origins>`` in the chat page's Content-Security-Policy (sent by guard.Guard,
  the one place that writes the header), so a page on any other origin gets a blocked frame; unset, only
  this server may frame it.  The API's CORS allow-list follows the same setting (see app.py).
"""
from __future__ import annotations

import json
import re

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from assistant.config import Settings
from assistant.core.corpus.schema import load_centre

from assistant.web import STATIC as WEB  # noqa: E402
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?/?$")
PLACEHOLDER = "/*CONFIG*/{}"
FRAMED_PATHS = ("/",)  # the chat page; the staff console is never meant to be framed by other sites


def check_origins(origins: list[str]) -> list[str]:
    """`https://host[:port]` only: anything else (a path, a wildcard, a space or ';') would corrupt the
    frame-ancestors header, so it stops the server with the entry named."""
    bad = [o for o in origins if not ORIGIN.match(o)]
    if bad:
        raise ValueError(f"ASSISTANT_EMBED_ORIGINS 只能写 https://域名[:端口]（不带路径和通配符）：{bad}")
    return [o.rstrip("/") for o in origins]


def widget_router(settings: Settings) -> APIRouter:
    """``/widget.js`` and ``/centre.css``, rendered once from centre.yaml when the app starts."""
    check_origins(settings.embed_origins)  # frame-ancestors itself is sent by guard.Guard
    centre = load_centre(settings.corpus_dir / "centre.yaml")
    config = {"name": centre.name, "short_name": centre.short_name, "color": centre.theme.main,
              "dark": centre.theme.dark}
    source = (WEB / "widget.js").read_text(encoding="utf-8")
    script = source.replace(PLACEHOLDER, json.dumps(config, ensure_ascii=False), 1)
    css = f":root {{ --brand: {centre.theme.main}; --brand-dark: {centre.theme.dark}; --user: {centre.theme.main}; }}\n"
    router = APIRouter(include_in_schema=False)

    @router.get("/widget.js")
    def widget():
        return Response(script, media_type="application/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300"})

    @router.get("/centre.css")
    def centre_css():
        return Response(css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "public, max-age=300"})

    return router


def install(app: FastAPI, settings: Settings) -> None:
    app.include_router(widget_router(settings))
