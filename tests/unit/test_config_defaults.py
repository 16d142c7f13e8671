"""Defaults a running centre depends on across releases: an upgrade that renamed the default database file
would start every existing SQLite deployment on an empty database (conversations, ratings, cases and staff
accounts out of sight)."""
from assistant.config import ROOT, Settings


def test_the_default_database_is_still_var_assistant_db(monkeypatch):
    monkeypatch.delenv("ASSISTANT_DATABASE_URL", raising=False)
    assert Settings().database_url == f"sqlite:///{ROOT / 'var' / 'assistant.db'}"
