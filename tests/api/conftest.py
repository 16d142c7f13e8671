"""The HTTP app driven in process (FastAPI's TestClient), one file per resource of assistant/web/."""
import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/api/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.api)
