"""What every enrichment returns, and the time padding used when reading a view for a run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Views are filtered on their own time columns around the run's window; a little padding absorbs
# clock skew between the client that recorded the run and Snowflake.
PADDING = dt.timedelta(minutes=5)


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
