"""From clone to first answer: install size and time of each extra, and a fresh clone's `make run` / `make test`.

    python eval/setup_bench.py installs            # one fresh venv per set of extras (in /tmp)
    python eval/setup_bench.py fresh-run           # git clone + `make run`: install, build, first answer
    python eval/setup_bench.py fresh-test          # git clone + `make test`
    python eval/setup_bench.py all

Every venv and clone lives under a new folder in /tmp and gets an empty pip cache of its own, as on a new
machine (packages come from the registry, or from the machine's own wheel folders where pip is set up to
look).  The clone is made from this checkout's HEAD (commit first), with ../shared linked beside it when this
checkout has one, as CI has.  Prints a table and writes eval/reports/setup.json (each stage keeps its own
key, so stages can be run one at a time).  The machine is shared: the load average is recorded with
every number, and `cpu_s` (user + sys CPU seconds of the whole command) tells the work apart from the
waiting.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "eval" / "reports" / "setup.json"
# (label, extras): what `make run`, `make test` and each optional extra install
SETS = [
    ("default (make run)", ""),
    ("+ st (sentence-transformers, torch CPU)", "st"),
    ("+ llm (langchain-openai)", "llm"),
    ("+ eval (baselines)", "eval"),
    ("+ pg (psycopg)", "pg"),
    ("+ test (pytest, playwright, httpx, psycopg)", "test"),
    ("make test (test,eval,llm)", "test,eval,llm"),
    ("CI (test,eval,llm,st-test)", "test,eval,llm,st-test"),
]
QUESTION = "结婚登记要带什么材料"


def python() -> str:
    return os.environ.get("PY") or shutil.which("python3.11") or sys.executable


def du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True).stdout
    return round(int(out.split()[0]) / 1024, 1)


def children_cpu_s() -> float:
    """user + sys CPU seconds of every finished child so far: the work, whatever the machine's load."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def clean_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "VIRTUAL_ENV", "PYTHON"))}
    return env | {"PIP_CACHE_DIR": str(tmp / "pip-cache")}


