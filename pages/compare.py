"""Compare: two or more runs side by side (say STANDARD against HYBRID on the same workload): client and
server percentiles, throughput, errors, lock waits."""

import pandas as pd
import streamlit as st

from app.badges import badge_for
from app.charts import CLIENT, SERVER, compare_chart
from app.errors import guarded
from app.format import MISSING, format_count, format_ms, format_pct, format_utc
from app.sections import landing_text
from app.shell import ensure_shell
from app.run_data import recent_runs, run_bundle
from app.store import store_key
from app.tables import table
from enrichment.readmodels import run_detail as rd
from enrichment.readmodels.overview import utc_now

ensure_shell()

RECENT = 100  # runs offered
MAX_RUNS = 6  # side by side, at most
SHOWN = ("p50", "p95", "p99")

now = utc_now()

st.title("Compare runs")
st.caption("Pick two or more runs to see them side by side. Client figures are exact and available as soon as a run "
           "ends; server figures are estimates from AGGREGATE_QUERY_HISTORY and appear once it has landed.")

with guarded("loading the recent runs"):
    recent = recent_runs(store_key(), RECENT)
if recent.empty:
    st.info("No FlakeBench runs yet: runs appear here as soon as a benchmark finishes.",
            icon=":material/hourglass_empty:")
    st.stop()

records = {str(r["RUN_ID"]): r for r in recent.to_dict("records")}


def label(run_id: str) -> str:
    r = records[run_id]
    return f"{r['TEST_NAME']} · {str(r['TABLE_TYPE']).title()} · ended {format_utc(r['END_TIME'])} · {run_id[:8]}"


def _default() -> list[str]:
    """The most recent STANDARD and HYBRID runs whose delayed enrichment is done (else the latest of each)."""
    picked = []
    for table_type in ("STANDARD", "HYBRID"):
        of_type = recent[recent["TABLE_TYPE"] == table_type]
        done = of_type[of_type["DELAYED_STATE"] == "COMPLETED"]
        chosen = done if not done.empty else of_type
        if not chosen.empty:
            picked.append(str(chosen["RUN_ID"].iloc[0]))
    return picked or [str(r) for r in recent["RUN_ID"].head(2)]


chosen = st.multiselect("Runs to compare", list(records), default=_default(), format_func=label,
                        max_selections=MAX_RUNS, key="compare_runs", persist_state="session",
                        help=f"The {RECENT} most recent runs; up to {MAX_RUNS} at once.")
if len(chosen) < 2:
    st.info("Pick at least two runs to compare them.", icon=":material/compare_arrows:")
    st.stop()

with guarded("loading the runs to compare"):
    loaded = []
    for run_id in chosen:
        bundle = run_bundle(store_key(), run_id, full=False)
        if bundle is None:  # removed since the list was read
            continue
        loaded.append((run_id, bundle.head, bundle.states, bundle.cvs[bundle.cvs["KIND"] == rd.ALL_KINDS]))

names = {run_id: f"{head['TEST_NAME']} ({run_id[:8]})" for run_id, head, _, _ in loaded}


def pending_text(state) -> str:
    """What an absent server-side figure means for this run: pending (with when), not applicable, ..."""
    if state.state == "WAITING" and state.expected_at is not None:
        return f"◷ lands {landing_text(state.expected_at, now)}"
    if state.state in ("WAITING", "DUE", "RUNNING", "NO_JOB"):
        return "◷ pending"
    return {"NOT_APPLICABLE": "— not applicable", "SKIPPED": "⤼ skipped", "FAILED": "✗ failed",
            "DONE_NO_DATA": "no data"}.get(state.state, MISSING)


