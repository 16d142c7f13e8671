"""The responses the mini-program's jest tests replay (miniprogram/tests/fixtures) are what the server
says today: same kind, items, citations and suggestions for the same question.  Re-record with
`python miniprogram/tests/record_fixtures.py` when this fails after a deliberate change."""
from __future__ import annotations

import importlib.util
import json

from assistant.config import ROOT

FIXTURES = ROOT / "miniprogram" / "tests" / "fixtures"


def _recorder():
    spec = importlib.util.spec_from_file_location("record_fixtures", FIXTURES.parent / "record_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_recorded_responses_match_the_server(settings, assistant, tmp_path):
    rec = _recorder()
    with rec.app_client(settings, assistant, tmp_path / "r.db") as c:
        now = rec.record(c)
    assert set(now) == {p.stem for p in FIXTURES.glob("*.json")}
    for name, body in now.items():
        saved = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        want, got = saved["response"], body["response"]
        assert saved["question"] == body["question"]
        assert set(want) == set(got), name  # same fields
        for key in ("kind", "answer", "suggestions"):
            assert want[key] == got[key], (name, key)
        assert [i["id"] for i in want["items"]] == [i["id"] for i in got["items"]], name
        assert [c["chunk_id"] for c in want["citations"]] == [c["chunk_id"] for c in got["citations"]], name
