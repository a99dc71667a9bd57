"""What FlakeBench's workers ran in the demo world, seen from both ends of the wire.

For each planned run this module draws the executions: their query kind (from the run's workload
mix), the server-side timings Snowflake would measure (per table type and kind: hybrid point lookups
take a few ms, standard scans up to seconds, with a heavy tail), the client's end-to-end latency
(server time plus client and network overhead), failures, row-lock waits and I/O figures. Executions
are laid back to back on each worker connection, so no connection runs two queries at once and every
execution falls inside its phase (warmup, then measurement) of its child's window.

The result is one "truth" frame with one row per execution, holding both halves: world.py writes the
client half to QUERY_EXECUTIONS, server_truth.py turns the server half into ACCOUNT_USAGE rows. Keeping
one source for both is what makes the simulated views agree exactly with FlakeBench's own tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

KINDS = ("POINT_LOOKUP", "RANGE_SCAN", "INSERT", "UPDATE", "GENERIC_SQL")
READ_KINDS = ("POINT_LOOKUP", "RANGE_SCAN", "GENERIC_SQL")
SNOWFLAKE_TYPES = ("STANDARD", "HYBRID", "INTERACTIVE", "DYNAMIC")

# Snowflake omits short hybrid-only queries from QUERY_HISTORY; it keeps those over ~500 ms and a
# periodic sample of the rest.
HYBRID_HISTORY_THRESHOLD_MS = 500
HYBRID_HISTORY_SAMPLE_RATE = 0.001
# The immediate pass (INFORMATION_SCHEMA.QUERY_HISTORY) reaches about this share of non-hybrid queries.
IMMEDIATE_PASS_COVERAGE = 0.95
# Snowflake lists hybrid row-lock waits only from about 5 s up.
LISTED_LOCK_WAIT_MS = 5_000
STATEMENT_TIMEOUT_S = {"snowflake": 10, "postgres": 5}

# Server execution and compilation time per (table type, kind): (median ms, lognormal sigma) each.
SERVER_PROFILE: dict[tuple[str, str], tuple[float, float, float, float]] = {
    ("HYBRID", "POINT_LOOKUP"): (4, 0.45, 1.2, 0.4),
    ("HYBRID", "RANGE_SCAN"): (35, 0.6, 3, 0.4),
    ("HYBRID", "INSERT"): (7, 0.45, 2, 0.4),
    ("HYBRID", "UPDATE"): (9, 0.5, 2, 0.4),
    ("HYBRID", "GENERIC_SQL"): (120, 0.6, 15, 0.5),
    ("STANDARD", "POINT_LOOKUP"): (150, 0.5, 40, 0.4),
    ("STANDARD", "RANGE_SCAN"): (600, 0.8, 60, 0.4),
    ("STANDARD", "INSERT"): (350, 0.4, 50, 0.4),
    ("STANDARD", "UPDATE"): (700, 0.5, 60, 0.4),
    ("STANDARD", "GENERIC_SQL"): (1200, 0.7, 90, 0.5),
    ("INTERACTIVE", "POINT_LOOKUP"): (18, 0.45, 6, 0.4),
    ("INTERACTIVE", "RANGE_SCAN"): (60, 0.6, 10, 0.4),
    ("INTERACTIVE", "INSERT"): (90, 0.5, 15, 0.4),
    ("INTERACTIVE", "UPDATE"): (120, 0.5, 15, 0.4),
    ("INTERACTIVE", "GENERIC_SQL"): (250, 0.6, 30, 0.5),
    ("DYNAMIC", "POINT_LOOKUP"): (180, 0.5, 45, 0.4),
    ("DYNAMIC", "RANGE_SCAN"): (700, 0.8, 70, 0.4),
    ("DYNAMIC", "INSERT"): (400, 0.4, 50, 0.4),
    ("DYNAMIC", "UPDATE"): (800, 0.5, 60, 0.4),
    ("DYNAMIC", "GENERIC_SQL"): (1500, 0.7, 100, 0.5),
    ("POSTGRES", "POINT_LOOKUP"): (0.6, 0.5, 0, 0),
    ("POSTGRES", "RANGE_SCAN"): (6, 0.6, 0, 0),
    ("POSTGRES", "INSERT"): (1.8, 0.5, 0, 0),
    ("POSTGRES", "UPDATE"): (2.5, 0.5, 0, 0),
    ("POSTGRES", "GENERIC_SQL"): (40, 0.7, 0, 0),
}

# (code, SQLSTATE, message, weight). Codes are strings, as AGGREGATE_QUERY_HISTORY.ERRORS shows them.
SNOWFLAKE_ERRORS = (
    ("000630", "57014", "Statement reached its statement or warehouse timeout of 10 second(s) and was canceled.", 0.45),
    ("000604", "57014", "SQL execution canceled", 0.35),
    ("000603", "XX000", "SQL execution internal error: Processing aborted due to error 300002:2523566194; "
                        "incident 4817342.", 0.20),
)
POSTGRES_ERRORS = (
    ("57014", "QueryCanceled", "canceling statement due to statement timeout", 0.5),
    ("40P01", "DeadlockDetected", "deadlock detected", 0.3),
    ("08006", "OperationalError", "server closed the connection unexpectedly", 0.2),
)

# Statement shapes. `{fq}` is the table, `{a}`/`{b}` literals that Snowflake parameterizes (operands
# of =, >=, <, >), so every execution of one shape shares a QUERY_PARAMETERIZED_HASH. INSERTs use bind
# variables, which QUERY_TEXT shows as `?`.
STATEMENTS = {
    "POINT_LOOKUP": "SELECT /*UB_KIND=POINT_LOOKUP UB_OP=READ*/ * FROM {fq} WHERE id = {a}",
    "RANGE_SCAN": "SELECT /*UB_KIND=RANGE_SCAN UB_OP=READ*/ id, customer_id, amount, status FROM {fq} "
                  "WHERE id >= {a} AND id < {b}",
    "INSERT": "INSERT /*UB_KIND=INSERT UB_OP=WRITE*/ INTO {fq} (id, customer_id, amount, status, created_at) "
              "VALUES (?, ?, ?, ?, ?)",
    "UPDATE": "UPDATE /*UB_KIND=UPDATE UB_OP=WRITE*/ {fq} SET status = 'UPDATED', amount = amount + 1 WHERE id = {a}",
}
# Analytical statements a run's GENERIC_SQL share is made of; the features drive which query
# insights Snowflake could raise for them.
GENERIC_STATEMENTS = {
    "agg_by_status": "SELECT /*UB_KIND=GENERIC_SQL UB_OP=READ*/ status, COUNT(*) AS orders, SUM(amount) AS total "
                     "FROM {fq} WHERE created_at >= '{a}' GROUP BY status",
    "join_customers": "SELECT /*UB_KIND=GENERIC_SQL UB_OP=READ*/ c.region, SUM(o.amount) AS revenue FROM {fq} o "
                      "JOIN {db}.{schema}.CUSTOMERS c ON o.customer_id = c.customer_id WHERE o.amount > {a} "
                      "GROUP BY c.region",
    "like_notes": "SELECT /*UB_KIND=GENERIC_SQL UB_OP=READ*/ id, notes FROM {fq} WHERE notes LIKE '%refund%'",
    "full_count": "SELECT /*UB_KIND=GENERIC_SQL UB_OP=READ*/ COUNT(*) AS n, AVG(amount) AS mean_amount FROM {fq}",
}


@dataclass(frozen=True)
class Target:
    """The table a run drives, and where it lives."""

    database: str
    schema: str
    table: str  # bare identifier used in SQL
    config_name: str  # TEST_RESULTS.TABLE_NAME: the table config's name
    warehouse: str | None
    warehouse_size: str | None  # FlakeBench spelling, e.g. MEDIUM
    database_id: int
    schema_id: int
    table_id: int
    warehouse_id: int | None
    partitions_total: int  # micro-partitions of the table (0 for hybrid and Postgres row stores)

    @property
    def qualified(self) -> str:
        return f"{self.database}.{self.schema}.{self.table}"


@dataclass
class Child:
    """One worker process: a child TEST_RESULTS row, one Snowflake session, several connections."""

    test_id: str
    connections: int
    session_id: int
    start: dt.datetime
    end: dt.datetime

    @property
    def query_tag(self) -> str:
        return f"flakebench:test_id={self.test_id}"


@dataclass
class RunPlan:
    run_id: str
    table_type: str
    status: str  # COMPLETED, FAILED, CANCELLED or RUNNING
    workload_name: str
    workload: dict[str, float]  # kind -> share
    generic_statements: tuple[str, ...]
    test_name: str
    scenario_name: str
    target: Target
    start: dt.datetime
    warmup_end: dt.datetime
    end: dt.datetime  # for a RUNNING run: the last moment simulated (just before now)
    children: list[Child]
    executions: int  # executions to attempt (fewer when the connections cannot fit them)
    fail_rate: float
    historical: bool = False
    lock_contention: bool = False
    throttled: bool = False
    cluster_count: int = 1
    failure_reason: str | None = None
    cancellation_reason: str | None = None
    template_id: str = ""
    bucket: str = ""  # how long ago it ended: old, mid, recent, just_ended, running, historical

    @property
    def concurrency(self) -> int:
        return sum(c.connections for c in self.children)

    @property
    def is_snowflake(self) -> bool:
        return self.table_type in SNOWFLAKE_TYPES

    @property
    def client_rows_written(self) -> bool:
        """FlakeBench copies QUERY_EXECUTIONS in at PROCESSING, so an in-flight run has none yet."""
        return self.status != "RUNNING"


class Ids:
    """Identifiers drawn from the world's generator, so the same seed gives the same ids."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._query_seq = 0
        self._deployment = int(rng.integers(1, 0x40))

    def uuids(self, n: int) -> list[str]:
        """Random (version 4) UUIDs as text."""
        raw = self._rng.bytes(16 * n).hex()
        out = []
        for i in range(0, 32 * n, 32):
            h = raw[i:i + 32]
            variant = "89ab"[int(h[16], 16) & 3]
            out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}")
        return out

    def uuid(self) -> str:
        return self.uuids(1)[0]

    def query_ids(self, n: int) -> list[str]:
        """Snowflake-looking query ids (`01bd2f3a-0001-4c5e-0000-000a1b2c3d4e`); unique by a sequence."""
        head = self._rng.integers(0, 1 << 24, n)
        mid = self._rng.integers(0, 1 << 16, n)
        tail_high = self._rng.integers(0, 1 << 24, n)
        seq = np.arange(self._query_seq, self._query_seq + n)
        self._query_seq += n
        tail = (tail_high.astype(np.int64) << 24) | seq
        return [
            f"01{h:06x}-{self._deployment:04x}-{m:04x}-0000-{t:012x}"
            for h, m, t in zip(head.tolist(), mid.tolist(), tail.tolist())
        ]


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def stable_id(name: str, low: int = 100, high: int = 99_999) -> int:
    """A fixed number for a name (database, schema, warehouse ids)."""
    return low + int(md5_hex(name)[:8], 16) % (high - low)


