"""Fixtures of the rulebook's unit tests: the fixture corpus indexed once per session with the fake
embedder, a fresh `Assistant` per test, and `ask` (see rulebook_fixture.py for the corpus and embedder)."""
from __future__ import annotations

import shutil

import pytest

from assistant.config import ROOT, get_settings
from assistant.core.assistant import Assistant
from assistant.core.dialogue.state import Context
from assistant.core.index.build import build_index, load_index
from rulebook_fixture import FIXTURES, MONDAY_MORNING
from small_corpus import BigramEmbedder


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fixture-corpus")
    corpus = tmp / "corpus"
    shutil.copytree(FIXTURES / "guides", corpus / "guides")
    shutil.copy(ROOT / "corpus" / "centre.yaml", corpus / "centre.yaml")
    settings = get_settings(corpus_dir=corpus, index_dir=tmp / "index", laws=[], law_dirs=[FIXTURES / "laws"],
                            regulation_dirs=[], cited_laws=False, catalogs=[], embed_workers=1)
    embedder = BigramEmbedder()
    build_index(settings, embedder=embedder, log=lambda *_: None)
    return load_index(settings, embedder=embedder, check=False)


@pytest.fixture
def assistant(fixture_index):
    """A fresh assistant on the fixture index (tests may set `curated` or `scope_model`)."""
    a = Assistant(fixture_index)
    a.scope_model = None
    return a


@pytest.fixture
def ask(assistant):
    """ask("结婚登记要带什么") → the Result; ask(q, context) continues a conversation."""
    def run(message: str, context: Context | None = None):
        return assistant.answer(message, context, now=MONDAY_MORNING)
    return run
