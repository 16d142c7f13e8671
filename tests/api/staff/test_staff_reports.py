"""The console's reports read the deciding rule of each stored answer (`decision.rule_of`), not its words:
answers stored with ``trace["rule"]`` and answers stored earlier with only the ``trace["decision"]`` text
count the same, on SQLite and on PostgreSQL.  No index is needed: the answers are written directly."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from assistant.core.assistant import Context
from assistant.service.reports import InvalidRange, LocalTime, Reports
from assistant.store.conversations import SessionStore
from assistant.store.curated import CuratedStore
from assistant.store.turns import TurnLog
from assistant.web.routes.feedback import FeedbackStore
from servers import postgres

NOW = datetime(2026, 3, 4, 2, 0)  # Wednesday 10:00 in 宿迁 (UTC+8)
DAY = date(2026, 3, 4)


class Embedder:
    """Questions about 领证 point one way, everything else another (enough to group paraphrases)."""

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.array([[1.0, 0.0] if "证" in t else [0.0, 1.0] for t in texts], dtype=np.float32)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reports.db'}"
        return
    with postgres() as url:
        yield url


@pytest.fixture()
def world(db_url):
    """A store with five answers: two no-evidence refusals (one new-style, one legacy), one out-of-scope
    refusal, and two reviewed answers (one new-style, one legacy), plus a guide answer that merely quotes
    the 【人工审核】 label."""
    sessions = SessionStore(db_url, clock=lambda: NOW)
    answers = [
        ("我想领证要带啥", "refuse", "未找到依据", {"rule": "no-evidence", "decision": "refuse: no evidence above threshold"}),
        ("领证需要什么证件", "refuse", "未找到依据", {"decision": "refuse: no evidence above threshold"}),
        ("帮我买火车票", "refuse", "不在服务范围", {"decision": "refuse: out of scope (车票)"}),
        ("结婚登记要带什么", "guide", "【人工审核】请携带户口簿", {"rule": "curated-answer", "decision": "curated: c1 (similarity 0.951)"}),
        ("结婚登记材料", "guide", "【人工审核】请携带户口簿", {"decision": "curated: c1 (similarity 0.930)"}),
        ("人工审核是什么", "guide", "【人工审核】是工作人员写的答案", {"rule": "guide", "decision": "guide: 结婚登记"}),
    ]
    ids = []
    for question, kind, answer, trace in answers:
        sid, _ = sessions.open(None, "web")
        ids.append(sessions.record(sid, question, kind, answer, [], trace, Context()))
    local = LocalTime(8, lambda: NOW)
    reports = Reports(TurnLog(sessions.engine), FeedbackStore(sessions.engine, lambda: NOW),
                      CuratedStore(sessions.engine, lambda: NOW), local)
    yield reports, ids
    sessions.engine.dispose()


def test_the_deciding_rule_is_read_from_the_rule_name_or_from_the_old_decision_text(world):
    reports, ids = world
    assert reports.log.rules(ids) == dict(zip(ids, ["no-evidence", "no-evidence", "out-of-scope", "curated-answer",
                                                    "curated-answer", "guide"]))


def test_the_dashboard_counts_reviewed_answers_by_their_rule_not_by_the_label_in_the_text(world):
    reports, _ = world
    board = reports.dashboard(DAY, DAY)
    assert board["curated"]["answers"] == 2
    assert board["questions"] == 6 and board["kinds"] == {"refuse": 3, "guide": 3}


def test_gaps_list_no_evidence_refusals_and_other_refusals_only_when_asked(world):
    reports, _ = world
    gaps = reports.gaps(Embedder(), DAY, DAY)
    assert gaps["total"] == 2
    assert [(g["label"], g["count"], g["reasons"]) for g in gaps["groups"]] == [("我想领证要带啥", 2, {"refused": 2})]
    with_oos = reports.gaps(Embedder(), DAY, DAY, out_of_scope=True)
    assert with_oos["total"] == 3 and sorted(g["count"] for g in with_oos["groups"]) == [1, 2]


def test_a_date_range_that_ends_before_it_starts_is_refused():
    local = LocalTime(8, lambda: NOW)
    assert local.span(None, None, days=7) == (date(2026, 2, 26), DAY)
    with pytest.raises(InvalidRange, match="开始日期不能晚于结束日期"):
        local.span(date(2026, 3, 5), date(2026, 3, 4))


def test_the_store_and_the_reports_load_without_the_web_layer():
    """Every table (`db.load_models`) and the reports import neither FastAPI/Starlette nor a web router, so
    the CLI, migrations and a batch job can use them without the HTTP app."""
    import subprocess
    import sys

    code = ("import sys, assistant.service.reports, assistant.store.db as db; db.load_models(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette') "
            "or m.startswith(('assistant.web.routes', 'assistant.web.staff', 'assistant.web.app'))))")
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "[]", out.stdout
