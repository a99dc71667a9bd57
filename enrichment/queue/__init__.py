"""The persistent queue: jobs (one per run), per-type states, claims and leases."""
