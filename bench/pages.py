"""How long does each dashboard page's script take on a store with many runs?

Run from the repository root:

    python -m bench.pages                         # 2,000 runs; rewrites its section of docs/benchmarks.md
    python -m bench.pages --runs 500 --no-write   # a smaller store, prints only
    python -m bench.pages --home /tmp/pages-home  # reuse (or keep) a seeded store instead of a temporary one

Setup (not timed): a fresh embedded store is seeded with the demo world at the current time, N runs
with about 200 query executions each (`execution_scale` 8/15 on the world's 150-600, the issue's
ratio of 2,000,000 executions to 10,000 runs). Then one runner pass, with the simulated views frozen
ten minutes ahead, gives the store the states a live one has: up to 500 runs discovered (the runner's
discovery batch), some of them enriched, the rest not queued yet.

Measured: each page (pages/*.py, reached through streamlit_app.py's st.navigation) under Streamlit's
AppTest, one fresh Python process per page, with ENRICHMENT_APP_RUNNER_INTERVAL=0 (no background
runner competing for the store):

* cold: the first `AppTest.run()` of that process, landing directly on the page: the entry script
  and the page, with the app's modules imported and the store opened (st.cache_resource) on the way,
  the way the first visitor after a server start meets the page. Importing Streamlit and its scan of
  installed components (which a server does once at start, and AppTest on each new instance) are done
  before the clock starts.
* first run in a warm process: in another fresh process, the page's first run after the process has
  served another page (store open, modules imported), so the page's own first-time cost without the
  process's start-up.
* warm: the median of the next `--repeats` runs of the same AppTest (caches filled, modules imported).
  Four pages cache their reads for 5-10 s (app/run_data.py, app/queue_data.py), so these reruns are
  cache hits, as a person's clicks within those seconds are.
* warm, caches cleared: the median of `--repeats` more runs, each after `st.cache_data.clear()`: what a
  click costs once the cached reads have expired (the store open, the modules imported).

AppTest's own overhead (a mock runtime, collecting the elements) is included; real browsers add
rendering and the websocket on top (tests/browser covers Chromium).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "streamlit_app.py"
DOC = ROOT / "docs" / "benchmarks.md"
COMMAND = "python -m bench.pages"
PAGES = ("pages/overview.py", "pages/runs.py", "pages/run_detail.py", "pages/compare.py",
         "pages/queue_health.py", "pages/admin.py")
EXECUTION_SCALE = 8 / 15  # mean 375 executions per run -> 200
SEED = 11
ENRICH_JOBS = 60
WARM_TARGET_MS, COLD_TARGET_MS = 300, 1500


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICHMENT_")}
    env.update({"ENRICHMENT_HOME": str(home), "ENRICHMENT_APP_RUNNER_INTERVAL": "0"})
    return env


# --------------------------------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------------------------------


def child_setup(home: Path, runs: int, enrich_jobs: int) -> dict:
    from enrichment.config import load_settings
    from enrichment.runner import run_pass
    from enrichment.simulation.seed import seed_demo
    from enrichment.store import open_store

    from bench.enrichment_throughput import code_state

    code = code_state(("enrichment", "sql", "app", "pages"))
    settings = load_settings()
    store = open_store(settings)
    t0 = time.perf_counter()
    with store.unit() as db:
        seeded = bool(db.scalar("SELECT COUNT(*) FROM TEST_RESULTS")) if _has_tables(db) else False
    summary = None
    if not seeded:
        summary = seed_demo(store, runs=runs, seed=SEED, execution_scale=EXECUTION_SCALE)
    seed_seconds = time.perf_counter() - t0
    enrich_seconds, passed = 0.0, None
    if not seeded and enrich_jobs:
        ahead = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(minutes=10)
        with store.unit() as db:
            db.execute("DELETE FROM SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_CLOCK")
            db.execute("INSERT INTO SNOWFLAKE.ACCOUNT_USAGE_SIM.SIM_CLOCK (FROZEN_AT) VALUES (?)", [ahead])
        t1 = time.perf_counter()
        passed = run_pass(store, settings, now=ahead, max_jobs=enrich_jobs, do_housekeeping=False).as_dict()
        enrich_seconds = time.perf_counter() - t1
    with store.unit() as db:
        facts = {
            "runs": int(db.scalar("SELECT COUNT(*) FROM TEST_RESULTS WHERE TEST_ID = RUN_ID")),
            "executions": int(db.scalar("SELECT COUNT(*) FROM QUERY_EXECUTIONS")),
            "jobs": {r["STATUS"]: int(r["N"]) for r in db.rows(
                "SELECT STATUS, COUNT(*) AS N FROM DELAYED_ENRICHMENT_QUEUE GROUP BY 1")},
            "detail_run": db.scalar(
                "SELECT RUN_ID FROM TEST_RESULTS WHERE TEST_ID = RUN_ID AND TABLE_TYPE = 'HYBRID' "
                "ORDER BY DELAYED_ENRICHMENT_STATUS = 'COMPLETED' DESC, END_TIME DESC LIMIT 1"),
        }
    store_mb = sum(p.stat().st_size for p in (home / "db").iterdir() if p.is_file()) / 2**20
    return {**facts, "code": code, "reused": seeded, "seed_seconds": seed_seconds, "enrich_seconds": enrich_seconds,
            "pass": passed, "store_mb": store_mb,
            "seed_summary": {k: v for k, v in (summary or {}).items() if k in ("runs", "executions", "seconds")}}


def _has_tables(db) -> bool:
    try:
        db.scalar("SELECT COUNT(*) FROM TEST_RESULTS")
        return True
    except Exception:
        return False


_COMPONENTS = None


def _components():
    """Streamlit's registry of installed components. A server scans the installed packages for them
    once, at start; AppTest does it on each instance's first run (about 1.6 s here), which is not the
    page's cost. So it is scanned once per process, before anything is timed, and shared."""
    global _COMPONENTS
    if _COMPONENTS is None:
        from streamlit.components.v2.component_manager import BidiComponentManager

        _COMPONENTS = BidiComponentManager()
        _COMPONENTS.discover_and_register_components(start_file_watching=False)
    return _COMPONENTS


