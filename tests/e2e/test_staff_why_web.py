"""The staff trace speaks Chinese first: an answer opened in the console leads with one sentence on
why (按别名「领证」匹配到「结婚登记」…), the rules by their Chinese labels, the evidence; the scores (BM25, 向量)
only folded away for admins — a 导办员 (guide) does not see them."""
from __future__ import annotations


import pytest

from servers import NEEDS_CHROMIUM, app_server, ask, new_page, playwright_or_skip, sign_in

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect
ACCOUNTS = {"why-admin": ("admin", "why-admin-pass-1"), "why-guide": ("guide", "why-guide-pass-1")}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("why"), ACCOUNTS) as url:
        yield url


def _open_turn(browser, server, user):
    errors: list[str] = []
    ctx, page = new_page(browser, server, errors, 1366, 768)
    sign_in(page, user, ACCOUNTS[user][1])
    page.get_by_test_id("nav-conversations").click()
    page.get_by_test_id("conv-row").filter(has_text="领证").first.click()
    turn = page.get_by_test_id("turn").first
    expect(turn).to_be_visible()
    return ctx, page, turn, errors


@pytest.mark.parametrize("user", list(ACCOUNTS))
def test_trace_leads_with_a_plain_sentence(browser, server, user):
    chat_ctx, chat = new_page(browser, server, [], 390, 844)
    chat.goto("/")
    ask(chat, "我和女朋友想去领证，要带啥")
    chat_ctx.close()

    ctx, page, turn, errors = _open_turn(browser, server, user)
    why = turn.get_by_test_id("trace-why")
    expect(why).to_contain_text("为什么这样回答")
    expect(why).to_contain_text("领证")
    expect(why).to_contain_text("结婚登记")
    expect(why).to_contain_text("材料")
    labels = turn.get_by_test_id("rule-label").all_inner_texts()
    assert labels and not any("rule:" in t for t in labels), labels
    expect(turn.get_by_test_id("trace-citation").first).to_be_visible()
    # the sentence comes before the evidence and the scores
    order = turn.evaluate("""n => [...n.querySelectorAll('[data-testid=trace-why], [data-testid=trace-citation], [data-testid=trace]')]
                               .map(e => e.dataset.testid)""")
    assert order[0] == "trace-why", order
    if ACCOUNTS[user][0] == "admin":
        scores = turn.get_by_test_id("trace")
        expect(scores.get_by_test_id("trace-retrieved")).to_be_hidden()  # folded
        scores.locator("summary").click()
        expect(scores.get_by_test_id("trace-retrieved")).to_be_visible()
    else:
        expect(turn.get_by_test_id("trace")).to_have_count(0)
        assert "BM25" not in turn.inner_text()
    ctx.close()
    assert not errors, errors
