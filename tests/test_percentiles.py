"""enrichment/percentiles.py: merging AGGREGATE_QUERY_HISTORY-style summaries.

Every workload has known per-query values, summarised per "minute" with numpy the way Snowflake
summarises a row, so the exact pooled statistics are known and the merge can be checked against them.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from enrichment.percentiles import KNOT_KEYS, TARGETS, merge_summaries

PCTS = tuple(TARGETS)  # p50, p90, p95, p99, p99.9
LEVELS = [50, 90, 95, 99, 99.9]


def summarise(x: np.ndarray, method: str = "linear", ddof: int = 0) -> dict:
    """One AGGREGATE_QUERY_HISTORY-style row for the values x."""
    med, p90, p99, p999 = np.percentile(x, [50, 90, 99, 99.9], method=method)
    return {"calls": len(x), "sum": float(x.sum()), "avg": float(x.mean()),
            "stddev": float(x.std(ddof=ddof)) if len(x) > ddof else None,
            "min": float(x.min()), "median": float(med), "p90": float(p90), "p99": float(p99),
            "p99.9": float(p999), "max": float(x.max())}


# Workloads: rng -> list of per-row value arrays. Modest sizes keep the file fast.
def steady(rng):
    return [rng.lognormal(np.log(20), 0.5, rng.poisson(300)) for _ in range(30)]


def drifting(rng):
    return [rng.lognormal(np.log(m), 0.4, rng.poisson(200)) for m in np.geomspace(10, 40, 40)]


def bimodal(rng):
    rows = []
    for _ in range(30):
        n = rng.poisson(300)
        slow = rng.random(n) < rng.uniform(0.05, 0.4)
        rows.append(np.where(slow, rng.lognormal(np.log(60), 0.4, n), rng.lognormal(np.log(4), 0.3, n)))
    return rows


def heavy_tailed(rng):
    return [rng.lognormal(np.log(20), 1.5, rng.poisson(300)) for _ in range(30)]


def pareto(rng):
    return [5.0 * (1.0 + rng.pareto(1.5, rng.poisson(300))) for _ in range(30)]


def uneven_calls(rng):
    sizes = np.clip(rng.lognormal(np.log(60), 1.5, 40).astype(int), 1, 2000)
    return [rng.lognormal(np.log(8 * (1 + n / 500)), 0.5, n) for n in sizes]


def several_rows_per_minute(rng):
    rows = []
    for _ in range(20):
        for rate, median in ((200, 10.0), (60, 25.0), (15, 60.0), (3, 200.0)):
            n = rng.poisson(rate)
            if n:
                rows.append(rng.lognormal(np.log(median), 0.5, n))
    return rows


def tiny_rows(rng):  # 1 to 4 calls per row: the bounds must survive small n
    return [rng.exponential(10, rng.integers(1, 5)) for _ in range(80)]


def integer_ms(rng):  # whole milliseconds: many ties
    return [np.ceil(rng.lognormal(np.log(4), 0.6, rng.poisson(300))) for _ in range(30)]


def mostly_zero(rng):  # like TRANSACTION_BLOCKED_TIME: usually 0, sometimes a wait
    return [np.where(rng.random(n) < 0.93, 0.0, rng.exponential(30, n)) for n in rng.poisson(200, 25)]


def around_zero(rng):  # negative values are allowed (a generic metric)
    return [rng.normal(rng.normal(0, 2), 5, rng.poisson(150)) for _ in range(20)]


WORKLOADS = [steady, drifting, bimodal, heavy_tailed, pareto, uneven_calls, several_rows_per_minute,
             tiny_rows, integer_ms, mostly_zero, around_zero]


def run(workload, seed, method="linear"):
    samples = workload(np.random.default_rng(seed))
    samples = [x for x in samples if len(x)]
    return np.concatenate(samples), [summarise(x, method) for x in samples]


# --------------------------------------------------------------------------------------------------
# Exact statistics
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.__name__)
def test_count_sum_mean_stddev_min_max_are_exact(workload):
    pooled, rows = run(workload, 1)
    merged = merge_summaries(rows)
    assert merged["count"] == len(pooled)
    assert merged["sum"] == pytest.approx(pooled.sum(), rel=1e-9, abs=1e-9)
    assert merged["mean"] == pytest.approx(pooled.mean(), rel=1e-9, abs=1e-9)
    assert merged["stddev"] == pytest.approx(pooled.std(), rel=1e-9)
    assert merged["min"] == pooled.min()
    assert merged["max"] == pooled.max()


def test_sample_stddev_convention():
    rng = np.random.default_rng(7)
    samples = [rng.normal(50, 10, n) for n in (2, 5, 40, 300)]
    rows = [summarise(x, ddof=1) for x in samples]
    pooled = np.concatenate(samples)
    assert merge_summaries(rows, ddof=1)["stddev"] == pytest.approx(pooled.std(ddof=1), rel=1e-9)
    # Treating sample stddevs as population ones is off only by O(1/n).
    assert merge_summaries(rows)["stddev"] == pytest.approx(pooled.std(), rel=0.02)


def test_between_row_variance_is_included():
    rows = [summarise(np.full(10, 1.0)), summarise(np.full(10, 3.0))]  # each row has stddev 0
    assert merge_summaries(rows)["stddev"] == pytest.approx(1.0)


def test_sum_falls_back_to_avg_times_calls():
    x = np.array([1.0, 2.0, 6.0])
    row = summarise(x)
    del row["sum"]
    merged = merge_summaries([row, summarise(np.array([4.0]))])
    assert merged["sum"] == pytest.approx(13.0)
    assert merged["mean"] == pytest.approx(13.0 / 4)


def test_sum_wins_over_avg():
    row = summarise(np.array([1.0, 2.0, 6.0]))
    row["avg"] = 3.1  # rounded by the source; sum is the exact one
    assert merge_summaries([row])["sum"] == 9.0


# --------------------------------------------------------------------------------------------------
# Bounds and estimates
# --------------------------------------------------------------------------------------------------


def check_bounds(merged, truth, label):
    for p, t in zip(PCTS, truth):
        low, high = merged["bounds"][p]
        assert low <= t <= high, f"{label}: true {p} {t!r} outside {(low, high)}"


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.__name__)
def test_true_pooled_percentiles_lie_inside_bounds(workload):
    for seed in range(6):
        pooled, rows = run(workload, seed)
        merged = merge_summaries(rows)
        check_bounds(merged, np.percentile(pooled, LEVELS), f"{workload.__name__} seed {seed}")


@pytest.mark.parametrize("workload", [steady, bimodal, tiny_rows, integer_ms], ids=lambda w: w.__name__)
@pytest.mark.parametrize("method", ["lower", "higher", "nearest", "midpoint", "inverted_cdf"])
def test_bounds_cover_other_order_statistic_definitions(workload, method):
    # Rows summarised one way (e.g. PERCENTILE_DISC), pooled truth defined another: still inside.
    for seed in range(3):
        pooled, rows = run(workload, seed, method=method)
        merged = merge_summaries(rows)
        check_bounds(merged, np.percentile(pooled, LEVELS), f"rows {method}, pooled linear")
        check_bounds(merged, np.percentile(pooled, LEVELS, method=method), f"rows and pooled {method}")


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.__name__)
def test_estimates_lie_inside_their_bounds_and_the_range(workload):
    for seed in range(3):
        _, rows = run(workload, seed)
        merged = merge_summaries(rows)
        for p in PCTS:
            low, high = merged["bounds"][p]
            assert merged["min"] <= low <= merged[p] <= high <= merged["max"], p
        estimates = [merged[p] for p in PCTS]
        assert estimates == sorted(estimates)


@pytest.mark.parametrize(("workload", "tolerance"), [
    (steady, {"p50": 0.01, "p90": 0.02, "p95": 0.02, "p99": 0.03, "p99.9": 0.08}),
    (drifting, {"p50": 0.02, "p90": 0.02, "p95": 0.02, "p99": 0.03, "p99.9": 0.08}),
    (heavy_tailed, {"p50": 0.03, "p90": 0.04, "p95": 0.08, "p99": 0.08, "p99.9": 0.20}),
    # p99.9 of ~5,500 values is the 6th largest, mostly from the 3-call slow rows: noisy.
    (several_rows_per_minute, {"p50": 0.03, "p90": 0.03, "p95": 0.04, "p99": 0.05, "p99.9": 0.15}),
], ids=lambda v: getattr(v, "__name__", ""))
def test_estimates_are_close_to_the_truth(workload, tolerance):
    for seed in range(4):
        pooled, rows = run(workload, seed)
        merged = merge_summaries(rows)
        for p, t in zip(PCTS, np.percentile(pooled, LEVELS)):
            assert merged[p] == pytest.approx(t, rel=tolerance[p]), (p, seed)


def test_p95_is_estimated_not_the_midpoint_of_p90_and_p99():
    rng = np.random.default_rng(3)
    samples = [rng.exponential(10, 500) for _ in range(20)]
    pooled = np.concatenate(samples)
    merged = merge_summaries([summarise(x) for x in samples])
    true_p95 = np.percentile(pooled, 95)
    midpoint = (merged["p90"] + merged["p99"]) / 2  # about 15% high for an exponential
    assert abs(merged["p95"] - true_p95) < 0.2 * abs(midpoint - true_p95)
    assert merged["p95"] == pytest.approx(true_p95, rel=0.02)


def test_whole_number_data_gives_whole_number_estimates():
    pooled, rows = run(integer_ms, 0)
    merged = merge_summaries(rows)
    for p in PCTS:
        assert merged[p] == round(merged[p])
    truth = np.percentile(pooled, LEVELS)
    assert sum(merged[p] == t for p, t in zip(PCTS, truth)) >= 3


def test_many_rows():
    # 10,000 synthetic lognormal rows, built from quantiles directly (no sampling): must run and
    # keep its invariants. Timing is measured by the benchmark, not asserted here.
    rng = np.random.default_rng(0)
    n = rng.integers(2, 500, 10_000)
    mu = np.log(20) + np.linspace(0, 1, 10_000)
    z = {"min": -3.0, "median": 0.0, "p90": 1.2816, "p99": 2.3263, "p99.9": 3.0902, "max": 3.6}
    columns = {key: np.exp(mu + 0.5 * v) for key, v in z.items()}
    columns |= {"calls": n, "avg": np.exp(mu + 0.125), "stddev": np.full(10_000, 5.0)}
    frame = pd.DataFrame(columns)
    merged = merge_summaries(frame)
    assert merged["count"] == int(n.sum())
    for p in PCTS:
        low, high = merged["bounds"][p]
        assert low <= merged[p] <= high


# --------------------------------------------------------------------------------------------------
# Single rows, zero calls, input forms
# --------------------------------------------------------------------------------------------------


def test_single_row_returns_its_own_values():
    x = np.random.default_rng(5).lognormal(3, 0.7, 777)
    row = summarise(x)
    merged = merge_summaries([row])
    assert merged["p50"] == row["median"]
    for p in ("p90", "p99", "p99.9"):
        assert merged[p] == row[p]
    assert row["p90"] < merged["p95"] < row["p99"]
    assert merged["count"] == 777
    assert merged["min"] == row["min"] and merged["max"] == row["max"]
    assert merged["stddev"] == pytest.approx(row["stddev"])


@pytest.mark.parametrize("n", [1, 2, 3, 10])
def test_single_small_row(n):
    x = np.arange(1.0, n + 1) ** 2
    row = summarise(x)
    merged = merge_summaries([row])
    assert merged["p50"] == row["median"]
    assert row["p90"] <= merged["p95"] <= row["p99"]
    check_bounds(merged, np.percentile(x, LEVELS), f"n={n}")


def test_single_execution_with_null_stddev():
    row = {"calls": 1, "sum": 7, "avg": 7, "stddev": None, "min": 7, "median": 7, "p90": 7, "p99": 7,
           "p99.9": 7, "max": 7}
    merged = merge_summaries([row])
    assert merged["stddev"] == 0.0
    assert all(merged[p] == 7.0 for p in PCTS)
    assert merged["bounds"]["p95"] == (7.0, 7.0)


def test_zero_call_rows_are_ignored():
    _, rows = run(steady, 2)
    empty = {"calls": 0, "sum": None, "avg": None, "stddev": None, "min": None, "median": None,
             "p90": None, "p99": None, "p99.9": None, "max": None}
    odd = dict(rows[0], calls=0, min=1e9)  # would be inconsistent if it were read
    assert merge_summaries([empty] + rows + [odd, empty]) == merge_summaries(rows)


def test_accepts_decimal_strings_upper_case_keys_and_dataframes():
    _, rows = run(steady, 4)
    expected = merge_summaries(rows)
    as_decimal = [{k: Decimal(repr(v)) for k, v in r.items()} for r in rows]
    as_strings = [{k.upper(): str(v) for k, v in r.items()} for r in rows]
    assert merge_summaries(as_decimal) == expected
    assert merge_summaries(as_strings) == expected
    assert merge_summaries(pd.DataFrame(rows)) == expected
    mixed = [{"calls": r["calls"]} | {k.upper(): v for k, v in r.items() if k != "calls"} for r in rows]
    assert merge_summaries(mixed) == expected
    assert merge_summaries(iter(rows)) == expected


def test_tiny_float_noise_is_tolerated():
    row = summarise(np.random.default_rng(0).lognormal(0, 1, 200))
    row["p90"] = row["p99"] * (1 + 1e-12)  # p90 "above" p99 by rounding only
    row["avg"] = row["max"] * (1 + 1e-12)
    merged = merge_summaries([row, row])
    assert merged["p90"] <= merged["p99"]


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def valid_row():
    return summarise(np.random.default_rng(9).lognormal(2, 0.5, 100))


@pytest.mark.parametrize("rows", [[], [dict(valid_row(), calls=0)]], ids=["empty", "all-zero-calls"])
def test_nothing_to_merge(rows):
    with pytest.raises(ValueError, match="calls > 0"):
        merge_summaries(rows)


@pytest.mark.parametrize("key", ["calls", "stddev", *KNOT_KEYS])
@pytest.mark.parametrize("how", ["absent", "none"])
def test_missing_key_is_named(key, how):
    row = valid_row()
    if how == "absent":
        del row[key]
    else:
        row[key] = None
    with pytest.raises(ValueError, match=rf"#1: '{key}' is missing"):
        merge_summaries([valid_row(), row])


def test_missing_sum_and_avg():
    row = valid_row()
    del row["sum"], row["avg"]
    with pytest.raises(ValueError, match="'sum' is missing"):
        merge_summaries([row])


@pytest.mark.parametrize(("key", "value"), [("p90", "fast"), ("max", [1]), ("calls", True), ("avg", "inf")])
def test_non_numeric_value_is_named(key, value):
    row = dict(valid_row(), **{key: value})
    with pytest.raises(ValueError, match=rf"'{key}' is not (a number|finite)"):
        merge_summaries([row])


@pytest.mark.parametrize(("calls", "message"), [(-1, "negative"), (2.5, "not a whole number")])
def test_bad_calls(calls, message):
    with pytest.raises(ValueError, match=f"'calls' is {message}"):
        merge_summaries([dict(valid_row(), calls=calls)])


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.update(min=r["median"] + 1), "'median' is below 'min'"),
    (lambda r: r.update(p90=r["p99"] * 1.01), "'p99' is below 'p90'"),
    (lambda r: r.update(max=r["p99.9"] * 0.99), "'max' is below 'p99.9'"),
    (lambda r: r.update(avg=r["max"] + 1), "'avg' is outside"),
    (lambda r: r.update(avg=r["min"] - 1), "'avg' is outside"),
    (lambda r: r.update(sum=r["max"] * r["calls"] * 2), "'sum' / 'calls' is outside"),
    (lambda r: r.update(stddev=-1.0), "'stddev' is negative"),
    (lambda r: r.update(stddev=(r["max"] - r["min"]) * 2), "'stddev' is larger"),
    (lambda r: r.update(calls=1, sum=r["median"], avg=r["median"], stddev=0), "'calls' is 1 but 'min' differs"),
])
def test_inconsistent_summary_is_named(change, message):
    row = valid_row()
    change(row)
    with pytest.raises(ValueError, match=message):
        merge_summaries([row])


def test_error_names_the_row():
    rows = [valid_row(), valid_row(), dict(valid_row(), p99=None)]
    with pytest.raises(ValueError, match=r"summary #2: 'p99' is missing"):
        merge_summaries(rows)


def test_not_a_mapping():
    with pytest.raises(ValueError, match="not a mapping"):
        merge_summaries([valid_row(), [1, 2, 3]])


def test_results_are_plain_python_numbers():
    merged = merge_summaries([valid_row(), valid_row()])
    assert isinstance(merged["count"], int)
    for key in ("sum", "mean", "stddev", "min", "max", *PCTS):
        assert type(merged[key]) is float and math.isfinite(merged[key])
    for low, high in merged["bounds"].values():
        assert type(low) is float and type(high) is float
