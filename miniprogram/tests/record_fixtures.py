"""Record the /v1/chat responses the mini-program tests replay (miniprogram/tests/fixtures/*.json).

Run from the repository root after the corpus or the answer format changes:

    python miniprogram/tests/record_fixtures.py

The server runs in-process on the real index with its own throw-away database, at 10:00 on a working
day (so 转人工 names the desk and its phone).  tests/e2e/test_miniprogram_fixtures.py fails when a fixture
no longer matches what the server says, so a stale recording cannot hide a contract change.
"""
from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
FIXTURES = Path(__file__).parent / "fixtures"
QUESTIONS = {"guide": "结婚登记要带什么", "clarify": "公积金", "handoff": "转人工"}
AT = datetime(2025, 11, 18, 2, 0)  # Tuesday 10:00 in 宿迁


def record(client) -> dict[str, dict]:
    out = {}
    for name, question in QUESTIONS.items():
        r = client.post("/v1/chat", json={"message": question, "session_id": None, "channel": "miniprogram"})
        r.raise_for_status()
        out[name] = {"question": question, "response": r.json()}
    return out


def app_client(settings, assistant, db: Path):
    from fastapi.testclient import TestClient

    from assistant.web.app import create_app
    from assistant.store.conversations import SessionStore

    return TestClient(create_app(settings, assistant, SessionStore(f"sqlite:///{db}", clock=lambda: AT)))


def main() -> None:
    from assistant.config import get_settings
    from assistant.core.index.build import load_index
    from assistant.core.assistant import Assistant

    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp, app_client(settings, Assistant(load_index(settings)), Path(tmp) / "r.db") as c:
        for name, body in record(c).items():
            (FIXTURES / f"{name}.json").write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"{name}: {body['response']['kind']} ({len(body['response']['citations'])} citations)")


if __name__ == "__main__":
    main()
