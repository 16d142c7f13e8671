"""The HTTP layer: the app factory (`app.py`), one router per resource (`routes/`, `staff/`), and the pages
and scripts the browser loads (`static/`, native ES modules with no build step)."""
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
