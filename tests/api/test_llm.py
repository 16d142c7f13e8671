"""Optional LLM phrasing through the HTTP API: the model only rewords the answer; a sentence its cited
texts do not back (an invented fee) is dropped, and unknown citations, a hanging or failing model give
the extractive answer.

The model is `tests/llm_double.py`, a TEST DOUBLE: a small local OpenAI-compatible server started here
as a subprocess on a free loopback port; its `model` name picks its behaviour (good, invent-fee,
bad-citation, hang, error).  The assistant reaches it through `langchain-openai`, exactly as it would
reach a real endpoint.
"""
from __future__ import annotations

import re
import sys
import time
from types import SimpleNamespace

import httpx
import pytest

from servers import ROOT, free_port, serve

pytest.importorskip("langchain_openai", reason="LLM phrasing needs pip install -e '.[llm]'")

from assistant.core.compose import SAMPLE_NOTE  # noqa: E402
from assistant.core.phrase import check_answer, claim_numbers, cn_to_int, make_phraser, split_sentences  # noqa: E402
from assistant.core.text.normalize import mask_pii  # noqa: E402

DOUBLE = ROOT / "tests" / "llm_double.py"
Q = "结婚登记要带什么"
TIMEOUT = 1.0


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    """The test double's base URL (…/v1)."""
    with serve([sys.executable, str(DOUBLE)], tmp_path_factory.mktemp("llm") / "double.log", ready="/health",
               timeout=30, name="the LLM test double") as srv:
        yield srv.url


def _client(settings, index, tmp_path, base_url: str, model: str, timeout: float = TIMEOUT):
    from fastapi.testclient import TestClient

    from assistant.web.app import create_app
    from assistant.core.assistant import Assistant
    from assistant.store.conversations import SessionStore

    llm = settings.model_copy(update={"llm_base_url": f"{base_url}/v1", "llm_model": model, "llm_timeout": timeout})
    phraser = make_phraser(llm)
    assert phraser is not None
    store = SessionStore(f"sqlite:///{tmp_path / f'{model}.db'}")
    from tests.conftest import as_staff

    return as_staff(TestClient(create_app(settings, Assistant(index, phraser=phraser), store)))


def _ask(settings, index, tmp_path, base_url, model, message=Q, timeout=TIMEOUT):
    with _client(settings, index, tmp_path, base_url, model, timeout) as c:
        t0 = time.monotonic()
        r = c.post("/v1/chat?debug=true", json={"message": message})
        elapsed = time.monotonic() - t0
    assert r.status_code == 200, r.text
    return r.json(), elapsed


@pytest.fixture(scope="module")
def extractive(assistant):
    """The grounded extractive answer to Q (no phraser)."""
    return assistant.answer(Q).answer


def _markers_resolve(body) -> set[int]:
    cited = {c["n"] for c in body["citations"]}
    used = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert used and used <= cited, f"{used - cited} do not resolve"
    return used


# ---------------------------------------------------------------- through the HTTP API

def test_good_model_phrases_the_answer_with_resolving_citations(settings, index, tmp_path, double, extractive):
    body, _ = _ask(settings, index, tmp_path, double, "good", "我电话13812345678，结婚登记要带什么")
    t = body["trace"]
    assert t["answer_by"] == "llm:good"
    assert t["llm"]["used"] is True and t["llm"]["reason"] == "ok" and t["llm"]["dropped"] == []
    assert body["answer"] != extractive
    _markers_resolve(body)
    assert "居民身份证" in body["answer"]
    assert body["answer"].rstrip().endswith(SAMPLE_NOTE)  # the sample-data note survives the rewrite
    assert body["items"][0]["name"] == "结婚登记"

    # the model was given only the numbered evidence and the extractive answer; no phone number
    sent = httpx.get(f"{double}/requests", timeout=5).json()["requests"][-1]
    prompt = "\n".join(m["content"] for m in sent["messages"])
    assert "13812345678" not in prompt
    for c in body["citations"]:
        assert f"[{c['n']}] {c['title']} {c['section']}：" in prompt
        assert c["text"][:80] in prompt
    assert sent["model"] == "good"


