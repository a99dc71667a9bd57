"""Run detail, the analyst's page: what is available now, what is still coming and when, and how fast the
server really was next to what the client saw."""

import json

import pandas as pd
import streamlit as st

from app.badges import Badge, show
from app.errors import guarded
from app.format import MISSING, format_count, format_ms, format_pct, format_utc, format_utc_time
from app.run_data import recent_runs, run_bundle
from app.sections import landing_text, section_badge, show_state
from app.shell import ensure_shell
from app.store import forget_cached_reads, get_settings, get_store, store_key
from app.tables import format_bytes, short, table
from enrichment.access import is_admin
from enrichment.queue.admin import retry_jobs
from enrichment.readmodels import run_detail as rd
from enrichment.readmodels.overview import utc_now
from enrichment.types import HYBRID_CREDITS_END

ensure_shell()

RECENT = 100  # runs offered in the picker
MAX_ROWS = 200  # rows drawn in any one table here (patterns, lock events, insights)
RUN_BADGE = {"DONE": ("✓", "green"), "WAITING": ("◷", "blue"), "RUNNING": ("↻", "blue"), "FAILED": ("✗", "red"),
             "SKIPPED": ("⤼", "gray"), "NOT_APPLICABLE": ("—", "gray"), "NO_JOB": ("○", "gray")}
PENDING_STATES = ("WAITING", "DUE", "RUNNING", "NO_JOB")

settings = get_settings()
store = get_store()
now = utc_now()
run_id = (st.query_params.get("run") or "").strip()

with guarded("loading the run"):
    key = store_key()
    recent = recent_runs(key, RECENT)
    asked = bool(run_id)
    if not run_id and not recent.empty:
        run_id = str(recent["RUN_ID"].iloc[0])
    bundle = run_bundle(key, run_id) if run_id else None
head = bundle.head if bundle is not None else None

if head is None:
    st.title("Run detail")
    if asked:
        st.error(f"There is no run with the id {run_id[:64]!r}; it may have been mistyped or removed. "
                 "Pick a run from the Runs page.", icon=":material/search_off:")
        st.page_link("pages/runs.py", label="Back to Runs", icon=":material/arrow_back:")
    else:
        st.info("No FlakeBench runs yet: a run's page appears here as soon as a benchmark finishes.",
                icon=":material/hourglass_empty:")
    st.stop()
admin = is_admin(store, settings)
states, hybrid, cvs = bundle.states, bundle.hybrid, bundle.cvs
patterns, per_minute, locks = bundle.patterns, bundle.per_minute, bundle.locks
credits, insights, spill = bundle.credits, bundle.insights, bundle.spill


def retry_run() -> None:
    with guarded("retrying the run's enrichment"):
        reopened = retry_jobs(store, settings, [run_id])
    forget_cached_reads()
    st.session_state["run_detail_flash"] = (
        "Re-opened the failed enrichments; the runner reads them again on its next pass." if reopened
        else "Nothing to retry: no enrichment of this run has failed.")
    st.rerun()


# --- header ----------------------------------------------------------------------------------------
name = head["TEST_NAME"] or run_id
st.title(name)
if flash := st.session_state.pop("run_detail_flash", None):
    st.success(flash, icon=":material/check_circle:")

ids = [str(r) for r in recent["RUN_ID"]]
labels = {str(r["RUN_ID"]): f"{r['TEST_NAME']} · {str(r['TABLE_TYPE']).title()} · ended {format_utc(r['END_TIME'])}"
          for r in recent.to_dict("records")}
if run_id not in ids:
    ids.insert(0, run_id)
    labels[run_id] = f"{name} · {str(head['TABLE_TYPE']).title()} · ended {format_utc(head['END_TIME'])}"
pick_key = f"run_pick_{run_id}"


def _pick() -> None:
    st.query_params["run"] = st.session_state[pick_key]


st.selectbox("Run", ids, index=ids.index(run_id), format_func=lambda i: labels.get(i, i), key=pick_key,
             on_change=_pick, help=f"The {RECENT} most recent runs; open older ones from the Runs page.")

badge_state, words = rd.run_badge(head["ENRICHMENT_STATUS"], head["DELAYED_ENRICHMENT_STATUS"], head["TABLE_TYPE"])
glyph, color = RUN_BADGE.get(badge_state, ("•", "gray"))
if badge_state == "FAILED" and words.startswith("Partial"):
    glyph, color = "⚠", "orange"
