"""schemathesis over the public OpenAPI routes (issue 12): every generated request — valid and
invalid bodies, odd strings, boundary values — gets no 5xx and a response that matches the documented
schema.  Bounded: ``FUZZ_EXAMPLES`` examples per operation (default 25), with the real pipeline behind."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from assistant.api import create_app
from assistant.config import get_settings
from assistant.sessions import SessionStore

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CASES_RUN: list[str] = []


@pytest.fixture()
def public_api(assistant, tmp_path):
    app = create_app(get_settings(rate_limits="off"), assistant, SessionStore(f"sqlite:///{tmp_path / 'fuzz.db'}"))
    return schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=r"^/(v1/|healthz)")


schema = schemathesis.pytest.from_fixture("public_api")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_public_routes_never_fail_and_keep_their_contract(case):
    CASES_RUN.append(f"{case.method} {case.path}")
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
