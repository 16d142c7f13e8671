"""The tables `assistant eval` prints after writing its JSON report: per set, our system and each
baseline per split (tune / holdout), the same metrics by question kind, and for the answer sets
(fact, scope, followup) the answer lengths — e.g. "fact: by kind", row "age", column "hit@1"."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table


def print_results(console: Console, results: dict, report: Path) -> None:
    """Print every set's tables and failure count, then the refusal precision/recall, if measured."""
    for name, r in results.items():
        if name == "refusal":
            continue
        keys = sorted({k for v in r["ours"].values() for k in v})
        console.print(_systems_table(name, r, keys))
        console.print(_kinds_table(name, r, keys))
        if r.get("lengths"):
            console.print(_lengths_table(name, r["lengths"]))
        console.print(f"失败 {len(r['failures'])} 题（详见 {report}）")
    if "refusal" in results:
        console.print(f"拒答 precision/recall：{results['refusal']}")


def _systems_table(name: str, r: dict, keys: list[str]) -> Table:
    table = Table(title=f"{name}")
    table.add_column("system / split")
    for k in keys:
        table.add_column(k)
    for split, v in r["ours"].items():
        table.add_row(f"ours / {split}", *[str(v.get(k, "")) for k in keys])
    for bname, splits in r["baselines"].items():
        for split, v in splits.items():
            table.add_row(f"{bname} / {split}", *[str(v.get(k, "")) for k in keys])
    return table


def _kinds_table(name: str, r: dict, keys: list[str]) -> Table:
    kt = Table(title=f"{name}: by kind")
    kt.add_column("kind")
    for k in keys:
        kt.add_column(k)
    for kind, v in sorted(r["kinds"].items()):
        kt.add_row(kind, *[str(v.get(k, "")) for k in keys])
    return kt


def _lengths_table(name: str, lengths: dict) -> Table:
    lt = Table(title=f"{name}: 回答长度（字符）")
    for col in ("answer kind / split", "n", "首段中位数", "首段≤120占比", "全文中位数", "全文≤450占比"):
        lt.add_column(col)
    for kind, splits in sorted(lengths.items()):
        for split, v in splits.items():
            f, w = v["first_paragraph"], v["whole"]
            lt.add_row(f"{kind} / {split}", str(f["n"]), str(f["median"]), str(f["share_le_120"]),
                       str(w["median"]), str(w["share_le_450"]))
    return lt