pending = [s.expected_at for s in states.values() if s.state in ("WAITING", "DUE") and s.expected_at is not None]
detail = ""
if badge_state == "WAITING" and pending:
    latest = max(pending)
    detail = f"full metrics by {landing_text(latest, now, nested=True)}" if latest > now else "due, being re-checked"
show(Badge(glyph, words, color, detail))

table_type = str(head["TABLE_TYPE"]).title()
status = str(head["STATUS"]).capitalize()
ran = (f"ran {format_utc(head['START_TIME'])} → {format_utc_time(head['END_TIME'], head['START_TIME'])}"
       if head["START_TIME"] is not None else "")
st.caption(
    f"**{status}** {ran} · {table_type} table {head['TABLE_NAME'] or ''} · "
    f"scenario {head['SCENARIO_NAME'] or MISSING} · "
    f"warehouse {head['WAREHOUSE'] or MISSING} ({str(head['WAREHOUSE_SIZE'] or MISSING).title()}) · "
    f"{format_count(head['CONCURRENT_CONNECTIONS'])} connections · run id `{run_id}`"
)
if head["FAILURE_REASON"]:
    st.caption(f"Why the run {status.lower()}: {head['FAILURE_REASON']}")
duration = head["DURATION_SECONDS"]
columns = st.columns(4)
columns[0].metric("Duration", format_ms(duration * 1000) if duration is not None else MISSING, border=True)
columns[1].metric("Operations", format_count(head["TOTAL_OPERATIONS"]), border=True)
columns[2].metric("Throughput", f"{head['QPS']:.1f} QPS" if head["QPS"] is not None else MISSING, border=True)
columns[3].metric("Client errors", format_count(head["FAILED_OPERATIONS"]), border=True,
                  help="Failed operations the client recorded")
if head["WINDOW_START"] is not None:
    st.caption(f"Measurement window {format_utc(head['WINDOW_START'])} → "
               f"{format_utc_time(head['WINDOW_END'], head['WINDOW_START'])} (warmup excluded). Client figures come "
               "from FlakeBench as soon as the run ends; server figures come from SNOWFLAKE.ACCOUNT_USAGE views, which "
               "land 45 minutes to 3 hours later.")
if head["DELAYED_ENRICHMENT_ERROR"] and badge_state in ("FAILED", "SKIPPED"):
    st.caption(head["DELAYED_ENRICHMENT_ERROR"])
nothing_applies = all(s.state == "NOT_APPLICABLE" for s in states.values())


def _retry():
    return retry_run if admin else None


def _server_cell(value, state) -> str:
    """A server figure, or what its absence means: pending (with when), not applicable, no data."""
    if value is not None and pd.notna(value):
        return format_ms(value)
    if state.state in ("WAITING", "DUE") and state.expected_at is not None:
        return f"◷ pending, lands {landing_text(state.expected_at, now)}"
    if state.state in PENDING_STATES:
        return "◷ pending"
    return {"NOT_APPLICABLE": "— not applicable", "SKIPPED": "⤼ skipped", "FAILED": "✗ failed",
            "DONE_NO_DATA": "no server data"}.get(state.state, MISSING)


# --- client vs server ------------------------------------------------------------------------------
st.header("Client vs server")
aggregate = states["AGGREGATE"]
show(section_badge(aggregate, now))
has_client = not cvs.empty and cvs["CLIENT_MS"].notna().any()
if aggregate.state in ("NOT_APPLICABLE", "SKIPPED") and aggregate.detail:
    st.caption(f"Server figures: {aggregate.detail}")
elif aggregate.state in ("WAITING", "DUE", "RUNNING", "NO_JOB"):
    when = (f" It should land {landing_text(aggregate.expected_at, now)}."
            if aggregate.state in ("WAITING", "DUE") and aggregate.expected_at is not None
            and aggregate.expected_at > now else "")
    st.info("Client percentiles are available now; the server side comes from AGGREGATE_QUERY_HISTORY." + when,
            icon=":material/schedule:")
elif aggregate.state == "FAILED":
    show_state(aggregate, now, no_data="", retry=_retry(), key="cvs")
elif aggregate.state == "INCOMPLETE":
    st.warning(f"Server figures are incomplete ({format_pct(aggregate.coverage)} of the run's executions "
               f"found): {aggregate.detail or ''}", icon=":material/warning:")
if not has_client:
    st.caption("No successful measurement executions were recorded for this run, so there is nothing to compare.")
