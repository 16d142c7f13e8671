"""A two-guide, one-law corpus copied into a temp folder: builds in seconds (shared by test modules)."""
from __future__ import annotations

import shutil
from pathlib import Path

from assistant.config import ROOT, get_settings

GUIDES = ("marriage-registration", "divorce-registration")
LAW = "中华人民共和国契税法"  # one of the default laws, so the shipped vectors cover it


def small_settings(tmp: Path, **overrides):
    corpus = tmp / "corpus"
    (corpus / "guides").mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / "centre.yaml", corpus / "centre.yaml")
    for name in GUIDES:
        shutil.copy(ROOT / "corpus" / "guides" / f"{name}.yaml", corpus / "guides" / f"{name}.yaml")
    return get_settings(**({"corpus_dir": corpus, "index_dir": tmp / "index", "laws": [LAW], "regulation_dirs": [], "cited_laws": False, "embed_workers": 1}
                           | overrides))
