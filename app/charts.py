"""Altair charts for the dashboard, built from what the read models return (no queries here).

Every mark carries a tooltip with its figure formatted by `format_ms` (units always shown), series are
told apart by legend words and dash/shape as well as colour, and times are UTC.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from app.format import format_ms

CLIENT = "Client (exact)"
SERVER = "Server (estimate)"
SOURCE_COLORS = alt.Scale(domain=[CLIENT, SERVER], range=["#4c78a8", "#f58518"])
PERCENTILE_ORDER = ["p50", "p90", "p95", "p99"]
ALL_KINDS_LABEL = "All kinds"
# Log axes get one tick per power of ten, labelled with units the way format_ms would write them.
DECADES = [0.01, 0.1, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]
MS_LABEL = "datum.value >= 1000 ? datum.value / 1000 + 's' : datum.value + 'ms'"


def _log_ms_axis(title: str) -> alt.Y:
    # stack=None: Vega-Lite stacks coloured bars from zero by default, and a log scale has no zero.
    return alt.Y("VALUE_MS:Q", title=title, scale=alt.Scale(type="log"), stack=None,
                 axis=alt.Axis(values=DECADES, labelExpr=MS_LABEL))


def _kind(kind: str) -> str:
    return ALL_KINDS_LABEL if kind == "ALL" else str(kind)


def client_vs_server_long(frame: pd.DataFrame, kinds: list[str] | None = None) -> pd.DataFrame:
    """KIND, PERCENTILE, SOURCE, VALUE_MS, LOW_MS, HIGH_MS, LABEL, BOUNDS from `client_vs_server`."""
    rows = []
    for record in frame.to_dict("records"):
        if kinds is not None and record["KIND"] not in kinds:
            continue
        if pd.notna(record["CLIENT_MS"]) and record["CLIENT_MS"] is not None:
            rows.append({"KIND": _kind(record["KIND"]), "PERCENTILE": record["PERCENTILE"], "SOURCE": CLIENT,
                         "VALUE_MS": max(float(record["CLIENT_MS"]), 0.01), "LOW_MS": None, "HIGH_MS": None,
                         "LABEL": format_ms(record["CLIENT_MS"]),
                         "BOUNDS": f"exact, {int(record['CLIENT_N']):,} successful executions"})
        if record["SERVER_EST_MS"] is not None and pd.notna(record["SERVER_EST_MS"]):
            rows.append({"KIND": _kind(record["KIND"]), "PERCENTILE": record["PERCENTILE"], "SOURCE": SERVER,
                         "VALUE_MS": max(float(record["SERVER_EST_MS"]), 0.01),
                         "LOW_MS": max(float(record["SERVER_LOW_MS"]), 0.01),
                         "HIGH_MS": max(float(record["SERVER_HIGH_MS"]), 0.01),
                         "LABEL": format_ms(record["SERVER_EST_MS"]),
                         "BOUNDS": f"between {format_ms(record['SERVER_LOW_MS'])} and "
                                   f"{format_ms(record['SERVER_HIGH_MS'])}, {int(record['SERVER_CALLS']):,} calls"})
    return pd.DataFrame(rows, columns=["KIND", "PERCENTILE", "SOURCE", "VALUE_MS", "LOW_MS", "HIGH_MS", "LABEL",
                                       "BOUNDS"])


def client_vs_server_chart(frame: pd.DataFrame, kinds: list[str]) -> alt.FacetChart:
    """Grouped bars (client and server per percentile), one panel per query kind, server bounds as
    whiskers. Log scale: p50 and p99 can be orders of magnitude apart."""
    data = client_vs_server_long(frame, kinds)
    base = alt.Chart().encode(
        x=alt.X("PERCENTILE:N", title=None, sort=PERCENTILE_ORDER, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("SOURCE:N", sort=[CLIENT, SERVER]),
        tooltip=[alt.Tooltip("KIND:N", title="Query kind"), alt.Tooltip("PERCENTILE:N", title="Percentile"),
                 alt.Tooltip("SOURCE:N", title="Measured by"), alt.Tooltip("LABEL:N", title="Latency"),
                 alt.Tooltip("BOUNDS:N", title="Basis")],
    )
    bars = base.mark_bar().encode(
        y=_log_ms_axis("Latency (log scale)"),
        color=alt.Color("SOURCE:N", scale=SOURCE_COLORS, title=None, legend=alt.Legend(orient="top")),
    )
    server = base.transform_filter(alt.datum.SOURCE == SERVER)
    log = alt.Scale(type="log")
    whiskers = server.mark_rule(color="#333", strokeWidth=1.5).encode(
        y=alt.Y("LOW_MS:Q", scale=log), y2="HIGH_MS:Q")
    high_caps = server.mark_tick(color="#333", thickness=1.5, size=8).encode(y=alt.Y("HIGH_MS:Q", scale=log))
    low_caps = server.mark_tick(color="#333", thickness=1.5, size=8).encode(y=alt.Y("LOW_MS:Q", scale=log))
    # Facets do not stretch: size the bars so all panels fit a ~1000 px wide page.
    # A step is one bar; a percentile takes about 2.6 steps (two bars and the padding around them).
    step = max(8, min(30, int((980 - 70 - 25 * len(kinds)) / (4 * 2.6 * max(1, len(kinds))))))
    return (
        alt.layer(bars, whiskers, high_caps, low_caps, data=data)
        .properties(width=alt.Step(step), height=260)
        .facet(column=alt.Column("KIND:N", title=None, sort=[_kind(k) for k in kinds],
                                 header=alt.Header(labelFontWeight="bold")))
        .resolve_scale(x="independent")
    )


def per_minute_chart(frame: pd.DataFrame) -> alt.Chart:
    """Server latency per minute over the run: exact mean and estimated p99, told apart by dash too."""
    long = frame.melt(id_vars=["MINUTE", "CALLS"], value_vars=["MEAN_MS", "P99_EST_MS"], var_name="SERIES",
                      value_name="VALUE_MS").dropna(subset=["VALUE_MS"])
    names = {"MEAN_MS": "Mean (exact)", "P99_EST_MS": "p99 (estimate)"}
    long["SERIES"] = long["SERIES"].map(names)
    long["LABEL"] = long["VALUE_MS"].map(format_ms)
    long["VALUE_MS"] = long["VALUE_MS"].clip(lower=0.01)
    order = list(names.values())
    encode = dict(
        x=alt.X("MINUTE:T", title="Minute (UTC)", axis=alt.Axis(format="%H:%M", tickMinStep=60_000)),
        y=_log_ms_axis("Server latency (log scale)"),
        color=alt.Color("SERIES:N", title=None, sort=order, scale=alt.Scale(domain=order, range=["#4c78a8", "#e45756"]),
                        legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("SERIES:N", sort=order, legend=None,
                                  scale=alt.Scale(domain=order, range=[[1, 0], [6, 3]])),
        tooltip=[alt.Tooltip("MINUTE:T", title="Minute (UTC)", format="%H:%M"),
                 alt.Tooltip("SERIES:N", title="Figure"), alt.Tooltip("LABEL:N", title="Latency"),
                 alt.Tooltip("CALLS:Q", title="Calls", format=",")],
    )
    line = alt.Chart(long).mark_line().encode(**encode)
    points = alt.Chart(long).mark_point(filled=True, size=40).encode(
        **{k: v for k, v in encode.items() if k != "strokeDash"},
        shape=alt.Shape("SERIES:N", sort=order, legend=None))
    return (line + points).properties(height=340)


def _local(moment) -> alt.DateTime:
    """A naive UTC timestamp as Vega-Lite reads the data's own (naive) timestamps, so domains line up."""
    moment = pd.Timestamp(moment)
    return alt.DateTime(year=moment.year, month=moment.month, date=moment.day, hours=moment.hour,
                        minutes=moment.minute, seconds=moment.second)