def to_us(moment: dt.datetime) -> int:
    """Microseconds since the epoch for a naive UTC datetime."""
    return (moment - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)


def from_us(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="int64").astype("datetime64[us]")


# --------------------------------------------------------------------------------------------------
# One run's executions
# --------------------------------------------------------------------------------------------------


def generate_run(rng: np.random.Generator, ids: Ids, plan: RunPlan) -> pd.DataFrame:
    """Every execution of one run, client and server side (see module docstring)."""
    n = plan.executions
    children = plan.children
    warm_s = (plan.warmup_end - plan.start).total_seconds()
    measure_s = (plan.end - plan.warmup_end).total_seconds()
    n_warm = int(round(n * warm_s / (warm_s + measure_s)))
    warmup = np.arange(n) < n_warm

    kinds_list = list(plan.workload)
    shares = np.array([plan.workload[k] for k in kinds_list], dtype=float)
    kind = np.array(kinds_list, dtype=object)[rng.choice(len(kinds_list), n, p=shares / shares.sum())]
    child = rng.integers(0, len(children), n)
    connections = np.array([c.connections for c in children])[child]
    worker = np.floor(rng.random(n) * connections).astype(np.int64)
    generic = np.where(
        kind == "GENERIC_SQL",
        np.array(plan.generic_statements or ("agg_by_status",), dtype=object)[
            rng.integers(0, max(1, len(plan.generic_statements)), n)
        ],
        None,
    )

    failed, err_idx = _draw_failures(rng, plan, n)
    server = _server_timings(rng, plan, kind, warmup, child, worker, failed, err_idx)
    lock_wait = _lock_waits(rng, plan, kind, warmup, failed, server)
    overhead = _client_overhead(rng, plan.table_type, n)
    app_ms = np.round(server["TOTAL_ELAPSED_TIME"] + overhead, 3)

    start_us, kept = _place_on_connections(rng, plan, warmup, child, worker, app_ms)
    keep = np.flatnonzero(kept)
    # Client start order (ties broken by child and connection) gives a stable, readable row order.
    keep = keep[np.lexsort((worker[keep], child[keep], start_us[keep]))]
    cols: dict[str, np.ndarray] = {
        "RUN_ID": np.full(len(keep), plan.run_id, dtype=object),
        "TEST_ID": np.array([c.test_id for c in children], dtype=object)[child[keep]],
        "TABLE_TYPE": np.full(len(keep), plan.table_type, dtype=object),
        "CHILD_INDEX": child[keep],
        "WORKER_ID": worker[keep],
        "SESSION_ID": np.array([c.session_id for c in children], dtype=np.int64)[child[keep]],
        "WARMUP": warmup[keep],
        "QUERY_KIND": kind[keep],
        "GENERIC_STATEMENT": generic[keep],
        "SUCCESS": ~failed[keep],
        "ERROR_INDEX": err_idx[keep],
        "APP_ELAPSED_MS": app_ms[keep],
        "OVERHEAD_MS": overhead[keep],
        "CLIENT_START_US": start_us[keep],
        "LISTED_LOCK_WAIT_MS": lock_wait[keep],
    }
    for name, values in server.items():
        cols[name] = values[keep]
    m = len(keep)

    # The request reaches the server part-way through the client overhead.
    net_in_us = np.round(cols["OVERHEAD_MS"] * rng.uniform(0.3, 0.7, m) * 1000).astype(np.int64)
    cols["SERVER_START_US"] = cols["CLIENT_START_US"] + net_in_us
    cols["SERVER_END_US"] = cols["SERVER_START_US"] + np.round(cols["TOTAL_ELAPSED_TIME"] * 1000).astype(np.int64)
    cols["CLIENT_END_US"] = cols["CLIENT_START_US"] + np.round(cols["APP_ELAPSED_MS"] * 1000).astype(np.int64)

    _add_statements(rng, plan, cols)
    _add_io(rng, plan, cols)
    _add_identity(rng, ids, plan, cols)
    _add_errors(plan, cols)
    return pd.DataFrame(cols)


