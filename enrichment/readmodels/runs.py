"""The Runs page: a searchable, filterable, paginated list of runs with their enrichment state."""

from __future__ import annotations

import pandas as pd

from enrichment.readmodels.filters import Page, RunFilter, as_json_list, checked_range, clean_search, fetch_page
from enrichment.store.port import Db


def runs_page(db: Db, filters: RunFilter, page: Page) -> tuple[pd.DataFrame, int]:
    """The page's rows and the total number of matches."""
    search = clean_search(filters.search)
    since, until = checked_range(filters.ended_from, filters.ended_until)
    types, statuses, states = (as_json_list(filters.table_types), as_json_list(filters.statuses),
                               as_json_list(filters.delayed_states))
    return fetch_page(db, "runs_page", [search, search, types, types, statuses, statuses, states, states,
                                        since, since, until, until, page.size, page.offset])
