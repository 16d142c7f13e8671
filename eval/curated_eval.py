"""How far a correction reaches: eval/curated_dev.jsonl holds 20 corrections (a question and the item
it is about) with 3 paraphrases each (60 pairs).  For each correction alone in a fresh store, every paraphrase of
it should get the correction ("used") and no paraphrase of the other 19 items should ("other items").

    python eval/curated_eval.py        # prints a table, writes eval/reports/curated.json
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.store.curated import CuratedStore  # noqa: E402
from assistant.core.index.build import load_index  # noqa: E402
from assistant.core.assistant import Assistant  # noqa: E402


def main(name: str = "curated_dev") -> dict:
    rows = [json.loads(x) for x in (ROOT / "eval" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    a = Assistant(load_index(get_settings()))
    embed = a.retriever.embed
    used = other = n_other = 0
    misses, wrong = [], []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for k, row in enumerate(rows):
            store = CuratedStore(create_engine(f"sqlite:///{tmp}/c{k}.db")).bind(a)
            store.add(row["question"], row["item"], "（人工更正）测试答案", [], "eval")
            for p in row["paraphrases"]:
                if store.lookup(p, embed) is not None:
                    used += 1
                else:
                    misses.append({"id": row["id"], "correction": row["question"], "paraphrase": p})
            for o in rows:
                if o is row:
                    continue
                for p in o["paraphrases"]:
                    n_other += 1
                    if store.lookup(p, embed) is not None:
                        other += 1
                        wrong.append({"correction": row["question"], "caught": p})
    n = sum(len(r["paraphrases"]) for r in rows)
    out = {"corrections": len(rows), "paraphrase_pairs": n, "used_rate": round(used / n, 4),
           "other_item_questions": n_other, "other_item_rate": round(other / n_other, 4),
           "seconds": round(time.perf_counter() - t0, 1), "misses": misses, "wrong": wrong[:50]}
    print(f"| corrections | paraphrase pairs | used | other-item questions | wrongly caught |\n|---|---|---|---|---|\n"
          f"| {len(rows)} | {n} | {used}/{n} = {out['used_rate']:.3f} | {n_other} | {other} = {out['other_item_rate']:.4f} |")
    for m in misses:
        print("miss:", m["correction"], "→", m["paraphrase"])
    return out


if __name__ == "__main__":
    # `python eval/curated_eval.py curated_holdout` scores the held-out set (20 other corrections, written after
    # the lookup was tuned on curated_dev) → eval/reports/curated_holdout.json
    name = sys.argv[1] if len(sys.argv) > 1 else "curated_dev"
    report = main(name)
    (ROOT / "eval" / "reports").mkdir(parents=True, exist_ok=True)
    out = "curated.json" if name == "curated_dev" else f"{name}.json"
    (ROOT / "eval" / "reports" / out).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