else:
    st.vega_lite_chart(bundle.specs["cvs"], width="stretch")
    shown = pd.DataFrame({
        "Query kind": ["All kinds" if k == rd.ALL_KINDS else k for k in cvs["KIND"]],
        "Percentile": cvs["PERCENTILE"],
        "Client (exact)": [format_ms(v) for v in cvs["CLIENT_MS"]],
        "Server (estimate)": [_server_cell(v, aggregate) for v in cvs["SERVER_EST_MS"]],
        "Server bounds": [f"{format_ms(lo)} – {format_ms(hi)}" if lo is not None and pd.notna(lo) else MISSING
                          for lo, hi in zip(cvs["SERVER_LOW_MS"], cvs["SERVER_HIGH_MS"])],
        "Gap (client − server)": [(format_ms(g) if g >= 0 else f"−{format_ms(-g)}") if g is not None and pd.notna(g)
                                  else MISSING for g in cvs["GAP_MS"]],
        "Client executions": cvs["CLIENT_N"],
        "Server calls": cvs["SERVER_CALLS"],
    })
    if not aggregate.has_data:  # the server side is pending or absent: one column says which, no empty ones
        shown = shown.drop(columns=["Server bounds", "Gap (client − server)", "Server calls"])
    table(shown, key="cvs_table", file_name=f"client-vs-server-{run_id}.csv", export=cvs, column_config={
        "Server (estimate)": st.column_config.TextColumn(
            help="A calls-weighted estimate merged from per-minute summaries; the true value lies within the bounds"),
        "Server bounds": st.column_config.TextColumn(
            help="The interval the true server percentile is proven to lie in"),
        "Gap (client − server)": st.column_config.TextColumn(
            help="Network round trip + driver + client time. Negative when the server estimate is above the client"),
    })
    if aggregate.state not in ("NOT_APPLICABLE", "SKIPPED"):
        st.caption(
            "**Gap** = client − server: the network round trip, the driver and the client's own time. "
            "**Server** figures are AGGREGATE_QUERY_HISTORY's TOTAL_ELAPSED_TIME (compile + queue + execution), "
            "merged from per-minute summaries, so the percentiles are estimates with bounds (whiskers in the chart); "
            "they include failed executions. **Client** figures are exact percentiles of the successful measurement "
            "executions (APP_ELAPSED_MS). A negative gap usually means failed or slow outliers on the server side."
        )

if nothing_applies:
    st.header("Server-side metrics")
    show(section_badge(aggregate, now))
    st.caption(f"{aggregate.detail or 'No SNOWFLAKE.ACCOUNT_USAGE view covers this run.'} Server metrics per query "
               "pattern, row-lock contention, hybrid credits, query insights, and partitions and spill therefore "
               "do not apply.")
    st.stop()

# --- server metrics per query pattern --------------------------------------------------------------
st.header("Server metrics per query pattern")
if show_state(aggregate, now, no_data="AGGREGATE_QUERY_HISTORY holds no rows for this run's queries.",
              retry=_retry(), key="patterns") and patterns is not None:
    if patterns.empty:
        st.caption("No query pattern was recorded for this run.")
    else:
        top = patterns.head(MAX_ROWS)
        pattern_table = pd.DataFrame({
            "Hash": [short(h) for h in top["QUERY_PARAMETERIZED_HASH"]],
            "Kind": top["QUERY_KIND"],
            "Calls": top["CALLS"],
            "Errors": top["ERRORS_COUNT"],
            "Throttled": top["HYBRID_REQUESTS_THROTTLED_COUNT"],
            "Mean": top["ELAPSED_MEAN_MS"].map(format_ms),
            "p50 est.": top["ELAPSED_P50_EST_MS"].map(format_ms),
            "p90 est.": top["ELAPSED_P90_EST_MS"].map(format_ms),
            "p95 est.": top["ELAPSED_P95_EST_MS"].map(format_ms),
            "p99 est.": top["ELAPSED_P99_EST_MS"].map(format_ms),
            "Compile mean": top["COMPILE_MEAN_MS"].map(format_ms),
            "Queue mean": (top["QUEUED_OVERLOAD_MEAN_MS"].fillna(0)
                           + top["QUEUED_PROVISIONING_MEAN_MS"].fillna(0)).map(format_ms),
            "Tx-blocked sum": top["TX_BLOCKED_SUM_MS"].map(format_ms),
            "Tx-blocked max": top["TX_BLOCKED_MAX_MS"].map(format_ms),
            "Sample query": top["SAMPLE_QUERY_TEXT"],
        })
        table(pattern_table, key="patterns_table", file_name=f"server-patterns-{run_id}.csv", export=patterns,
              column_config={"Hash": st.column_config.TextColumn(help="QUERY_PARAMETERIZED_HASH, first 16 characters"),
                             "Sample query": st.column_config.TextColumn(width="large"),
                             "Queue mean": st.column_config.TextColumn(help="Queued for overload + provisioning"),
                             "Throttled": st.column_config.NumberColumn(help="Hybrid-table requests throttled")})
        if len(patterns) > MAX_ROWS:
            st.caption(f"Showing the {MAX_ROWS} busiest of {len(patterns):,} patterns; the CSV holds them all.")
        st.caption("Times are TOTAL_ELAPSED_TIME per call; “est.” marks calls-weighted percentile estimates. "
                   "Errors count failed calls, not error kinds.")
    if per_minute is not None and not per_minute.empty:
        st.subheader("Server latency per minute")
        st.vega_lite_chart(bundle.specs["per_minute"], width="stretch")
        st.caption("Mean is exact; p99 is an estimate merged across the minute's query patterns.")