def _draw_failures(rng: np.random.Generator, plan: RunPlan, n: int) -> tuple[np.ndarray, np.ndarray]:
    failed = rng.random(n) < plan.fail_rate
    catalogue = POSTGRES_ERRORS if plan.table_type == "POSTGRES" else SNOWFLAKE_ERRORS
    weights = np.array([e[3] for e in catalogue])
    err_idx = np.where(failed, rng.choice(len(catalogue), n, p=weights / weights.sum()), -1)
    return failed, err_idx


def _server_timings(rng, plan, kind, warmup, child, worker, failed, err_idx) -> dict[str, np.ndarray]:
    """Server-side time components in ms (integers on Snowflake, as its views report them)."""
    n = len(kind)
    table_type = plan.table_type
    execution = np.zeros(n)
    compilation = np.zeros(n)
    for k in np.unique(kind):
        rows = kind == k
        exec_median, exec_sigma, comp_median, comp_sigma = SERVER_PROFILE[(table_type, k)]
        execution[rows] = rng.lognormal(np.log(exec_median), exec_sigma, rows.sum())
        if comp_median:
            compilation[rows] = rng.lognormal(np.log(comp_median), comp_sigma, rows.sum())
    # A heavy tail: the odd execution takes several times longer.
    tail = rng.random(n) < 0.005
    execution[tail] *= rng.uniform(4, 25, tail.sum())
    queued_overload = np.zeros(n)
    queued_provisioning = np.zeros(n)
    blocked = np.zeros(n)
    if table_type == "HYBRID":
        # Cold reads and compactions push a few hybrid queries past 500 ms (these reach QUERY_HISTORY).
        slow = rng.random(n) < 0.004
        execution[slow] += rng.uniform(500, 2500, slow.sum())
        # Row locks held by concurrent writers: usually short.
        updates = kind == "UPDATE"
        short = updates & (rng.random(n) < 0.05)
        blocked[short] = rng.uniform(1, 50, short.sum())
    if table_type in ("STANDARD", "DYNAMIC", "INTERACTIVE"):
        overloaded = rng.random(n) < (0.01 if table_type == "INTERACTIVE" else 0.03)
        queued_overload[overloaded] = rng.uniform(50, 3000 if table_type != "INTERACTIVE" else 200, overloaded.sum())
    if plan.is_snowflake:
        # The warehouse resumes for the first query of each worker process.
        for c in range(len(plan.children)):
            first = np.flatnonzero(warmup & (child == c) & (worker == 0))
            if len(first) and rng.random() < 0.6:
                queued_provisioning[first[0]] = rng.uniform(200, 1500)
        execution = np.maximum(1, np.round(execution))
        compilation = np.round(compilation)
        queued_overload = np.round(queued_overload)
        queued_provisioning = np.round(queued_provisioning)
        blocked = np.round(blocked)
    # Timeouts end at the statement timeout exactly.
    timeout_code = "000630" if plan.is_snowflake else "57014"
    catalogue = SNOWFLAKE_ERRORS if plan.is_snowflake else POSTGRES_ERRORS
    timed_out = failed & np.array([i >= 0 and catalogue[i][0] == timeout_code for i in err_idx])
    if timed_out.any():
        limit_ms = 1000 * STATEMENT_TIMEOUT_S["snowflake" if plan.is_snowflake else "postgres"]
        blocked[timed_out] = 0
        execution[timed_out] = np.maximum(
            1, limit_ms - compilation[timed_out] - queued_overload[timed_out] - queued_provisioning[timed_out]
        )
    total = compilation + execution + queued_overload + queued_provisioning + blocked
    return {
        "COMPILATION_TIME": compilation,
        "EXECUTION_TIME": execution,
        "QUEUED_OVERLOAD_TIME": queued_overload,
        "QUEUED_PROVISIONING_TIME": queued_provisioning,
        "TRANSACTION_BLOCKED_TIME": blocked,
        "TOTAL_ELAPSED_TIME": total,
    }


