"""批量核对 in the console, in headless Chromium: select the answers about one item, tick them all,
mark them 回答正确 at once, and download the selection as an Excel file."""
from __future__ import annotations

import io

import pytest

from servers import NEEDS_CHROMIUM, app_server, ask, new_page, playwright_or_skip, sign_in

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect
USER, PASSWORD = "bulk-guide", "bulk-guide-pass-1"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("bulkweb"), {USER: ("guide", PASSWORD)}) as url:
        yield url


def test_select_mark_correct_and_export(browser, server):
    errors: list[str] = []
    ctx, page = new_page(browser, server, errors, 1366, 768)
    for q in ("结婚登记要带什么", "领结婚证在哪个窗口", "公积金租房能取吗"):  # three separate conversations
        ctx2, chat = new_page(browser, server, errors, 390, 844)
        chat.goto("/")
        ask(chat, q)
        ctx2.close()

    sign_in(page, USER, PASSWORD)
    page.get_by_test_id("nav-bulk").click()
    expect(page.get_by_test_id("bulk-row")).to_have_count(3)
    page.get_by_test_id("b-item").fill("结婚登记")
    page.get_by_test_id("bulk-search").click()
    rows = page.get_by_test_id("bulk-row")
    expect(rows).to_have_count(2)
    page.get_by_test_id("bulk-all").check()
    page.get_by_test_id("bulk-mark").click()
    expect(page.get_by_test_id("bulk-status")).to_contain_text("已标记 2 条")
    expect(page.get_by_test_id("bulk-row")).to_have_count(0)  # the view shows 未核对 ones: none left for 结婚登记

    page.get_by_test_id("b-review").select_option("correct")
    page.get_by_test_id("bulk-search").click()
    expect(page.get_by_test_id("bulk-row")).to_have_count(2)
    with page.expect_download() as dl:
        page.get_by_test_id("bulk-export").click()
    data = open(dl.value.path(), "rb").read()
    from openpyxl import load_workbook
    rows = list(load_workbook(io.BytesIO(data))["回答"].values)
    assert len(rows) == 3 and {r[7] for r in rows[1:]} == {"正确"}
    ctx.close()
    assert not errors, errors