def test_invented_fee_is_dropped(settings, index, tmp_path, double, extractive):
    assert "200" not in extractive
    body, _ = _ask(settings, index, tmp_path, double, "invent-fee")
    t = body["trace"]
    assert t["answer_by"] == "llm:invent-fee"
    assert "200" not in body["answer"] and "工本费" not in body["answer"]
    assert any("工本费200元" in s for s in t["llm"]["dropped"])
    assert any("200" in why for why in t["llm"]["dropped_why"])
    _markers_resolve(body)


def test_unknown_citations_fall_back_to_the_extractive_answer(settings, index, tmp_path, double, extractive):
    body, _ = _ask(settings, index, tmp_path, double, "bad-citation")
    t = body["trace"]
    assert body["answer"] == extractive
    assert t["answer_by"] == "rule:extractive"
    assert t["llm"]["used"] is False and t["llm"]["reason"].startswith("check failed")
    assert t["llm"]["dropped"] and all("[99]" in s for s in t["llm"]["dropped"])
    assert "[99]" not in body["answer"]


def test_hanging_model_times_out_to_the_extractive_answer(settings, index, tmp_path, double, extractive):
    body, elapsed = _ask(settings, index, tmp_path, double, "hang")
    assert body["answer"] == extractive
    assert body["trace"]["answer_by"] == "rule:extractive"
    assert body["trace"]["llm"]["reason"] == "timeout"
    assert elapsed < TIMEOUT + 3, f"answered after {elapsed:.1f} s with a {TIMEOUT} s LLM timeout"
    assert TIMEOUT * 1000 * 0.9 <= body["trace"]["llm"]["ms"] < (TIMEOUT + 1) * 1000


def test_server_error_falls_back_with_the_reason(settings, index, tmp_path, double, extractive):
    body, _ = _ask(settings, index, tmp_path, double, "error")
    assert body["answer"] == extractive and body["trace"]["answer_by"] == "rule:extractive"
    reason = body["trace"]["llm"]["reason"]
    assert reason.startswith("error:") and "500" in reason


def test_unreachable_endpoint_falls_back(settings, index, tmp_path, extractive):
    body, elapsed = _ask(settings, index, tmp_path, f"http://127.0.0.1:{free_port()}", "good")
    assert body["answer"] == extractive
    assert body["trace"]["llm"]["used"] is False
    assert body["trace"]["llm"]["reason"].startswith(("error:", "timeout"))
    assert elapsed < TIMEOUT + 3


def test_policy_answer_keeps_its_disclaimer(settings, index, tmp_path, double):
    body, _ = _ask(settings, index, tmp_path, double, "good", "劳动合同签一年，试用期可以约定多久，法律怎么规定的")
    assert body["kind"] == "policy"
    assert body["trace"]["answer_by"] == "llm:good"
    _markers_resolve(body)
    assert body["answer"].rstrip().endswith("具体办理以经办窗口的审核意见为准。")


def test_refusals_are_never_sent_to_the_model(settings, index, tmp_path, double):
    before = len(httpx.get(f"{double}/requests", timeout=5).json()["requests"])
    body, _ = _ask(settings, index, tmp_path, double, "invent-fee", "明天宿迁天气怎么样")
    assert body["kind"] == "refuse" and "llm" not in body["trace"]
    assert len(httpx.get(f"{double}/requests", timeout=5).json()["requests"]) == before


