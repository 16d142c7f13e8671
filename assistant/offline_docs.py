"""`/docs` and `/redoc` without the internet.  FastAPI's pages load Swagger UI and ReDoc from a CDN,
which a government intranet cannot reach (the page stays blank).  The same assets ship inside the
`fastapi-offline` wheel; `install(app)` serves them under `/docs-static/` and points both pages there."""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

STATIC = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs-static"


def install(app: FastAPI) -> None:
    docs, redoc = app.docs_url, app.redoc_url
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) not in (docs, redoc)]
    app.mount(PREFIX, StaticFiles(directory=STATIC), name="docs-static")
    title = f"{app.title} — 接口文档"

    if docs:
        @app.get(docs, include_in_schema=False)
        def swagger_ui():
            return get_swagger_ui_html(openapi_url=app.openapi_url, title=title,
                                       swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                       swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                       swagger_favicon_url=f"{PREFIX}/favicon.png",
                                       oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url)

    if redoc:
        @app.get(redoc, include_in_schema=False)
        def redoc_ui():
            return get_redoc_html(openapi_url=app.openapi_url, title=title,
                                  redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                                  redoc_favicon_url=f"{PREFIX}/favicon.png", with_google_fonts=False)
