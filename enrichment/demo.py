"""The demo CLI: seed the embedded store with a simulated FlakeBench account, or remove the store.

    python -m enrichment.demo seed [--runs N] [--seed S] [--latency-scale F] [--replace]
    python -m enrichment.demo reset

The store lives in ENRICHMENT_HOME (default ./.enrichment). Problems a person can fix are reported as
one sentence on stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from enrichment.config import Settings, load_settings
from enrichment.errors import UserFacingError

MAX_RUNS = 20_000
MAX_LATENCY_SCALE = 10.0  # the range ENRICHMENT_LATENCY_SCALE accepts


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one sentence and exit status 2 (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserFacingError(f"{message[0].upper()}{message[1:]}; run `python -m enrichment.demo --help` for usage.")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m enrichment.demo", description="Seed or remove the embedded demo store.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    seed = commands.add_parser("seed", help="fill the store with a simulated FlakeBench account")
    seed.add_argument("--runs", type=int, default=40, help="number of benchmark runs (default 40)")
    seed.add_argument("--seed", type=int, default=7, help="random seed; the same seed gives the same world")
    seed.add_argument("--latency-scale", type=float, default=None,
                      help="how late the simulated views land, as a fraction of the documented latency "
                           "(default ENRICHMENT_LATENCY_SCALE or 0.02)")
    seed.add_argument("--replace", action="store_true", help="replace a store that already holds runs")
    commands.add_parser("reset", help="delete the embedded store's files")
    return parser


def _seed(settings: Settings, args: argparse.Namespace) -> None:
    if not 0 <= args.runs <= MAX_RUNS:
        raise UserFacingError(f"--runs must be between 0 and {MAX_RUNS}, not {args.runs}.")
    scale = settings.latency_scale if args.latency_scale is None else args.latency_scale
    if not (math.isfinite(scale) and 0 < scale <= MAX_LATENCY_SCALE):
        raise UserFacingError(
            f"--latency-scale must be greater than 0 and at most {MAX_LATENCY_SCALE:g}, not {args.latency_scale}."
        )

    from enrichment.simulation.seed import seed_demo
    from enrichment.store import open_store

    summary = seed_demo(open_store(settings), runs=args.runs, seed=args.seed, latency_scale=scale,
                        replace=args.replace)
    views = ", ".join(
        f"{table.rsplit('.', 1)[1].removesuffix('_ROWS')} {count:,}"
        for table, count in summary["rows"].items() if table.startswith("SNOWFLAKE.")
    )
    print(f"Seeded {summary['runs']} runs ({summary['executions']:,} query executions) into {settings.home} "
          f"in {summary['seconds']:.1f} s (seed {args.seed}, latency scale {scale:g}).")
    print(f"Simulated ACCOUNT_USAGE rows: {views}; they become visible as their latency passes.")


def _reset(settings: Settings) -> None:
    from enrichment.store.embedded import remove_store_files

    store_dir = Path(settings.home) / "db"
    files = sorted(p.name for p in store_dir.iterdir() if p.is_file()) if store_dir.is_dir() else []
    remove_store_files(settings.home)
    if files:
        print(f"Removed {len(files)} store file(s) from {store_dir}: {', '.join(files)}.")
    else:
        print(f"Nothing to remove: {store_dir} holds no store files.")


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        settings = load_settings()
        if not settings.embedded:
            raise UserFacingError(
                "The demo works only on the embedded store; unset ENRICHMENT_BACKEND (or set it to 'embedded')."
            )
        if args.command == "seed":
            _seed(settings, args)
        else:
            _reset(settings)
    except UserFacingError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