def stage_installs(sets: list[tuple[str, str]]) -> dict:
    rows = []
    for label, extras in sets:
        with tempfile.TemporaryDirectory(prefix="setup-venv-") as tmp:
            tmp = Path(tmp)
            env = clean_env(tmp)
            subprocess.run([python(), "-m", "venv", str(tmp / "venv")], check=True)
            spec = f"{ROOT}[{extras}]" if extras else str(ROOT)
            la = load()
            t0 = time.perf_counter()
            p = subprocess.run([str(tmp / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", spec], env=env,
                               capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if p.returncode:
                rows.append({"set": label, "extras": extras, "error": p.stderr[-1500:]})
                continue
            freeze = subprocess.run([str(tmp / "venv" / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True,
                                    text=True).stdout.split()
            torch = next((x for x in freeze if x.lower().startswith("torch==")), None)
            nvidia = sum(x.lower().startswith("nvidia") for x in freeze)
            rows.append({"set": label, "extras": extras, "install_s": round(wall, 1), "venv_mb": du_mb(tmp / "venv"),
                         "packages": len(freeze), "torch": torch, "nvidia_packages": nvidia, "loadavg_before": la})
            print(f"{label:45s} {rows[-1]['install_s']:7.1f} s {rows[-1]['venv_mb']:8.1f} MB  {len(freeze)} packages"
                  f"{'  ' + torch if torch else ''}", flush=True)
    base = next((r["venv_mb"] for r in rows if r["extras"] == "" and "venv_mb" in r), None)
    for r in rows:
        if base is not None and "venv_mb" in r:
            r["more_than_default_mb"] = round(r["venv_mb"] - base, 1)
    return {"python": subprocess.run([python(), "--version"], capture_output=True, text=True).stdout.strip(),
            "rows": rows}


def clone(tmp: Path) -> Path:
    repo = tmp / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    shared = ROOT.parent / "shared"
    if shared.exists():
        (tmp / "shared").symlink_to(shared.resolve())
    return repo


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stage_fresh_run() -> dict:
    """One real `make run` in a fresh clone; phases are read off what it leaves behind: the install stamp,
    index/manifest.json, GET /healthz, then one POST /v1/chat."""
    tmp = Path(tempfile.mkdtemp(prefix="setup-fresh-run-"))
    repo = clone(tmp)
    port = free_port()
    env = clean_env(tmp) | {"PY": python()}
    la = load()
    cpu0 = children_cpu_s()
    t0 = time.perf_counter()
    log = open(tmp / "make-run.log", "w")
    proc = subprocess.Popen(["make", "run", f"PORT={port}", f"PY={python()}"], cwd=repo, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    marks: dict[str, float] = {}
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = t0 + 900
        while time.perf_counter() < deadline and proc.poll() is None:
            now = time.perf_counter() - t0
            if "install" not in marks and list((repo / ".venv").glob(".installed-run-*")):
                marks["install"] = now
            if "build" not in marks and (repo / "index" / "manifest.json").exists():
                marks["build"] = now
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    marks["ready"] = time.perf_counter() - t0
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        r = httpx.post(url + "/v1/chat", json={"message": QUESTION}, timeout=120)
        marks["first_answer"] = time.perf_counter() - t0
        body = r.json()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        log.close()
    manifest = json.loads((repo / "index" / "manifest.json").read_text(encoding="utf-8"))
    out = {"python": python(), "loadavg_before": la, "loadavg_after": load(),
           "cpu_s_make_run_until_stopped": round(children_cpu_s() - cpu0, 1), "seconds_from_start": {k: round(v, 1) for k, v in marks.items()},
           "phases_s": {"install": round(marks["install"], 1),
                        "build_index": round(marks["build"] - marks["install"], 1),
                        "server_start": round(marks["ready"] - marks["build"], 1),
                        "first_answer": round(marks["first_answer"] - marks["ready"], 1)},
           "index": {"embedded_now": manifest["counts"]["embedded_now"],
                     "from_shipped": manifest["counts"].get("from_shipped"), "chunks": manifest["counts"]["chunks"],
                     "build_s_in_manifest": manifest["seconds"]["total"]},
           "question": QUESTION, "answer_kind": body.get("kind"), "answer_items": [i["name"] for i in body.get("items", [])],
           "within_3_min": marks["first_answer"] <= 180}
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def stage_fresh_test(extras: str) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="setup-fresh-test-"))
    repo = clone(tmp)
    env = clean_env(tmp)
    la = load()
    cpu0 = children_cpu_s()
    t0 = time.perf_counter()
    p = subprocess.run(["make", "test", f"PY={python()}", f"TEST_EXTRAS={extras}"], cwd=repo, env=env,
                       capture_output=True, text=True)
    wall = time.perf_counter() - t0
    lines = [x for x in (p.stdout + p.stderr).splitlines() if not x.startswith("WARNING: Location")]  # pip.conf noise
    tail = [x for x in lines if " passed" in x or " failed" in x or x.startswith(("FAILED", "make:"))][-4:]
    out = {"python": python(), "extras": extras, "loadavg_before": la, "loadavg_after": load(), "wall_s": round(wall, 1),
           "cpu_s": round(children_cpu_s() - cpu0, 1),
           "exit_code": p.returncode, "pytest_summary": tail, "within_6_min": wall <= 360}
    (REPORT.parent / f"setup-make-test-{extras.replace(',', '-')}.log").write_text("\n".join(lines[-300:]) + "\n")
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", choices=["installs", "fresh-run", "fresh-test", "all"])
    ap.add_argument("--sets", default="", help="comma list of labels' extras to measure (default: all)")
    ap.add_argument("--test-extras", default="test,eval,llm")
    a = ap.parse_args()
    report = {}
    report["machine"] = {"cores": os.cpu_count(), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                         "note": "2 cores shared with other jobs; loadavg_before is the 1/5/15-minute load"}
    if a.stage in ("installs", "all"):
        wanted = [s for s in SETS if not a.sets or s[1] in a.sets.split(";")]
        report["installs"] = stage_installs(wanted)
    if a.stage in ("fresh-run", "all"):
        report["fresh_clone_make_run"] = stage_fresh_run()
        print(json.dumps(report["fresh_clone_make_run"], ensure_ascii=False, indent=1))
    if a.stage in ("fresh-test", "all"):
        report.setdefault("fresh_clone_make_test", {})[a.test_extras] = stage_fresh_test(a.test_extras)
        print(json.dumps(report["fresh_clone_make_test"][a.test_extras], ensure_ascii=False, indent=1))
    # merge into the report as it is now (another stage may have finished meanwhile)
    merged = json.loads(REPORT.read_text(encoding="utf-8")) if REPORT.exists() else {}
    for key, value in report.items():
        merged[key] = merged.get(key, {}) | value if key == "fresh_clone_make_test" else value
    if "fresh_clone_make_test" in report:  # every run is kept: one run says little on a shared machine
        run = report["fresh_clone_make_test"][a.test_extras]
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        merged.setdefault("fresh_clone_make_test_runs", []).append(
            {"measured_at": report["machine"]["measured_at"], "commit": commit.stdout.strip()} | run)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {REPORT}")


if __name__ == "__main__":
    main()