# --- row-lock contention -------------------------------------------------------------------------
LOCK_NOTE = ("How Snowflake reports row locks: LOCK_WAIT_HISTORY lists only row-lock waits of about 5 s or more "
             "(shorter waits never appear); for hybrid-table row locks OBJECT_NAME is ROW; a query blocked by "
             "several transactions has one row per blocker, so totals count each waiting query once.")
st.header("Row-lock contention")
lock_state = states["LOCK_CONTENTION"]
if show_state(lock_state, now, no_data="No lock wait of 5 s or more was recorded during the run.",
              retry=_retry(), key="locks") and locks is not None:
    events, summary = locks
    figures = st.columns(4)
    figures[0].metric("Waiting queries", format_count(summary["waiting_queries"]), border=True,
                      help=f"{summary['blocker_rows']} blocker rows")
    figures[1].metric("Total wait", format_ms(summary["total_wait_ms"]), border=True)
    figures[2].metric("Longest wait", format_ms(summary["max_wait_ms"]), border=True)
    figures[3].metric("Mean wait", format_ms(summary["mean_wait_ms"]), border=True)
    if not events.empty:
        st.vega_lite_chart(bundle.specs["locks"], width="stretch")
        lock_table = pd.DataFrame({
            "Requested (UTC)": events["REQUESTED_AT"].map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S")),
            "Waited": events["WAIT_MS"].map(format_ms),
            "Waiting query": events["QUERY_ID"],
            "Blocker query": events["BLOCKER_QUERY_ID"],
            "Blocker in this run": events["BLOCKER_IN_RUN"].map({True: "yes", False: "no"}),
            "Object": events["OBJECT_NAME"],
        }).head(MAX_ROWS)
        table(lock_table, key="locks_table", file_name=f"lock-waits-{run_id}.csv", export=events)
        if len(events) > MAX_ROWS:
            st.caption(f"Showing {MAX_ROWS} of {len(events):,} blocker rows; the CSV holds them all.")
if hybrid or lock_state.state not in ("NOT_APPLICABLE",):
    st.caption(LOCK_NOTE)

# --- hybrid credits --------------------------------------------------------------------------------
st.header("Hybrid credits")
credit_state = states["HYBRID_CREDITS"]
if show_state(credit_state, now, no_data="HYBRID_TABLE_USAGE_HISTORY recorded no hybrid-table credits during "
              "the run window.", retry=_retry(), key="credits") and credits is not None:
    buckets, total = credits
    st.metric("Account-wide hybrid-table credits during the run window", f"{total:.4f}" if total is not None
              else MISSING, border=True, width="content",
              help="Prorated from the hourly buckets that overlap the run's measurement window")
    if not buckets.empty:
        bucket_table = pd.DataFrame({
            "Bucket start (UTC)": buckets["USAGE_START_TIME"].map(format_utc),
            "Bucket end (UTC)": buckets["USAGE_END_TIME"].map(format_utc),
            "Bucket credits (account)": buckets["BUCKET_CREDITS_USED"].map(lambda v: f"{v:.4f}"),
            "Share of bucket in the window": buckets["OVERLAP_FRACTION"].map(format_pct),
            "Credits counted": buckets["CREDITS_PRORATED"].map(lambda v: f"{v:.4f}"),
        })
        table(bucket_table, key="credits_table", file_name=f"hybrid-credits-{run_id}.csv", export=buckets)