def lock_timeline_chart(events: pd.DataFrame, window: tuple | None = None) -> alt.Chart:
    """One bar per waiting query and blocker: from when the lock was requested to when it was granted,
    across the run's measurement `window` (start, end) when given, so one sees when in the run it hit."""
    data = events.copy()
    data["END"] = data["REQUESTED_AT"] + pd.to_timedelta(data["WAIT_MS"], unit="ms")
    data["WAITING"] = data["QUERY_ID"].astype(str).str.slice(0, 18)
    data["BLOCKER"] = data["BLOCKER_QUERY_ID"].fillna("unknown").astype(str)
    data["WAIT"] = data["WAIT_MS"].map(format_ms)
    in_run = data["BLOCKER_IN_RUN"] if "BLOCKER_IN_RUN" in data else False
    data["BLOCKED_BY"] = pd.Series(in_run, index=data.index).map(
        lambda inside: "a query of this run" if inside is True else "a query outside this run")
    return alt.Chart(data).mark_bar(height=14, cornerRadius=2).encode(
        x=alt.X("REQUESTED_AT:T", title="Requested → granted (UTC)", axis=alt.Axis(format="%H:%M:%S"),
                scale=alt.Scale(domain=[_local(window[0]), _local(max(window[1], data["END"].max()))])
                if window and window[0] is not None and window[1] is not None else alt.Undefined),
        x2="END:T",
        y=alt.Y("WAITING:N", title="Waiting query", sort=alt.EncodingSortField("REQUESTED_AT", order="ascending")),
        color=alt.Color("BLOCKED_BY:N", title="Blocked by", legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["a query of this run", "a query outside this run"],
                                        range=["#e45756", "#9d755d"])),
        tooltip=[alt.Tooltip("QUERY_ID:N", title="Waiting query"), alt.Tooltip("REQUESTED_AT:T", title="Requested",
                                                                               format="%H:%M:%S"),
                 alt.Tooltip("WAIT:N", title="Waited"), alt.Tooltip("BLOCKER:N", title="Blocker query"),
                 alt.Tooltip("BLOCKED_BY:N", title="Blocker is")],
    ).properties(height=alt.Step(32))


