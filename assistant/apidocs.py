"""`/docs` without the internet: Swagger UI served from the `swagger-ui-bundle-v2` package.

FastAPI's default `/docs` page loads swagger-ui-bundle.js and its CSS from a CDN, so on a service
centre's offline intranet it stays blank.  Here the same page is built by FastAPI's own
`get_swagger_ui_html`, pointed at the files of the Swagger UI release that `swagger-ui-bundle-v2`
ships inside its wheel (Apache-2.0, e.g. .../swagger_ui_bundle/vendor/swagger-ui-5.31.0/), mounted
at `/docs/assets/`.  ReDoc (also CDN-only) is switched off in `create_app`.
"""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def swagger_ui_dir():
    from swagger_ui_bundle import swagger_ui_path

    return swagger_ui_path


def add_offline_docs(app: FastAPI) -> None:
    """Register `GET /docs` (Swagger UI of `app.openapi_url`) and its static assets on `app`;
    create the app with `docs_url=None, redoc_url=None` so FastAPI's CDN pages are not added."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_dir())), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — 接口文档",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
