"""Browser test of a correction's examples and history (headless Chromium, the real server and index).

A 导办员 writes a correction for 结婚登记要带什么, sees in the preview that it would also catch
我和女朋友想去领证，要带啥, excludes that question, adds 领证要几张照片 as an example, and publishes.  On the
public chat a paraphrase of the added example gets the correction and the excluded question does not.  Then the
correction is edited with a reason and the edit shows in its history.
"""
from __future__ import annotations

import re

import httpx
import pytest

from servers import NEEDS_CHROMIUM, app_server, ask, new_page, playwright_or_skip

USER, PASSWORD = "daoban", "corrections-pass-1"
QUESTION, EXCLUDED, EXAMPLE = "结婚登记要带什么", "我和女朋友想去领证，要带啥", "领证要几张照片"
FIX = "（人工更正）结婚登记请双方带本人身份证和3张2寸近期半身免冠合照。"
EDITED = "（人工更正）结婚登记请双方带本人身份证和2张2寸近期半身免冠合照。"

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("corrections"), {USER: ("guide", PASSWORD)}) as url:
        yield url


@pytest.fixture
def pages(browser, server):
    errors, contexts = [], []

    def new(path: str):
        ctx, page = new_page(browser, server, errors, 1366, 768)
        contexts.append(ctx)
        page.goto(path)
        return page

    yield new
    for ctx in contexts:
        ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _answer(pages, question: str):
    return ask(pages("/"), question).locator(".answer")


def _write_correction(staff):
    staff.get_by_test_id("nav-conversations").click()
    staff.get_by_test_id("conv-row").filter(has_text=QUESTION).first.click()
    turn = staff.get_by_test_id("turn").first
    turn.get_by_test_id("open-fix").click()
    form = turn.get_by_test_id("fix-form")
    form.get_by_test_id("fix-answer").fill(FIX)
    form.get_by_test_id("fix-reason").fill("照片张数写错")
    form.get_by_test_id("fix-preview").click()
    caught = form.get_by_test_id("fix-catch").filter(has_text=EXCLUDED)
    expect(caught).to_have_count(1)
    caught.get_by_test_id("fix-exclude").click()
    expect(form.get_by_test_id("fix-excluded")).to_contain_text(EXCLUDED)
    expect(form.get_by_test_id("fix-catch").filter(has_text=EXCLUDED)).to_have_count(0)
    form.get_by_test_id("fix-example-input").fill(EXAMPLE)
    form.get_by_test_id("fix-example-add").click()
    expect(form.get_by_test_id("fix-example")).to_contain_text(EXAMPLE)
    form.get_by_test_id("fix-save").click()
    expect(staff.get_by_test_id("toast")).to_contain_text("立即生效")


def test_exclude_a_caught_question_add_an_example_publish_and_edit_with_history(pages, server):
    expect(_answer(pages, QUESTION)).not_to_contain_text("【人工审核】")
    r = httpx.post(f"{server}/v1/chat", json={"message": EXCLUDED}, timeout=60)
    assert r.status_code == 200 and "【人工审核】" not in r.json()["answer"]

    staff = pages("/staff/login")
    staff.get_by_test_id("login-username").fill(USER)
    staff.get_by_test_id("login-password").fill(PASSWORD)
    staff.get_by_test_id("login-submit").click()
    expect(staff).to_have_url(re.compile(r"/staff$"))
    _write_correction(staff)

    # the public chat: the added example's paraphrase gets the correction, the excluded question does not
    expect(_answer(pages, "领证要带几张照片")).to_contain_text("【人工审核】" + FIX)
    expect(_answer(pages, EXCLUDED)).not_to_contain_text("【人工审核】")
    expect(_answer(pages, QUESTION)).to_contain_text("【人工审核】" + FIX)

    # edit it: a reason is required, and the edit shows in the history with the text it replaced
    staff.get_by_test_id("nav-curated").click()
    row = staff.get_by_test_id("curated-table").locator("tbody tr").filter(has_text=QUESTION)
    expect(row).to_contain_text("1 / 1")  # one example, one exclusion
    row.get_by_test_id("curated-edit-open").click()
    edit = staff.get_by_test_id("curated-edit")
    edit.get_by_test_id("curated-edit-answer").fill(EDITED)
    edit.get_by_test_id("curated-edit-save").click()
    expect(edit.get_by_test_id("curated-edit-status")).to_have_text("请写明修改理由")
    edit.get_by_test_id("curated-edit-reason").fill("照片改为2张")
    edit.get_by_test_id("curated-edit-save").click()
    expect(staff.get_by_test_id("toast")).to_contain_text("已保存修改")
    version = staff.get_by_test_id("curated-version").first
    expect(version).to_contain_text("照片改为2张")
    expect(version).to_contain_text(USER)
    expect(version).to_contain_text(FIX)
    expect(_answer(pages, QUESTION)).to_contain_text("【人工审核】" + EDITED)