def test_without_llm_settings_nothing_changes(client, settings, extractive):
    from assistant.config import get_settings

    assert make_phraser(get_settings(llm_base_url=None, llm_model=None)) is None
    assert make_phraser(get_settings(llm_base_url="http://127.0.0.1:9/v1", llm_model=None)) is None
    assert make_phraser(get_settings(llm_base_url=None, llm_model="good")) is None
    body = client.post("/v1/chat?debug=true", json={"message": Q}).json()
    assert body["answer"] == extractive
    assert body["trace"]["answer_by"] == "rule:extractive" and "llm" not in body["trace"]


# ---------------------------------------------------------------- the check itself

CITES = [SimpleNamespace(n=1, title="结婚登记", section="申请材料",
                         text="1. 本人有效居民身份证（必要，原件1份）\n3. 双方近期半身免冠合影照片（2寸）（必要，3张）"),
         SimpleNamespace(n=2, title="结婚登记", section="办理地点",
                         text="综合政务大厅（二楼）A33-A34窗口。办理时间：周一至周五 上午8:30-12:00"),
         SimpleNamespace(n=3, title="中华人民共和国民法典", section="第一千零四十六条", text="结婚应当男女双方完全自愿。")]


@pytest.mark.parametrize("sentence", [
    "需要身份证原件一份。[1]", "照片要3张2寸的[1]，到二楼A33窗口办理[2]。", "依据是民法典第1046条[3]。",
    "上午8:30开始办理[2]", "带上身份证和照片[1,2]。", "在A33至A34窗口办理【2】。",
])
def test_supported_sentences_are_kept(sentence):
    assert check_answer(sentence, CITES).text, sentence


@pytest.mark.parametrize("sentence, why", [
    ("办理需缴纳工本费200元[1]。", "200"), ("需缴纳工本费二百元[1]。", "200"), ("请到B33窗口[2]。", "B33"),
    ("五个工作日内办结[1]。", "5"), ("请带好身份证。", "no citation"), ("详见规定[99]。", "unknown citation"),
    ("2024年1月1日起施行[3]。", "2024"), ("电话0527-12345678[2]。", "0527, 12345678"),
])
def test_unsupported_sentences_are_dropped(sentence, why):
    check = check_answer(f"需要身份证原件[1]。{sentence}", CITES)
    assert check.text == "需要身份证原件[1]。"
    # dropped sentences are kept PII-masked (landlines such as 0527-12345678 too)
    assert check.dropped == [mask_pii(sentence)] and why in check.why[0]


def test_numbers_are_checked_against_the_chunks_the_sentence_cites():
    # 2寸 is in [1], not in [3]: cited to the wrong chunk, the number is not supported
    assert check_answer("照片要2寸的[3]。", CITES).text is None
    assert check_answer("照片要2寸的[1]。", CITES).text == "照片要2寸的[1]。"


def test_think_blocks_and_markdown_are_removed_and_markers_normalised():
    check = check_answer("<think>收费200元？</think>**需要**身份证[1,2]。", CITES)
    assert check.text == "需要身份证[1][2]。"


def test_sentence_splitting_keeps_markers_after_the_full_stop():
    assert split_sentences("材料如下。[1]另外要带照片[2]。好的") == ["材料如下。[1]", "另外要带照片[2]。", "好的"]


def test_chinese_numerals():
    assert [cn_to_int(s) for s in ("一千零四十六", "十二", "二〇二五", "三万五千", "两", "二百")] == \
        [1046, 12, 2025, 35000, 2, 200]
    assert claim_numbers("统一办理，一起来，第一步先取号") == set()
    assert claim_numbers("只需跑一次，收费五十元") == {"1", "50"}


def test_phrase_never_raises():
    from assistant.core.phrase import Phraser

    class Boom:
        def invoke(self, _):
            raise ValueError("boom 13812345678")

    text, info = Phraser(Boom(), "boom", 1.0).phrase(Q, "答案[1]", CITES)
    assert text is None and info["used"] is False and info["reason"] == "error: ValueError"
    text, info = Phraser(Boom(), "boom", 1.0).phrase(Q, "答案", [])
    assert text is None and info["reason"].startswith("skipped")