def _lock_waits(rng, plan, kind, warmup, failed, server) -> np.ndarray:
    """Row-lock waits on a contended hybrid run. Returns the listed wait (ms) per execution, else 0.

    Waits of 5-30 s go to a handful of measurement UPDATEs; LOCK_WAIT_HISTORY lists them. A few more
    UPDATEs wait under 5 s: those show only as TRANSACTION_BLOCKED_TIME, never in LOCK_WAIT_HISTORY.
    """
    listed = np.zeros(len(kind))
    if not (plan.table_type == "HYBRID" and plan.lock_contention and plan.client_rows_written):
        return listed
    candidates = np.flatnonzero((kind == "UPDATE") & ~warmup & ~failed)
    if len(candidates) < 4:
        return listed
    picked = rng.permutation(candidates)
    n_long = int(min(len(candidates) // 2, rng.integers(2, 6)))
    n_short = int(min(len(candidates) - n_long, rng.integers(2, 5)))
    long_ones, short_ones = picked[:n_long], picked[n_long:n_long + n_short]
    listed[long_ones] = np.round(rng.uniform(LISTED_LOCK_WAIT_MS, 30_000, n_long))
    short_waits = np.round(rng.uniform(600, LISTED_LOCK_WAIT_MS - 200, n_short))
    for idx, wait in zip(np.concatenate([long_ones, short_ones]), np.concatenate([listed[long_ones], short_waits])):
        server["TOTAL_ELAPSED_TIME"][idx] += wait - server["TRANSACTION_BLOCKED_TIME"][idx]
        server["TRANSACTION_BLOCKED_TIME"][idx] = wait
    return listed


def _client_overhead(rng, table_type: str, n: int) -> np.ndarray:
    """Driver, network and logging time the client adds around the server's elapsed time (ms)."""
    if table_type == "POSTGRES":
        return np.round(np.clip(rng.lognormal(np.log(1.2), 0.5, n), 0.3, 50), 3)
    return np.round(np.clip(rng.lognormal(np.log(10), 0.5, n), 2.5, 400), 3)


def _place_on_connections(rng, plan, warmup, child, worker, app_ms) -> tuple[np.ndarray, np.ndarray]:
    """Start times (µs) with each connection's queries back to back and random idle gaps between.

    A connection whose queries would fill more than 90% of its phase keeps only those that fit.
    """
    n = len(app_ms)
    start = np.zeros(n, dtype=np.int64)
    kept = np.ones(n, dtype=bool)
    warm_end = to_us(plan.warmup_end)
    slot = warmup.astype(np.int64) * 1_000_000 + child * 1_000 + worker
    for key in np.unique(slot):
        rows = np.flatnonzero(slot == key)
        c = plan.children[int(child[rows[0]])]
        a, b = (to_us(c.start), warm_end) if warmup[rows[0]] else (warm_end, to_us(c.end))
        length = b - a
        durations = np.round(app_ms[rows] * 1000).astype(np.int64)
        fits = np.cumsum(durations) <= 0.9 * length
        kept[rows[~fits]] = False
        rows, durations = rows[fits], durations[fits]
        if not len(rows):
            continue
        gaps = rng.exponential(1.0, len(rows) + 1)
        gaps = np.floor(gaps / gaps.sum() * (length - durations.sum())).astype(np.int64)
        start[rows] = a + np.cumsum(gaps[:-1]) + np.concatenate([[0], np.cumsum(durations)[:-1]])
    return start, kept


def _add_statements(rng, plan: RunPlan, cols: dict[str, np.ndarray]) -> None:
    """QUERY_TEXT (marker after the first keyword), QUERY_HASH and QUERY_PARAMETERIZED_HASH."""
    t = plan.target
    texts, shapes = [], []
    ids = rng.integers(1, 5_000_000, len(cols["SUCCESS"]))
    widths = rng.choice([100, 250, 500, 1000], len(cols["SUCCESS"]))
    days = rng.integers(1, 28, len(cols["SUCCESS"]))
    amounts = rng.integers(10, 900, len(cols["SUCCESS"]))
    for i, (k, generic) in enumerate(zip(cols["QUERY_KIND"], cols["GENERIC_STATEMENT"])):
        template = GENERIC_STATEMENTS[generic] if k == "GENERIC_SQL" else STATEMENTS[k]
        if generic == "agg_by_status":
            a, b = f"2026-{(i % 9) + 1:02d}-{days[i]:02d}", ""
        elif generic == "join_customers":
            a, b = amounts[i], ""
        else:
            a, b = ids[i], ids[i] + widths[i]
        fields = {"fq": t.qualified, "db": t.database, "schema": t.schema}
        texts.append(template.format(a=a, b=b, **fields))
        shapes.append(template.format(a="?", b="?", **fields))
    cols["QUERY_TEXT"] = texts
    cols["QUERY_HASH"] = [md5_hex(x) for x in texts]
    shape_hash = {s: md5_hex("parameterized|" + s) for s in set(shapes)}
    cols["QUERY_PARAMETERIZED_HASH"] = [shape_hash[s] for s in shapes]


def _add_io(rng, plan: RunPlan, cols: dict[str, np.ndarray]) -> None:
    """Rows, bytes, partitions, spill, cache and load figures per execution, consistent with its kind."""
    n = len(cols["SUCCESS"])
    kind = cols["QUERY_KIND"]
    ok = cols["SUCCESS"]
    total = cols["TOTAL_ELAPSED_TIME"]
    columnar = plan.target.partitions_total > 0
    p_total = plan.target.partitions_total
    mb = 1 << 20

    rows_produced = np.zeros(n)
    rows_inserted = np.zeros(n)
    rows_updated = np.zeros(n)
    scanned = np.zeros(n)
    bytes_scanned = np.zeros(n)
    bytes_written = np.zeros(n)
    spill_local = np.zeros(n)
    spill_remote = np.zeros(n)

    pl, rs, gs = kind == "POINT_LOOKUP", kind == "RANGE_SCAN", kind == "GENERIC_SQL"
    ins, upd = kind == "INSERT", kind == "UPDATE"
    rows_produced[pl] = (rng.random(pl.sum()) > 0.05).astype(float)
    rows_produced[rs] = rng.integers(50, 2000, rs.sum())
    rows_produced[gs] = rng.integers(1, 60, gs.sum())
    rows_inserted[ins] = 1
    rows_updated[upd] = (rng.random(upd.sum()) > 0.03).astype(float)
    rows_produced[ins] = rows_inserted[ins]
    rows_produced[upd] = rows_updated[upd]
    if columnar:
        scanned[pl] = rng.integers(1, 4, pl.sum())
        # Most range scans prune well; some read most of the table (unselective filters).
        unselective = rs & (rng.random(n) < 0.3)
        scanned[rs] = np.ceil(p_total * rng.uniform(0.01, 0.3, rs.sum()))
        scanned[unselective] = np.ceil(p_total * rng.uniform(0.6, 1.0, unselective.sum()))
        scanned[gs] = np.ceil(p_total * rng.uniform(0.3, 1.0, gs.sum()))
        scanned[upd] = rng.integers(1, 6, upd.sum())
        bytes_scanned = np.round(scanned * rng.uniform(8, 16, n) * mb)
        bytes_written[upd] = np.round(scanned[upd] * rng.uniform(8, 16, upd.sum()) * mb)
        bytes_written[ins] = rng.integers(1_500, 4_000, ins.sum())
        # Big scans on standard warehouses sometimes spill.
        heavy = (rs | gs) & (total > 1500) & (rng.random(n) < 0.25)
        spill_local[heavy] = np.round(rng.uniform(50, 2048, heavy.sum()) * mb)
        remote = heavy & (rng.random(n) < 0.15)
        spill_remote[remote] = np.round(rng.uniform(10, 512, remote.sum()) * mb)
    else:
        bytes_scanned[pl | upd] = rng.integers(2_000, 16_000, (pl | upd).sum())
        bytes_scanned[rs | gs] = rows_produced[rs | gs] * rng.integers(80, 200, (rs | gs).sum())
        bytes_written[ins | upd] = rng.integers(150, 400, (ins | upd).sum())

    for values in (rows_produced, rows_inserted, rows_updated, scanned, bytes_scanned, bytes_written,
                   spill_local, spill_remote):
        values[~ok] = 0
    cols["ROWS_PRODUCED"] = rows_produced
    cols["ROWS_INSERTED"] = rows_inserted
    cols["ROWS_UPDATED"] = rows_updated
    cols["PARTITIONS_SCANNED"] = scanned
    cols["PARTITIONS_TOTAL"] = np.where(ok & (kind != "INSERT"), float(p_total), 0.0)
    cols["BYTES_SCANNED"] = bytes_scanned
    cols["BYTES_WRITTEN"] = bytes_written
    cols["BYTES_WRITTEN_TO_RESULT"] = np.where(np.isin(kind, READ_KINDS), rows_produced * 120, 0.0)
    cols["BYTES_SPILLED_TO_LOCAL_STORAGE"] = spill_local
    cols["BYTES_SPILLED_TO_REMOTE_STORAGE"] = spill_remote
    cols["PERCENTAGE_SCANNED_FROM_CACHE"] = np.where(
        bytes_scanned > 0, np.round(rng.beta(2, 3, n), 4), 0.0
    )
    cols["QUERY_LOAD_PERCENT"] = np.where(plan.is_snowflake, rng.integers(1, 101, n), 0).astype(float)
    cols["ROWS_AFFECTED"] = rows_produced


def _add_identity(rng, ids: Ids, plan: RunPlan, cols: dict[str, np.ndarray]) -> None:
    """Query ids, transactions, clusters, and which history each execution reaches."""
    n = len(cols["SUCCESS"])
    ok = cols["SUCCESS"]
    kind = cols["QUERY_KIND"]
    cols["EXECUTION_ID"] = ids.uuids(n)
    local = [f"LOCAL_{u}" for u in ids.uuids(n)]
    if plan.is_snowflake:
        # Every statement gets a server id; the client captures it only when the call succeeds.
        server_ids = ids.query_ids(n)
        cols["SERVER_QUERY_ID"] = server_ids
        cols["QUERY_ID"] = np.where(ok, server_ids, local)
        dml = np.isin(kind, ("INSERT", "UPDATE"))
        base = to_us(plan.start) * 1000
        cols["TRANSACTION_ID"] = np.where(dml, base + np.arange(n) * 7 + rng.integers(1, 7, n), 0)
        cols["CLUSTER_NUMBER"] = rng.integers(1, plan.cluster_count + 1, n)
        is_hybrid = plan.table_type == "HYBRID"
        recorded = ~np.full(n, is_hybrid) | (cols["TOTAL_ELAPSED_TIME"] > HYBRID_HISTORY_THRESHOLD_MS)
        recorded |= rng.random(n) < HYBRID_HISTORY_SAMPLE_RATE
        cols["IN_QUERY_HISTORY"] = recorded
        # Pass 1 (INFORMATION_SCHEMA) ran only for completed runs and sees what QUERY_HISTORY keeps.
        reached = recorded & ok & (plan.status == "COMPLETED")
        if not is_hybrid:
            reached &= rng.random(n) < IMMEDIATE_PASS_COVERAGE
        cols["SF_ENRICHED"] = reached
    else:
        cols["SERVER_QUERY_ID"] = None
        cols["QUERY_ID"] = local
        cols["TRANSACTION_ID"] = 0
        cols["CLUSTER_NUMBER"] = 0
        cols["IN_QUERY_HISTORY"] = False
        cols["SF_ENRICHED"] = False


def _add_errors(plan: RunPlan, cols: dict[str, np.ndarray]) -> None:
    catalogue = SNOWFLAKE_ERRORS if plan.is_snowflake else POSTGRES_ERRORS
    codes, messages, client = [], [], []
    for i in cols["ERROR_INDEX"].tolist():
        if i < 0:
            codes.append(None)
            messages.append(None)
            client.append(None)
            continue
        code, state, message, _ = catalogue[i]
        codes.append(code)
        messages.append(message)
        # The connector's text: "<code> (<sqlstate>): <message>"; psycopg's: "<Class>: <message>".
        client.append(f"{code} ({state}): {message}" if plan.is_snowflake else f"{state}: {message}")
    cols["ERROR_CODE"] = codes
    cols["ERROR_MESSAGE"] = messages
    cols["ERROR"] = client
