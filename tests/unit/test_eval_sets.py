"""`assistant eval --set guide_fresh` scores eval/guide_fresh.jsonl with the guide metrics, apart from
the ordinary sets; every set named exists in eval/."""
from pathlib import Path

import pytest

from assistant.config import ROOT
from assistant.evaluation.harness import load_set, set_rows, set_source


def test_a_fresh_set_is_read_from_its_own_file_and_scored_like_its_base_set():
    assert set_source(Path("eval"), "guide") == (Path("eval/guide_dev.jsonl"), "guide")
    assert set_source(Path("eval"), "guide_fresh") == (Path("eval/guide_fresh.jsonl"), "guide")
    assert set_source(Path("eval"), "dialog_fresh") == (Path("eval/dialog_fresh.jsonl"), "dialog")
    assert set_source(Path("eval"), "fact_fresh2") == (Path("eval/fact_fresh2.jsonl"), "fact")
    with pytest.raises(ValueError):
        set_source(Path("eval"), "weather_fresh")


def test_the_fresh_sets_are_marked_fresh_and_kept_out_of_tune_and_holdout():
    for name in ("guide_fresh", "dialog_fresh"):
        path, _ = set_source(ROOT / "eval", name)
        rows = load_set(path)
        assert rows and {r["split"] for r in rows} == {"fresh"}
    rows = load_set(set_source(ROOT / "eval", "fact_fresh2")[0])
    assert rows and {r["split"] for r in rows} == {"fresh2"}
    rows = load_set(set_source(ROOT / "eval", "fact_fresh3")[0])
    assert len(rows) >= 50 and {r["split"] for r in rows} == {"fresh3"}


def test_an_ordinary_run_of_a_set_also_scores_its_fresh_file_and_a_fresh_run_only_that_file(tmp_path):
    (tmp_path / "guide_dev.jsonl").write_text('{"id": "g1", "split": "tune"}\n', encoding="utf-8")
    (tmp_path / "guide_fresh.jsonl").write_text('{"id": "n1", "split": "fresh"}\n', encoding="utf-8")
    rows, method = set_rows(tmp_path, "guide")
    assert method == "guide" and [r["id"] for r in rows] == ["g1", "n1"]
    rows, method = set_rows(tmp_path, "guide_fresh")
    assert method == "guide" and [r["id"] for r in rows] == ["n1"]
    (tmp_path / "guide_fresh2.jsonl").write_text('{"id": "m1", "split": "fresh2"}\n', encoding="utf-8")
    rows, method = set_rows(tmp_path, "guide_fresh2")
    assert method == "guide" and [r["id"] for r in rows] == ["m1"]
    assert [r["id"] for r in set_rows(tmp_path, "guide")[0]] == ["g1", "n1"]
    with pytest.raises(FileNotFoundError):
        set_rows(tmp_path, "policy")


def test_guide_fresh4_and_dialog_fresh5_are_fresh_sets_naming_only_indexed_items():
    from assistant.core.corpus.schema import load_guides

    names = {g.name for g in load_guides(ROOT / "corpus" / "guides")}
    guides = load_set(set_source(ROOT / "eval", "guide_fresh4")[0])
    assert len(guides) >= 70 and {r["split"] for r in guides} == {"fresh4"}
    assert {n for r in guides for n in r["expected"]} == names  # every guide is asked about
    dialogs = load_set(set_source(ROOT / "eval", "dialog_fresh5")[0])
    turns = [t for r in dialogs for t in r["turns"]]
    assert len(dialogs) >= 12 and len(turns) >= 40 and {r["split"] for r in dialogs} == {"fresh5"}
    assert {n for t in turns for n in (t["expected"] or [])} <= names
    assert all(t["expected"] or t["expect_kind"] == "clarify" for t in turns)
