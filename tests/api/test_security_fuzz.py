"""schemathesis over the public OpenAPI routes: every generated request — valid bodies and
deliberately invalid ones, odd strings, boundary values — gets no 5xx and a response that matches the
documented schema, with the real pipeline behind.  Bounded: ``FUZZ_EXAMPLES`` examples per operation
and generation mode (default 30)."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from assistant.web.app import create_app
from assistant.config import get_settings
from assistant.store.conversations import SessionStore

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
PUBLIC = r"^/(v1/|healthz)"


@pytest.fixture(scope="module")
def public_api(assistant, tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    app = create_app(get_settings(rate_limits="off"), assistant, SessionStore(f"sqlite:///{db}"))
    return schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=PUBLIC)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_public_routes_never_fail_and_keep_their_contract(public_api, mode, capsys):
    runs: dict[str, int] = {}
    operations = [r.ok() for r in public_api.get_all_operations()]
    assert {"/v1/chat", "/v1/chat/completions", "/v1/feedback", "/v1/search", "/v1/items/{item_id}"} <= {
        op.path for op in operations}
    for op in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy(generation_mode=mode))
        def run(case):
            runs[op.label] = runs.get(op.label, 0) + 1
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Exception as e:  # noqa: BLE001 - an operation with no possible invalid input raises Unsatisfiable
            if type(e).__name__ != "Unsatisfiable":
                raise
    with capsys.disabled():
        print(f"\n[fuzz {mode.value}] {sum(runs.values())} cases: " + ", ".join(f"{k} {v}" for k, v in runs.items()))
    assert sum(runs.values()) >= EXAMPLES