chart_rows, table_rows, export_rows = [], [], []
for run_id, head, states, overall in loaded:
    by_percentile = {r["PERCENTILE"]: r for r in overall.to_dict("records")}
    aggregate, locks = states["AGGREGATE"], states["LOCK_CONTENTION"]
    row = {"Run": names[run_id], "Table type": str(head["TABLE_TYPE"]).title()}
    export = {"RUN_ID": run_id, "TEST_NAME": head["TEST_NAME"], "TABLE_TYPE": head["TABLE_TYPE"],
              "QPS": head["QPS"], "TOTAL_OPERATIONS": head["TOTAL_OPERATIONS"],
              "FAILED_OPERATIONS": head["FAILED_OPERATIONS"]}
    for percentile in SHOWN:
        r = by_percentile.get(percentile, {})
        client, server = r.get("CLIENT_MS"), r.get("SERVER_EST_MS")
        row[f"Client {percentile}"] = format_ms(client)
        row[f"Server {percentile} est."] = format_ms(server) if server is not None and pd.notna(server) \
            else pending_text(aggregate)
        export[f"CLIENT_{percentile.upper()}_MS"] = client
        export[f"SERVER_{percentile.upper()}_EST_MS"] = server
        for source, value in ((CLIENT, client), (SERVER, server)):
            if value is not None and pd.notna(value):
                chart_rows.append({"RUN": names[run_id], "SOURCE": source, "PERCENTILE": percentile,
                                   "VALUE_MS": max(float(value), 0.01), "LABEL": format_ms(value)})
    operations, failed = head["TOTAL_OPERATIONS"], head["FAILED_OPERATIONS"]
    row["Throughput"] = f"{head['QPS']:.1f} QPS" if head["QPS"] is not None else MISSING
    row["Operations"] = format_count(operations)
    row["Client errors"] = (f"{format_count(failed)} ({format_pct(failed / operations)})"
                            if operations and failed is not None else format_count(failed))
    if locks.state in ("DONE", "INCOMPLETE", "DONE_NO_DATA"):
        count = head["LOCK_WAIT_COUNT"] or 0
        row["Lock waits ≥ 5 s"] = (f"{format_count(count)} (total {format_ms(head['LOCK_WAIT_TOTAL_MS'])}, "
                                   f"max {format_ms(head['LOCK_WAIT_MAX_MS'])})" if count else "none")
    else:
        row["Lock waits ≥ 5 s"] = pending_text(locks)
    throttled = head["THROTTLED_QUERY_COUNT"]
    row["Throttled"] = format_count(throttled) if aggregate.has_data and throttled is not None \
        else pending_text(aggregate)
    badge = badge_for(head["JOB_STATUS"] or "NO_JOB")
    row["Delayed enrichment"] = badge.text
    export.update({"LOCK_WAIT_COUNT": head["LOCK_WAIT_COUNT"], "LOCK_WAIT_TOTAL_MS": head["LOCK_WAIT_TOTAL_MS"],
                   "LOCK_WAIT_MAX_MS": head["LOCK_WAIT_MAX_MS"], "THROTTLED_QUERY_COUNT": throttled,
                   "DELAYED_STATE": head["JOB_STATUS"]})
    table_rows.append(row)
    export_rows.append(export)

st.header("Latency percentiles")
if chart_rows:
    run_order = [names[run_id] for run_id, *_ in loaded]
    st.vega_lite_chart(compare_chart(pd.DataFrame(chart_rows), run_order).to_dict(validate=False), width="stretch")
st.caption("Overall percentiles across all query kinds. Client: exact, successful measurement executions only. "
           "Server: TOTAL_ELAPSED_TIME estimates (with failed executions); their bounds are on each run's page. "
           "Log scale.")

st.header("Side by side")
# One column per run, one row per figure: easy to read across, however many runs are picked.
side = pd.DataFrame(table_rows).set_index("Run").T.rename_axis("Figure").reset_index()
table(side, key="compare_table", file_name="flakebench-compare.csv", export=pd.DataFrame(export_rows),
      height="content", column_config={"Figure": st.column_config.TextColumn(pinned=True)})
st.caption("Lock waits: Snowflake lists only row-lock waits of about 5 s or more, and only for hybrid tables.")

st.header("Open a run")
links = st.columns(min(len(loaded), 3))
for index, (run_id, head, _, _) in enumerate(loaded):
    links[index % len(links)].page_link("pages/run_detail.py", label=names[run_id], icon=":material/query_stats:",
                                        query_params={"run": run_id})
