"""axe-core (npm, pinned in tests/axe/package-lock.json; `make axe` or `cd tests/axe && npm ci`) injected
into a page driven by the browser tests: ``assert_accessible(page)`` fails on any critical or serious
violation, naming the rule, the element and axe's own explanation."""
from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")


def axe_or_skip() -> str:
    if not AXE.exists():
        pytest.skip("axe-core 未安装：运行 `make axe`（即 cd tests/axe && npm ci）后再测无障碍（axe-core is not installed）")
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """Critical and serious axe-core violations on the page as it is now (WCAG 2.x A/AA rules)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_or_skip())
    found = page.evaluate("""async () => {
      const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }""")
    return [v for v in found if v["impact"] in BLOCKING]


def assert_accessible(page, where: str) -> None:
    bad = violations(page)
    assert not bad, f"axe-core: {len(bad)} critical/serious violation(s) on {where}:\n" + "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(f"{n['target']}: {n['summary']}" for n in v["nodes"])
        for v in bad)