def _app(page: str, run_id: str | None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ENTRY), default_timeout=600)
    at._bidi_component_manager = _components()  # AppTest's private slot for it (streamlit 1.67)
    if run_id and page.endswith("run_detail.py"):
        at.query_params["run"] = run_id
    return at.switch_page(page)


def child_page(page: str, repeats: int, run_id: str | None) -> dict:
    _components()
    at = _app(page, run_id)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    problems = [str(e.value)[:200] for e in at.exception] + [str(e.value)[:200] for e in at.error]
    titles = [t.value for t in at.title]
    first_elements = _elements(at)
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    problems += [str(e.value)[:200] for e in at.exception]
    if _elements(at) != first_elements:  # a warm run that shows less would flatter the figure
        problems.append(f"warm runs showed {_elements(at)} elements, the first {first_elements}")
    import streamlit as st

    uncached = []
    for _ in range(repeats):
        st.cache_data.clear()
        t0 = time.perf_counter()
        at.run()
        uncached.append(time.perf_counter() - t0)
    problems += [str(e.value)[:200] for e in at.exception]
    return {"page": page, "cold": cold, "warm": warm, "warm_uncached": uncached, "titles": titles,
            "problems": problems, "elements": first_elements}


def _elements(at) -> dict[str, int]:
    kinds = ("title", "header", "subheader", "markdown", "caption", "metric", "dataframe", "info", "warning", "error")
    return {k: len(getattr(at, k)) for k in kinds} | {"charts": len(at.get("vega_lite_chart"))}


def child_page_first(page: str, run_id: str | None) -> dict:
    """The page's first run in a process that has already served another page (store open, modules
    imported): what a page costs the first time, without the process's own start-up."""
    other = "pages/runs.py" if page != "pages/runs.py" else "pages/overview.py"
    _app(other, run_id).run()
    at = _app(page, run_id)
    t0 = time.perf_counter()
    at.run()
    return {"page": page, "first_in_warm_process": time.perf_counter() - t0}


# --------------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------------


