"""`assistant ask --json` and a small slice of the evaluation harness, so it cannot silently break."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import ROOT
from assistant.evaluation.harness import Evaluator, load_set, refusal_summary


def test_ask_json_names_marriage_item_hall_and_materials_citation(index):
    r = CliRunner().invoke(app, ["ask", "--json", "结婚登记要带什么"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["items"][0]["name"] == "结婚登记"
    assert body["items"][0]["location"]["hall"] == "综合政务大厅"
    assert any(c["section"] == "申请材料" and "身份证" in c["text"] for c in body["citations"])


def test_ask_weather_is_refused(index):
    body = json.loads(CliRunner().invoke(app, ["ask", "--json", "今天天气怎么样"]).output)
    assert body["kind"] == "refuse"


def test_eval_slice_runs_every_set_through_the_pipeline(assistant):
    ev = Evaluator(assistant)
    results = {name: getattr(ev, name)(load_set(ROOT / "eval" / f"{name}_dev.jsonl", 12))
               for name in ("guide", "policy", "out_of_scope", "dialog")}
    g = results["guide"]["ours"]["all"]
    assert g["n"] == 12 and 0.0 <= g["hit1"] <= g["hit3"] <= 1.0
    assert g["citations_valid"] == 1.0
    assert results["policy"]["ours"]["all"]["n"] == 12
    assert results["dialog"]["ours"]["all"]["n"] >= 24
    r = refusal_summary(results)["all"]
    assert 0.0 <= r["precision"] <= 1.0 and r["recall"] > 0.5
    # failures carry what came back, for staff to read
    for f in results["guide"]["failures"]:
        assert {"question", "expected", "got", "kind"} <= set(f)
