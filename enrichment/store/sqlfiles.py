"""Named SQL statements, read from the `sql/` folder.

A statement is referred to by its file name without `.sql` (for example "claim_jobs" for
`sql/queries/claim_jobs.sql`). Keeping every statement in its own file means a reader finds the
SQL the product runs in one place, in Snowflake's dialect, and the offline tests can parse all of it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

SQL_ROOT = Path(__file__).resolve().parents[2] / "sql"
_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


def is_statement_name(text: str) -> bool:
    return bool(_NAME.match(text))


@functools.lru_cache(maxsize=None)
def load(name: str) -> str:
    """Return the text of a named statement; names without a folder live in sql/queries/."""
    if not is_statement_name(name):
        raise ValueError(f"{name!r} is not a statement name")
    relative = name if "/" in name else f"queries/{name}"
    path = SQL_ROOT / f"{relative}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"No SQL statement named {name!r} (looked for {path})")
    return path.read_text(encoding="utf-8").strip().rstrip(";")


def split_script(text: str) -> list[str]:
    """Split a migration script into statements at semicolons that end a line.

    Migration files keep one statement per semicolon-terminated block and never put a semicolon
    at the end of a line inside a string, which keeps this splitter trivially correct.
    """
    statements, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("--")):
            continue
        current.append(line)
        if stripped.endswith(";"):
            statement = "\n".join(current).strip().rstrip(";").strip()
            if statement:
                statements.append(statement)
            current = []
    tail = "\n".join(current).strip()
    if tail:
        statements.append(tail)
    return statements


def resolve(sql_or_name: str) -> str:
    """A statement name becomes its text; anything else is returned as is."""
    return load(sql_or_name) if is_statement_name(sql_or_name) else sql_or_name
