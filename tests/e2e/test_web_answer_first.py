"""Answers that start with the answer, on a 390 × 844 phone: the first paragraph of an answer, and
every choice button of a clarifying question, are on screen without scrolling; item cards and sources
of a clarifying question follow collapsed.  Real server, headless Debian Chromium (skipped when absent)."""
from __future__ import annotations

import pytest

from servers import MSG, NEEDS_CHROMIUM, ask, new_page, playwright_or_skip
from test_web import server  # noqa: F401  (the live server of the chat page tests)

pytestmark = NEEDS_CHROMIUM
expect = playwright_or_skip().expect
W, H = 390, 844


@pytest.fixture
def phone(browser, server):  # noqa: F811 - the imported fixture
    errors: list[str] = []
    ctx, page = new_page(browser, server, errors, W, H)
    page.goto("/")
    expect(page.get_by_test_id("chat-input")).to_be_visible()
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _in_view(page, locator) -> bool:
    """The element's box lies inside the chat's visible area (no scrolling needed)."""
    box = locator.bounding_box()
    chat = page.locator("#chat").bounding_box()
    return box is not None and box["y"] >= chat["y"] - 1 and box["y"] + box["height"] <= chat["y"] + chat["height"] + 1


def test_the_first_paragraph_of_a_long_answer_is_on_screen(phone):
    msg = ask(phone, "结婚登记怎么办，要带什么材料")
    answer = msg.locator(".answer").first
    text = answer.inner_text()
    first = text.split("\n\n", 1)[0].strip()
    assert first and len(first) <= 130
    # the top of the answer (its first line) is visible, whatever the length of the rest
    top = phone.evaluate(
        """(el) => { const r = el.getBoundingClientRect(); const c = document.getElementById('chat').getBoundingClientRect();
                    return [r.top - c.top, c.height]; }""", answer.element_handle())
    assert 0 <= top[0] < top[1] - 60, top


def test_every_choice_of_a_clarifying_question_is_on_screen_and_the_cards_are_collapsed(phone):
    ask(phone, "离婚登记要带什么")
    msg = ask(phone, "公积金")
    expect(msg).to_have_attribute("data-kind", "clarify")
    choices = msg.locator(".chip.choice")
    n = choices.count()
    assert n >= 2
    for i in range(n):
        chip = choices.nth(i)
        assert _in_view(phone, chip), f"choice {i} ({chip.inner_text()}) is below the fold"
        assert chip.bounding_box()["height"] < 48  # one line per choice
    more = msg.get_by_test_id("clarify-more")
    expect(more).to_be_visible()
    assert more.get_attribute("open") is None  # collapsed
    assert not msg.get_by_test_id("item-card").first.is_visible()
    # a tap on a choice asks for that item
    label = choices.first.inner_text()
    before = phone.locator(MSG).count()
    choices.first.click()
    expect(phone.locator(MSG)).to_have_count(before + 1)
    answer = phone.locator(MSG).nth(before)
    expect(answer).to_have_attribute("aria-busy", "false")
    assert label
