"""How long does each dashboard page take to render fully in a real browser (Debian's Chromium)?

Run from the repository root, on a store seeded by `bench.pages` (or any embedded store):

    python -m bench.pages --runs 10000 --home /tmp/pages-10k       # seed (and time the scripts) once
    python -m bench.browser_render --home /tmp/pages-10k           # then time the browser, per page

Measured: the app is started once (`streamlit run streamlit_app.py`, headless, no built-in runner) and
warmed with one visit to Overview, the way a server that has served somebody is. Then, per page and
repetition, a fresh browser context (no cache, no session) opens the page's URL and the clock runs
from `page.goto` until the page is fully rendered: the shell is there, the page's last heading is
drawn, Streamlit's running indicator and skeletons are gone, and the content's height has stopped
changing. The time reported is the moment of the last change of height (the half second spent
confirming that nothing moves any more is not counted). *First* is the first visit after the warm-up,
*median* the median of `--repeats` visits.

Target (issue 6): first full render under 3 s with 10,000 runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- browser_render:begin -->", "<!-- browser_render:end -->"
# Page path -> the heading its script writes last (as tests/browser/test_pages.py waits for).
PAGES = {"": "Overview", "runs": "Runs", "run_detail": "Client vs server", "compare": "Compare runs",
         "queue_health": "Jobs", "admin": "Housekeeping"}
TARGET_MS = 3000
TIMEOUT_MS = 120_000
# The height of everything the app has drawn (main area and sidebar), in CSS pixels.
CONTENT_HEIGHT = """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
    .map(selector => document.querySelector(selector)?.scrollHeight || 0))"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(home: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICHMENT_")}
    env.update({"ENRICHMENT_HOME": str(home), "ENRICHMENT_APP_RUNNER_INTERVAL": "0"})
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with open(log, "wb") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise SystemExit(f"The app did not start; see {log}.")


def render_ms(browser, url: str, path: str, heading: str) -> tuple[float, list[str]]:
    """Milliseconds from navigation until the page stopped changing, and any error shown on it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(f"{url}/{path}", timeout=TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
        problems = '[data-testid="stException"], [data-testid="stAlertContentError"]'
        page.get_by_role("heading", name=heading).or_(page.locator(problems)).first.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=TIMEOUT_MS)
        last_height, last_change, stable = -1, time.perf_counter(), 0
        while stable < 5:  # unchanged for half a second
            height = page.evaluate(CONTENT_HEIGHT)
            if height != last_height:
                last_height, last_change, stable = height, time.perf_counter(), 0
            else:
                stable += 1
            page.wait_for_timeout(100)
        shown = [t.strip() for t in page.locator(problems).all_inner_texts()]
        return (last_change - t0) * 1000, shown
    finally:
        context.close()


def report(results: dict, facts: dict, repeats: int) -> str:
    lines = [
        f"Command: `python -m bench.browser_render --home <store> --repeats {repeats}`; Chromium "
        f"{facts['chromium']}, headless, 1400×1000. Store: {facts['runs']:,} runs, {facts['executions']:,} query "
        f"executions. Load average (1 min) before: {facts['load'][0]:.1f}, after: {facts['load'][1]:.1f}.",
        "",
        "| page | first full render | median of the next visits | min–max | target < 3 s | errors shown |",
        "|---|---|---|---|---|---|",
    ]
    for path, r in results.items():
        first, rest = r["ms"][0], r["ms"][1:] or r["ms"]
        verdict = "met" if first < TARGET_MS else f"missed by {(first - TARGET_MS) / 1000:.1f} s"
        lines.append(f"| `{path or '(overview)'}` | {first:,.0f} ms | **{statistics.median(rest):,.0f} ms** | "
                     f"{min(r['ms']):,.0f}–{max(r['ms']):,.0f} ms | {verdict} | {len(r['problems'])} |")
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    body = DOC.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}{END}"
    if BEGIN in body:
        before, rest = body.split(BEGIN, 1)
        body = before + block + rest.split(END, 1)[1]
    else:
        body = body.rstrip() + "\n\n## First full render in Chromium\n\n" + block + "\n"
    DOC.write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="the ENRICHMENT_HOME of a seeded embedded store")
    parser.add_argument("--repeats", type=int, default=3, help="visits per page after the first (default 3)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("Chromium is not installed; run `apt-get install -y chromium`.")
    if not (args.home / "db").is_dir():
        raise SystemExit(f"{args.home} holds no embedded store; seed one with `python -m bench.pages --home {args.home}`.")
    from playwright.sync_api import sync_playwright

    os.environ["ENRICHMENT_HOME"] = str(args.home)
    from enrichment.config import load_settings
    from enrichment.store import open_store

    with open_store(load_settings()).unit() as db:
        facts = {"runs": int(db.scalar("SELECT COUNT(*) FROM TEST_RESULTS WHERE TEST_ID = RUN_ID")),
                 "executions": int(db.scalar("SELECT COUNT(*) FROM QUERY_EXECUTIONS")),
                 "run": db.scalar("SELECT RUN_ID FROM DELAYED_ENRICHMENT_QUEUE WHERE STATUS = 'COMPLETED' "
                                  "AND TABLE_TYPE = 'HYBRID' ORDER BY RUN_ID LIMIT 1")}
    process, url = start_app(args.home, args.home / "browser-render-streamlit.log")
    results, before = {}, os.getloadavg()[0]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                                 args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
            facts["chromium"] = browser.version
            render_ms(browser, url, "", PAGES[""])  # warm the server: modules imported, store opened
            for path, heading in PAGES.items():
                target = f"{path}?run={facts['run']}" if path == "run_detail" and facts["run"] else path
                timings, problems = [], []
                for _ in range(1 + args.repeats):
                    ms, shown = render_ms(browser, url, target, heading)
                    timings.append(ms)
                    problems += shown
                results[path] = {"ms": timings, "problems": problems}
                print(f"[{time.strftime('%H:%M:%S')}] {path or 'overview'}: " + ", ".join(f"{m:,.0f}" for m in timings)
                      + " ms", file=sys.stderr, flush=True)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    facts["load"] = (before, os.getloadavg()[0])
    text = report(results, facts, args.repeats)
    print(text)
    print(json.dumps(results), file=sys.stderr)
    if not args.no_write:
        write_section(text)
        print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