def _child(args: list[str], home: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run([sys.executable, "-m", "bench.pages", *args, "--out", str(out)], cwd=ROOT, env=_env(home),
                       check=True)
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def report(setup: dict, pages: list[dict], args, elapsed: float, load: list[tuple[float, float]]) -> str:
    from bench.enrichment_throughput import describe_state, machine

    cmd = COMMAND + (f" --runs {args.runs}" if args.runs != 2000 else "")
    lines = [
        f"Command: `{cmd}` (whole benchmark {elapsed / 60:.1f} min, of which setup "
        f"{(setup['seed_seconds'] + setup['enrich_seconds']) / 60:.1f} min), code at {describe_state(setup.get('code'))}. "
        f"Machine: {machine()}.",
        "Load average (1 min) before each page's process: " + ", ".join(f"{b:.1f}" for b, _ in load)
        + " (other sessions share the 2 cores).",
        "",
        f"Store: {setup['runs']:,} runs, {setup['executions']:,} query executions "
        f"({setup['executions'] / max(setup['runs'], 1):.0f}/run), {setup['store_mb']:.0f} MB on disk; jobs "
        + (", ".join(f"{k} {v:,}" for k, v in sorted(setup["jobs"].items())) or "none")
        + f" (the rest not queued yet). Seeding {setup['seed_seconds']:.0f} s, the setup pass "
        f"{setup['enrich_seconds']:.0f} s" + (" (store reused)" if setup["reused"] else "") + ".",
        "",
        f"| page | cold (first run, fresh process) | first run in a warm process | warm median of {args.repeats} "
        f"| warm min–max | warm, caches cleared (median) | target warm < {WARM_TARGET_MS} ms "
        f"| target cold < {COLD_TARGET_MS / 1000:.1f} s | problems |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in pages:
        med = statistics.median(r["warm"]) * 1000
        cold = r["cold"] * 1000
        warm_v = "met" if med < WARM_TARGET_MS else f"missed by {med - WARM_TARGET_MS:,.0f} ms ({med / WARM_TARGET_MS:.1f}×)"
        cold_v = "met" if cold < COLD_TARGET_MS else f"missed by {(cold - COLD_TARGET_MS) / 1000:,.1f} s ({cold / COLD_TARGET_MS:.1f}×)"
        lines.append(f"| `{r['page']}` | {cold:,.0f} ms | {r['first_in_warm_process'] * 1000:,.0f} ms "
                     f"| **{med:,.0f} ms** | {min(r['warm']) * 1000:,.0f}–"
                     f"{max(r['warm']) * 1000:,.0f} ms | {_uncached(r)} | {warm_v} | {cold_v} | "
                     f"{'; '.join(r['problems']) or 'none'} |")
    return "\n".join(lines) + "\n"


def _uncached(r: dict) -> str:
    runs = r.get("warm_uncached")  # absent in measurements saved before this column existed
    return f"{statistics.median(runs) * 1000:,.0f} ms" if runs else "not measured"


def write_section(text: str, runs: int) -> None:
    """Replace this store size's block in docs/benchmarks.md (each size keeps its own), or append one."""
    begin, end = f"<!-- pages:{runs}:begin -->", f"<!-- pages:{runs}:end -->"
    body = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    block = f"{begin}\n{text}{end}"
    if begin in body and end in body:
        before, rest = body.split(begin, 1)
        body = before + block + rest.split(end, 1)[1]
    else:
        body = (body.rstrip() + "\n\n" if body else "") + f"### Page run times, {runs:,} runs\n\n" + block + "\n"
    DOC.write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs in the store (default 2000)")
    parser.add_argument("--repeats", type=int, default=5, help="warm runs per page (default 5)")
    parser.add_argument("--enrich-jobs", type=int, default=ENRICH_JOBS,
                        help=f"jobs the setup pass enriches (default {ENRICH_JOBS}; 0: seed only)")
    parser.add_argument("--home", type=Path, help="use or keep this ENRICHMENT_HOME (seeded only if empty)")
    parser.add_argument("--pages", nargs="+", default=list(PAGES), help="pages to measure")
    parser.add_argument("--no-write", action="store_true", help="print only; do not rewrite docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="also save the raw measurements here")
    parser.add_argument("--child", choices=("setup", "page", "page-first"), help=argparse.SUPPRESS)
    parser.add_argument("--page", help=argparse.SUPPRESS)
    parser.add_argument("--run-id", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "setup":
        home = Path(os.environ["ENRICHMENT_HOME"])
        args.out.write_text(json.dumps(child_setup(home, args.runs, args.enrich_jobs), default=str))
        return
    if args.child == "page":
        args.out.write_text(json.dumps(child_page(args.page, args.repeats, args.run_id), default=str))
        return
    if args.child == "page-first":
        args.out.write_text(json.dumps(child_page_first(args.page, args.run_id), default=str))
        return

    t0 = time.perf_counter()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-pages-")) / "home"
    try:
        print(f"[{time.strftime('%H:%M:%S')}] setting up {home}", file=sys.stderr, flush=True)
        setup = _child(["--child", "setup", "--runs", str(args.runs), "--enrich-jobs", str(args.enrich_jobs)], home)
        print(f"[{time.strftime('%H:%M:%S')}] {setup['runs']:,} runs, {setup['executions']:,} executions",
              file=sys.stderr, flush=True)
        results, load = [], []
        for page in args.pages:
            before = os.getloadavg()[0]
            extra = ["--run-id", setup["detail_run"]] if setup.get("detail_run") else []
            r = _child(["--child", "page", "--page", page, "--repeats", str(args.repeats), *extra], home)
            r.update(_child(["--child", "page-first", "--page", page, *extra], home))
            load.append((before, os.getloadavg()[0]))
            print(f"[{time.strftime('%H:%M:%S')}] {page}: cold {r['cold']:.2f} s, warm median "
                  f"{statistics.median(r['warm']):.2f} s", file=sys.stderr, flush=True)
            results.append(r)
    finally:
        if args.home is None:
            shutil.rmtree(home.parent, ignore_errors=True)
    elapsed = time.perf_counter() - t0
    if args.json:
        args.json.write_text(json.dumps({"setup": setup, "pages": results}, indent=1, default=str))
    text = report(setup, results, args, elapsed, load)
    print(text)
    if not args.no_write:
        write_section(text, args.runs)
        print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
