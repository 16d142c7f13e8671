"""The chat trace is masked once (`normalize.mask_trace`) and stored as it would be if the store masked
it again (`conversations.stored_trace`): no personal number is stored, including in the text of values
that are not JSON, and a text that masking would still change (two e-mails run together) is masked
again as before."""
from __future__ import annotations

import json
from datetime import date

from assistant.core.text.normalize import MaskedTrace, mask_deep, mask_pii, mask_trace
from assistant.store.conversations import stored_trace


class Note:
    def __str__(self) -> str:
        return "回访电话 13912345678"


def twice(raw: dict) -> dict:
    """How a chat trace was stored before: masked by the chat service, then again by the store."""
    return mask_deep(json.loads(json.dumps(mask_deep(raw), ensure_ascii=False, default=str)))


def raw_trace(asked: str) -> dict:
    return {"query": asked, "rules": ("rule:guide", "rule:lead"), "items": [{"name": "结婚登记", "score": 0.9}],
            "note": Note(), "day": date(2026, 3, 2), "retrieved": [{"text": "咨询电话：0527-80001104（示例）"}],
            "ids": {"1": ["guide/id-card#fee"]}, "empty": "", "n": None}


def test_a_masked_trace_is_stored_as_masking_it_twice_stored_it():
    raw = raw_trace("我手机13912345678，身份证320102199001011234，邮箱 zhang.san@qq.com")
    masked = mask_trace(raw)
    assert isinstance(masked, MaskedTrace) and masked.idempotent
    assert masked == mask_deep(raw)  # what the answer's debug trace and the metrics see is unchanged
    stored = stored_trace(masked)
    assert stored == twice(raw)
    text = json.dumps(stored, ensure_ascii=False)
    for number in ("13912345678", "320102199001011234", "zhang.san", "80001104"):
        assert number not in text
    assert stored["note"] == "回访电话 139****5678"  # the text of a value that is not JSON is masked too


def test_a_text_that_masks_differently_a_second_time_is_masked_again():
    raw = raw_trace("x@qq.comx9@qq.com 联系我")
    assert mask_pii(mask_pii(raw["query"])) != mask_pii(raw["query"])
    masked = mask_trace(raw)
    assert not masked.idempotent
    assert stored_trace(masked) == twice(raw)


def test_an_unmarked_trace_is_masked_by_the_store():
    raw = raw_trace("电话 139-1234-5678")
    assert stored_trace(raw) == mask_deep(json.loads(json.dumps(raw, ensure_ascii=False, default=str)))
    assert "1234-5678" not in json.dumps(stored_trace(raw), ensure_ascii=False)


def test_texts_without_three_digits_in_a_row_or_an_at_sign_are_only_digit_folded():
    for text in ("第１２条", "2024年7月1日起施行", "12-34-56", "结婚登记", "", "１2　３4"):
        assert mask_pii(text) == text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