if hybrid and credit_state.state != "NOT_APPLICABLE":
    st.caption("These are **account-level** credits (HYBRID_TABLE_USAGE_HISTORY has no per-table or per-query "
               "split): anything else using hybrid tables in the same hours is included. Snowflake stopped "
               f"metering hybrid-table requests on {HYBRID_CREDITS_END:%Y-%m-%d}, so runs after that date have none.")

# --- query insights --------------------------------------------------------------------------------
st.header("Query insights")
insight_state = states["QUERY_INSIGHTS"]
if show_state(insight_state, now, no_data="Snowflake found no optimization issue in this run's queries.",
              retry=_retry(), key="insights") and insights is not None and not insights.empty:
    for severity in ("HIGH", "MEDIUM", "INFO"):
        group = insights[insights["SEVERITY"] == severity]
        if group.empty:
            continue
        st.subheader(f"{severity.title()} ({len(group):,})")
        for insight_type, rows in group.groupby("INSIGHT_TYPE_ID", sort=False):
            title = str(insight_type).removeprefix("QUERY_INSIGHT_").replace("_", " ").capitalize()
            suggestions = list(dict.fromkeys(s for items in rows["SUGGESTIONS"] for s in (items or [])))
            text = f"**{title}** · {rows['INSIGHT_TOPIC'].iloc[0]} · {len(rows):,} " \
                   f"quer{'y' if len(rows) == 1 else 'ies'}"
            text += ("\n\n" + "\n".join(f"- {s}" for s in suggestions)) if suggestions else \
                "\n\nNo suggestion from Snowflake for this one."
            (st.warning if severity == "HIGH" else st.info)(text, icon=":material/lightbulb:")
            with st.expander(f"Queries with “{title}”"):
                def _message(raw):
                    try:
                        parsed = json.loads(raw) if raw else {}
                    except ValueError:
                        return str(raw)
                    return "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in parsed.items()) \
                        if isinstance(parsed, dict) else str(parsed)
                st.dataframe(pd.DataFrame({
                    "Query id": rows["QUERY_ID"], "Hash": rows["QUERY_PARAMETERIZED_HASH"].map(short),
                    "Started (UTC)": rows["QUERY_START_TIME"].map(format_utc),
                    "Elapsed": rows["TOTAL_ELAPSED_TIME"].map(format_ms),
                    "Details": rows["MESSAGE"].map(_message)}).head(MAX_ROWS), hide_index=True, width="stretch")
if insight_state.state != "NOT_APPLICABLE":
    st.caption("Snowflake produces no query insights for hybrid-table or interactive-table queries.")

# --- partitions and spill --------------------------------------------------------------------------
st.header("Partitions and spill")
history_state = states["QUERY_HISTORY"]
if show_state(history_state, now, no_data="QUERY_HISTORY holds none of this run's measurement queries.",
              retry=_retry(), key="spill") and spill is not None and not spill.empty:
    spill_table = pd.DataFrame({
        "Query kind": spill["QUERY_KIND"],
        "Executions": spill["EXECUTIONS"],
        "Found in QUERY_HISTORY": spill["ENRICHED"],
        "Partitions scanned": [format_count(v) if e else MISSING for v, e in zip(spill["PARTITIONS_SCANNED"],
                                                                                 spill["ENRICHED"])],
        "Partitions total": [format_count(v) if e else MISSING for v, e in zip(spill["PARTITIONS_TOTAL"],
                                                                               spill["ENRICHED"])],
        "Scanned share": [format_pct(s / t) if e and t else MISSING
                          for s, t, e in zip(spill["PARTITIONS_SCANNED"], spill["PARTITIONS_TOTAL"],
                                             spill["ENRICHED"])],
        "Spilled locally": [format_bytes(v) if e else MISSING for v, e in zip(spill["BYTES_SPILLED_LOCAL"],
                                                                             spill["ENRICHED"])],
        "Spilled remotely": [format_bytes(v) if e else MISSING for v, e in zip(spill["BYTES_SPILLED_REMOTE"],
                                                                              spill["ENRICHED"])],
        "Queries spilling": spill["QUERIES_SPILLING"].fillna(0).astype(int),
    })
    table(spill_table, key="spill_table", file_name=f"partitions-spill-{run_id}.csv", export=spill)
    if hybrid:
        st.caption("Hybrid-table queries under about 500 ms never reach QUERY_HISTORY, so few rows are found and "
                   "partition figures mean little here; they matter for standard tables.")
    else:
        st.caption("From QUERY_HISTORY (PARTITIONS_SCANNED/TOTAL, BYTES_SPILLED_TO_LOCAL/REMOTE_STORAGE) of the "
                   "run's measurement queries; “—” where a query was not found there.")
