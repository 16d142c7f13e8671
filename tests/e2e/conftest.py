"""Every test in this folder is end to end: the real index, a live server, chromium or a database server.
`pytest -m "not e2e"` leaves them out (the unit and API tests then run in about a minute)."""
import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
