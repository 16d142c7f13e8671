"""The case list in the console as a team tool, in headless Chromium: an admin assigns a case to a
colleague, filters by 负责人, records 无法联系 (the case stays 待回访), and the dashboard lists overdue cases
with a link to the day's digest."""
from __future__ import annotations

import re

import pytest

from servers import NEEDS_CHROMIUM, app_server, ask, new_page, playwright_or_skip, sign_in

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect
ACCOUNTS = {"team-lead": ("admin", "team-lead-pass-1"), "team-guide": ("guide", "team-guide-pass-1")}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("teamweb"), ACCOUNTS) as url:
        yield url


def test_assign_filter_and_record_a_failed_call(browser, server):
    errors: list[str] = []
    ctx, chat = new_page(browser, server, errors, 390, 844)
    chat.goto("/")
    msg = ask(chat, "结婚登记要带什么")
    msg.get_by_test_id("rating-btn").filter(has_text=re.compile("^不满意$")).click()
    msg.get_by_test_id("rating-submit").click()
    expect(msg.get_by_test_id("rating-status")).to_contain_text("复核")

    page = ctx.new_page()
    sign_in(page, "team-lead", ACCOUNTS["team-lead"][1])
    expect(page.get_by_test_id("dash-overdue")).to_contain_text("没有超期工单")
    expect(page.get_by_test_id("digest-link")).to_have_attribute("href", "/staff/digest")

    page.get_by_test_id("nav-cases").click()
    case = page.get_by_test_id("case").first
    expect(case).to_contain_text("负责人：未分配")
    case.get_by_test_id("case-assignee").select_option("team-guide")
    case.get_by_test_id("case-assign").click()
    expect(page.get_by_test_id("case").first).to_contain_text("负责人：team-guide")

    page.get_by_test_id("c-owner").select_option("")  # 未分配: none left
    expect(page.get_by_test_id("case")).to_have_count(0)
    page.get_by_test_id("c-owner").select_option("team-guide")
    case = page.get_by_test_id("case").first
    expect(case).to_be_visible()

    case.locator(".actions input[type=text]").fill("电话无人接听")
    case.locator("[data-testid=case-outcome][data-outcome=无法联系]").click()
    case = page.get_by_test_id("case").first
    expect(case).to_contain_text("【无法联系】")
    expect(case).to_contain_text("电话无人接听")
    expect(case.locator(".status")).to_have_text("待回访")
    expect(case).not_to_contain_text("已回访")

    page.goto("/staff/digest")
    expect(page.get_by_test_id("digest")).to_contain_text("差评工单日报")
    ctx.close()
    assert not errors, errors
