"""The headless runner, for cron or any scheduler.

    python -m enrichment.run                       one pass (discover, run what is due, housekeeping)
    python -m enrichment.run --loop [--interval S] pass after pass
    python -m enrichment.run backfill --since DATE [--until DATE]
    python -m enrichment.run status [--json]       queue health against the plan's thresholds
    python -m enrichment.run retry JOB_ID | --all-failed
    python -m enrichment.run check [--json]        can the store and the five views be used?

Exit codes: 0 all went well; 1 some jobs failed; 2 the store or the views cannot be used (or the
command line is wrong). Errors are one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time

from enrichment.check import check
from enrichment.clock import utcnow
from enrichment.config import load_settings
from enrichment.errors import UserFacingError
from enrichment.queue.admin import backfill, parse_day, retry_all_failed, retry_jobs
from enrichment.queue.health import queue_health
from enrichment.runner import run_pass
from enrichment.schema import migrate
from enrichment.store import open_store

OK, SOME_FAILED, UNUSABLE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one sentence, exit 2
        sys.stderr.write(f"enrichment.run: {message}; see --help.\n")
        raise SystemExit(UNUSABLE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m enrichment.run", description="Delayed enrichment runner.")
    parser.add_argument("--loop", action="store_true", help="keep running passes")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes with --loop")
    parser.add_argument("--max-jobs", type=int, default=500, help="most jobs one pass works on")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.add_argument("--quiet", action="store_true", help="log warnings only")
    sub = parser.add_subparsers(dest="command")
    fill = sub.add_parser("backfill", help="create and run jobs for runs that ended in a date range")
    fill.add_argument("--since", required=True)
    fill.add_argument("--until")
    fill.add_argument("--json", action="store_true", dest="json_sub")
    status = sub.add_parser("status", help="queue health")
    status.add_argument("--json", action="store_true", dest="json_sub")
    retry = sub.add_parser("retry", help="re-open failed jobs")
    retry.add_argument("job_id", nargs="?")
    retry.add_argument("--all-failed", action="store_true")
    chk = sub.add_parser("check", help="check the store and the five views")
    chk.add_argument("--json", action="store_true", dest="json_sub")
    for p in (fill, status, retry, chk):
        p.error = parser.error  # type: ignore[method-assign]
    return parser


def _progress_bar(done: int, total: int, label: str) -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _one_pass(store, settings, args) -> int:
    summary = run_pass(store, settings, max_jobs=args.max_jobs)
    if args.json:
        print(json.dumps(summary.as_dict(), default=str))
    else:
        print(summary.line())
    return SOME_FAILED if summary.types_failed else OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    as_json = args.json or getattr(args, "json_sub", False)
    logging.basicConfig(level=logging.WARNING if args.quiet or as_json else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        settings = load_settings()
        store = open_store(settings)
        migrate(store)
        if args.command == "check":
            report = check(store)
            if as_json:
                print(json.dumps(report, indent=2, default=str))
            else:
                for view, entry in report["views"].items():
                    state = "readable" if entry["readable"] else f"NOT readable ({entry['error']})"
                    missing = f", missing {', '.join(entry['missing_read_columns'])}" if entry["missing_read_columns"] else ""
                    print(f"{view}: {state}, {len(entry['columns'])} columns{missing}")
                print("OK" if report["ok"] else "PROBLEMS FOUND")
            return OK if report["ok"] else UNUSABLE
        if args.command == "status":
            with store.unit() as db:
                health = queue_health(db, now=utcnow(), lease=dt.timedelta(seconds=settings.lease_seconds))
            if as_json:
                print(json.dumps(health.as_dict(), default=str))
            else:
                print("jobs: " + ", ".join(f"{k} {v}" for k, v in sorted(health.jobs_by_status.items())))
                for name, value in health.figures.items():
                    print(f"{name}: {value}" + (f" [{health.levels[name]}]" if name in health.levels else ""))
                print(f"overall: {health.worst}")
            return OK
        if args.command == "retry":
            if args.all_failed == bool(args.job_id):
                raise UserFacingError("Give either one JOB_ID or --all-failed to `retry`.")
            count = retry_all_failed(store, settings) if args.all_failed else retry_jobs(store, settings, [args.job_id])
            print(f"re-opened {count} job(s)")
            return OK
        if args.command == "backfill":
            since = parse_day(args.since, "--since")
            until = parse_day(args.until, "--until") if args.until else None
            result = backfill(store, settings, since, until, progress=_progress_bar)
            print(json.dumps(result, default=str) if as_json else
                  f"backfill: {result['runs_found']} runs found, {result['jobs_created']} jobs created, "
                  f"{result['types_completed']} types completed, {result['types_failed']} failed")
            return SOME_FAILED if result["types_failed"] else OK
        if args.loop:
            while True:
                code = _one_pass(store, settings, args)
                if code != OK:
                    logging.getLogger("enrichment.run").warning("some jobs failed in this pass")
                time.sleep(max(args.interval, 1.0))
        return _one_pass(store, settings, args)
    except UserFacingError as exc:
        sys.stderr.write(f"{exc}\n")
        return UNUSABLE
    except KeyboardInterrupt:
        return OK
    except Exception as exc:  # unexpected: one sentence, the detail in the log only
        logging.getLogger("enrichment.run").debug("unexpected error", exc_info=True)
        first = " ".join(str(exc).split())[:300]
        sys.stderr.write(f"The runner stopped on an unexpected error ({type(exc).__name__}: {first}); "
                         f"run again with the store reachable, or report it.\n")
        return UNUSABLE


if __name__ == "__main__":
    raise SystemExit(main())
