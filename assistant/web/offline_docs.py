"""`/docs` and `/redoc` without the internet.  FastAPI's pages load Swagger UI and ReDoc from a CDN,
which a government intranet cannot reach (the page stays blank).  The same assets ship inside the
`fastapi-offline` wheel; `install(app)` serves them under `/docs-static/` and points both pages there.

Both pages send the server's one Content-Security-Policy (guard.content_security_policy) plus the SHA-256 of
their own inline script (Swagger UI's start-up script), computed from the generated HTML, and
``worker-src 'self' blob:`` (ReDoc's search runs in a blob worker).  Other pages are not loosened: the
guard keeps a route's own CSP and adds its default to every other response."""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from assistant.web.guard import content_security_policy, inline_script_hashes

STATIC = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs-static"


def install(app: FastAPI) -> None:
    docs, redoc = app.docs_url, app.redoc_url
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) not in (docs, redoc)]
    app.mount(PREFIX, StaticFiles(directory=STATIC), name="docs-static")
    title = f"{app.title} — 接口文档"

    def with_csp(page: HTMLResponse) -> HTMLResponse:
        html = page.body.decode("utf-8")
        csp = content_security_policy(inline_script_hashes(html), extra="worker-src 'self' blob:; ")
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})

    if docs:
        swagger = with_csp(get_swagger_ui_html(openapi_url=app.openapi_url, title=title,
                                               swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                               swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                               swagger_favicon_url=f"{PREFIX}/favicon.png",
                                               oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url))

        @app.get(docs, include_in_schema=False)
        def swagger_ui():
            return HTMLResponse(swagger.body, headers={"Content-Security-Policy": swagger.headers["content-security-policy"]})

    if redoc:
        redoc_page = with_csp(get_redoc_html(openapi_url=app.openapi_url, title=title,
                                             redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                                             redoc_favicon_url=f"{PREFIX}/favicon.png", with_google_fonts=False))

        @app.get(redoc, include_in_schema=False)
        def redoc_ui():
            return HTMLResponse(redoc_page.body, headers={"Content-Security-Policy": redoc_page.headers["content-security-policy"]})