def jobs_over_time_chart(frame: pd.DataFrame, since, until) -> alt.Chart:
    """Jobs completed and failed per hour over [since, until], stacked; the words are in the legend."""
    data = frame.copy()
    data["OUTCOME"] = data["STATUS"].map({"COMPLETED": "✓ Completed", "FAILED": "✗ Failed"}).fillna(data["STATUS"])
    order = ["✓ Completed", "✗ Failed"]
    return alt.Chart(data).mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2).encode(
        x=alt.X("yearmonthdatehours(HOUR):T", title="Hour (UTC)", axis=alt.Axis(format="%b %d %H:00"),
                scale=alt.Scale(domain=[_local(since), _local(until)])),
        y=alt.Y("sum(JOBS):Q", title="Jobs finished", stack=True),
        color=alt.Color("OUTCOME:N", title=None, sort=order, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=order, range=["#1a7f37", "#cf222e"])),
        order=alt.Order("OUTCOME:N", sort="ascending"),
        tooltip=[alt.Tooltip("HOUR:T", title="Hour (UTC)", format="%b %d %H:00"),
                 alt.Tooltip("OUTCOME:N", title="Outcome"), alt.Tooltip("sum(JOBS):Q", title="Jobs")],
    ).properties(height=300)  # Streamlit fits legend and axes inside it


def compare_chart(data: pd.DataFrame, runs: list[str]) -> alt.FacetChart:
    """RUN, SOURCE, PERCENTILE, VALUE_MS, LABEL: grouped bars per percentile, one panel per source."""
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("PERCENTILE:N", title=None, sort=["p50", "p95", "p99"], axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("RUN:N", sort=runs),
        y=_log_ms_axis("Latency (log scale)"),
        color=alt.Color("RUN:N", title=None, sort=runs, legend=alt.Legend(orient="top", labelLimit=400, columns=2),
                        scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("RUN:N", title="Run"), alt.Tooltip("SOURCE:N", title="Measured by"),
                 alt.Tooltip("PERCENTILE:N", title="Percentile"), alt.Tooltip("LABEL:N", title="Latency")],
    ).properties(width=alt.Step(max(8, 48 // max(1, len(runs)))), height=260).facet(
        column=alt.Column("SOURCE:N", title=None, sort=[CLIENT, SERVER], header=alt.Header(labelFontWeight="bold")))
