"""`/docs` renders on an offline intranet: every request the page makes stays on 127.0.0.1.

FastAPI's default Swagger UI page loads its JavaScript and CSS from a CDN and is blank offline.  This test
serves the real app, opens /docs in headless Debian Chromium with every request to any other host
aborted, and checks that Swagger UI drew the API: its title and the /v1/chat operation.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from servers import NEEDS_CHROMIUM, app_server, new_page, playwright_or_skip

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect


def test_docs_render_with_the_network_blocked(browser, tmp_path):
    with app_server(tmp_path) as url:
        errors: list[str] = []
        ctx, page = new_page(browser, url, errors, 1280, 900)
        local, blocked = [], []

        def only_loopback(route):
            url = route.request.url
            if urlsplit(url).hostname == "127.0.0.1":
                local.append(url)
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        ctx.route("**/*", only_loopback)
        try:
            page.goto("/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("导办助手 API")
            chat = page.locator(".opblock-summary-path", has_text="/v1/chat").first
            expect(chat).to_be_visible()
            chat.click()  # an operation opens with its parameters: the UI's scripts work, not just the HTML
            expect(page.locator(".opblock-body").first).to_be_visible()
            page.screenshot(path=str(tmp_path / "docs.png"))
        finally:
            ctx.close()
    assert not blocked, f"/docs tried to leave the machine: {blocked}"
    assert any("/docs-static/swagger-ui-bundle.js" in u for u in local)
    assert any(u.endswith("/openapi.json") for u in local)
    assert not errors, f"JavaScript errors on /docs: {errors}"
