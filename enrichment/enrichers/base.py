"""What every enrichment returns, how a batch's runs are cut into time chunks, and the padding used
when reading a view around a run.

An enricher takes the facts of many runs and reads its view once for all of them (a chunk), then
returns one EnrichmentResult per run id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

# Views are filtered on their own time columns around the run's window; a little padding absorbs
# clock skew between the client that recorded the run and Snowflake.
PADDING = dt.timedelta(minutes=5)

Window = tuple[dt.datetime, dt.datetime]
T = TypeVar("T")


@dataclass
class EnrichmentResult:
    rows_written: int
    # Share of what the run should find that the view held, 0..1; None where the view offers no
    # completeness measure (sparse views: no row may simply mean nothing happened).
    coverage: float | None
    detail: str
    # Coverage that must be reached before the type may complete (None: no requirement).
    required_coverage: float | None = None

    @property
    def complete(self) -> bool:
        if self.required_coverage is None or self.coverage is None:
            return True
        return self.coverage >= self.required_coverage


def time_chunks(items: Sequence[T], window_of: Callable[[T], Window], hours: float) -> list[list[T]]:
    """Items in time order, cut so that no chunk spans more than `hours` from its first start to its
    last end (a run longer than that is a chunk of its own). One read of a view covers one chunk."""
    span = dt.timedelta(hours=hours)
    chunks: list[list[T]] = []
    chunk_start = None
    for item in sorted(items, key=lambda i: (window_of(i)[0], window_of(i)[1])):
        start, end = window_of(item)
        if chunks and chunk_start is not None and end - chunk_start <= span:
            chunks[-1].append(item)
        else:
            chunks.append([item])
            chunk_start = start
    return chunks


def padded_windows(windows: dict[str, Window], padding: dt.timedelta) -> dict[str, Window]:
    return {run_id: (start - padding, end + padding) for run_id, (start, end) in windows.items()}


def chunk_bounds(windows: dict[str, Window]) -> Window:
    """The stretch of time one read must cover: from the earliest start to the latest end."""
    return min(start for start, _ in windows.values()), max(end for _, end in windows.values())


def windows_batch(windows: dict[str, Window]) -> list[dict]:
    """Runs and their windows in the shape the batch statements read ({RUN_ID, FROM_TIME, TO_TIME})."""
    return [{"RUN_ID": run_id, "FROM_TIME": start, "TO_TIME": end} for run_id, (start, end) in sorted(windows.items())]
