"""`assistant eval --set guide_fresh` scores eval/guide_fresh.jsonl with the guide metrics, apart from
the ordinary sets; every set named exists in eval/."""
from pathlib import Path

import pytest

from assistant.config import ROOT
from assistant.evaluation.harness import load_set, set_source


def test_a_fresh_set_is_read_from_its_own_file_and_scored_like_its_base_set():
    assert set_source(Path("eval"), "guide") == (Path("eval/guide_dev.jsonl"), "guide")
    assert set_source(Path("eval"), "guide_fresh") == (Path("eval/guide_fresh.jsonl"), "guide")
    assert set_source(Path("eval"), "dialog_fresh") == (Path("eval/dialog_fresh.jsonl"), "dialog")
    with pytest.raises(ValueError):
        set_source(Path("eval"), "weather_fresh")


def test_the_fresh_sets_are_marked_fresh_and_kept_out_of_tune_and_holdout():
    for name in ("guide_fresh", "dialog_fresh"):
        path, _ = set_source(ROOT / "eval", name)
        rows = load_set(path)
        assert rows and {r["split"] for r in rows} == {"fresh"}
