"""Build `enrichment.zip`, the code a Snowflake stored procedure imports from a stage.

    python -m enrichment.deploy build [--out dist/enrichment.zip]

The archive holds the `enrichment` package (Python files only) and the `sql/` folder, because the
engine reads every statement from `sql/` (the deployment scripts in `sql/snowflake/` are left out). Entries are written in a fixed order with a fixed
timestamp, so the same code always gives the same bytes (and the same digest, which the procedure
uses to name the folder it unpacks into). Upload it with PUT ... AUTO_COMPRESS = FALSE (see
docs/snowflake.md); a gzip-compressed upload would be named enrichment.zip.gz and not be found.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "dist" / "enrichment.zip"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def archive_members(root: Path = ROOT) -> list[tuple[Path, str]]:
    """(file on disk, name in the archive) for every file the procedure needs, sorted by name."""
    members = []
    for path in (root / "enrichment").rglob("*.py"):
        if "__pycache__" not in path.parts:
            members.append((path, path.relative_to(root).as_posix()))
    for path in (root / "sql").rglob("*.sql"):
        if path.relative_to(root / "sql").parts[0] != "snowflake":  # deployment scripts, not the engine's
            members.append((path, path.relative_to(root).as_posix()))
    return sorted(members, key=lambda member: member[1])


def build_archive(out: Path = DEFAULT_OUT, root: Path = ROOT) -> Path:
    """Write the archive to `out` (its folder is created) and return the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, name in archive_members(root):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    partial.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m enrichment.deploy",
                                     description="Build the archive the Snowflake stored procedure imports.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write enrichment.zip")
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write it (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    out = build_archive(args.out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    count = len(archive_members())
    print(f"wrote {out} ({count} files, sha256 {digest}…); upload it with:\n"
          f"  PUT file://{out} @<database>.<schema>.FLAKEBENCH_ENRICHMENT_CODE AUTO_COMPRESS = FALSE OVERWRITE = TRUE;")
    return 0


if __name__ == "__main__":
    sys.exit(main())
