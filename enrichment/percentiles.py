"""Merge per-interval latency summaries (AGGREGATE_QUERY_HISTORY rows) into whole-run statistics.

Snowflake's ``ACCOUNT_USAGE.AGGREGATE_QUERY_HISTORY`` gives, per one-minute interval (and per
parameterized hash, session, warehouse, ...), ``CALLS`` and, for each timing metric, an OBJECT with
``sum, avg, stddev, min, median, p90, p99, p99.9, max`` over the executions on that row. A test run
spans many rows. :func:`merge_summaries` turns them into statistics of the *pooled* executions.

What is exact and what is not
-----------------------------
* ``count, sum, mean, stddev, min, max`` are exact (up to float rounding): counts and sums add, the
  pooled variance is the within-row part plus the between-row part,
  ``N·σ² = Σ nᵢ·σᵢ² + Σ nᵢ·(μᵢ − μ)²``. The input ``stddev`` is taken as the *population* standard
  deviation (``ddof=0``). If Snowflake's is the sample one, pass ``ddof=1``; using the wrong
  convention changes the result only by a factor ``√(n/(n−1))`` per row, an O(1/n) error. A row's
  ``sum`` wins over ``avg``; ``avg·calls`` is used only when ``sum`` is missing (some Snowflake
  metrics, e.g. PERCENTAGE_SCANNED_FROM_CACHE, have no ``sum`` key).
* Percentiles of a mixture cannot be computed from the rows' percentiles. ``p50, p90, p95, p99,
  p99.9`` are *estimates*, each with ``bounds`` (low, high) that provably contain the true value.
  Averaging per-minute percentiles, taking the max of them, or calling the midpoint of p90 and p99
  a "p95" are not valid merges (see docs/benchmarks-percentiles.md for how far off they are).

Definition of percentile
------------------------
For N pooled values x₍₁₎ ≤ … ≤ x₍N₎ the q-percentile is numpy's default (``method="linear"``,
the same as Snowflake's ``PERCENTILE_CONT``): with ``h = q·(N−1)`` it is x₍⌊h⌋+1₎ interpolated
towards x₍⌈h⌉+1₎. Any definition whose value lies between those two order statistics, such as
numpy's ``lower``, ``higher``, ``nearest``, ``midpoint`` and ``inverted_cdf`` (= ``PERCENTILE_DISC``),
is covered by the same bounds. The rows' own percentiles are assumed to obey the same rule (exact
percentiles, not sketches); if Snowflake computes them approximately, the bounds are only as good as
those approximations.

How the bounds are proved
-------------------------
If a row's p-value ``v`` lies between its order statistics x₍a₎ and x₍b₎ (a = ⌊q(n−1)⌋+1,
b = ⌈q(n−1)⌉+1), then at least ``a`` of its values are ≤ v and at most ``b−1`` are < v. With
``min`` (q=0) and ``max`` (q=1) included, each row thus gives step functions ``Lᵢ(x) ≤ #{values ≤ x}
≤ Uᵢ(x)``. Summing them over rows brackets the pooled count ``F(x)``. The pooled percentile lies
between x₍A₎ and x₍B₎ (A, B as above with N). Since ``F(x₍A₎) ≥ A`` we get x₍A₎ ≥ low :=
min{x: U(x) ≥ A}; since fewer than B values are below x₍B₎, ``L(x) ≥ B`` forces x ≥ x₍B₎, so
x₍B₎ ≤ high := min{x: L(x) ≥ B}. Ranks are computed with exact integer arithmetic; the interval is
then widened by a relative 1e-9 for float noise and clipped to [min, max]. Between two of its
points a row's values could sit anywhere, so a bound often reaches the neighbouring point of some
rows (and p95 always lies between points): wide bounds are the honest uncertainty, not a defect.

How the estimates are made
--------------------------
The estimate models ``count(x)``, the number of pooled values ≤ x, as a sum over rows, and inverts it.

1. A row's count at each of its six points is known exactly: with h = q(n−1), ⌊h⌋+1 of its values
   are at or below its q-point (the count jumps by one there when the point is itself a value, as
   min and max always are).
2. Between its points, a row's values follow a smooth monotone curve (PCHIP) through the points,
   drawn in (normal score of the rank, log of the value) coordinates, where a lognormal row is a
   straight line. Every row's curve is sampled densely and the counts add up to a pooled curve.
3. Above p90 a row has few values and its points are noisy, so there its count is the average of
   its own curve and of spreading its values in each gap the way the pooled curve does (what one
   expects when rows are alike). Below p90 each row keeps its own shape: rows may differ (drift,
   several sessions at once).
4. The sum is piecewise linear, so it is inverted exactly, at the smooth count T·N/(N+1) that the
   T-th smallest of N values has on average, T = 1 + q(N−1).
5. One row returns its own values. When every row's min and max are whole numbers (Snowflake's
   milliseconds, bytes and row counts), estimates are rounded to whole numbers, because the
   pooled percentile of whole numbers almost always is one. Each estimate is clamped into its bounds.

Everything is vectorised with numpy; 10,000 rows take a few tenths of a second. Measured accuracy
against exact pooled percentiles, and against the naive merges, is in docs/benchmarks-percentiles.md
(reproduce with ``python -m bench.percentile_accuracy``). Rows whose values form separate clusters
(e.g. cache hits and misses) can still defeat any estimate; the bounds remain the guarantee.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

# The keys of one Snowflake timing OBJECT, in the order they are read.
SUMMARY_KEYS = ("sum", "avg", "stddev", "min", "median", "p90", "p99", "p99.9", "max")
KNOT_KEYS = ("min", "median", "p90", "p99", "p99.9", "max")
# Quantile of each knot as an exact fraction (numerator, denominator) so ranks are computed exactly.
_KNOT_Q = ((0, 1), (1, 2), (9, 10), (99, 100), (999, 1000), (1, 1))
# Target percentiles. p95 is estimated like the others, never as the midpoint of p90 and p99.
TARGETS = {"p50": (1, 2), "p90": (9, 10), "p95": (19, 20), "p99": (99, 100), "p99.9": (999, 1000)}

REL_TOL = 1e-9  # tolerated relative float noise in the input, and the widening of the bounds

# Dense sampling of each row's curve: sub-intervals per gap between consecutive knots
# (min-median, median-p90, p90-p99, p99-p99.9, p99.9-max). More where the shape matters most.
_STEPS = (10, 8, 8, 6, 4)


def merge_summaries(summaries: Iterable[Mapping[str, Any]], *, ddof: int = 0) -> dict[str, Any]:
    """Pool per-interval summaries of one metric into exact moments and bounded percentile estimates.

    ``summaries``: mappings holding ``calls`` and the metric's ``sum, avg, stddev, min, median, p90,
    p99, p99.9, max`` (int/float/Decimal or numeric strings; keys are matched case-insensitively;
    ``None``/NaN means missing). A pandas DataFrame is accepted too. Rows with zero calls are
    ignored. ``ddof``: 0 if the rows' ``stddev`` is the population one (assumed), 1 if it is the
    sample one; the pooled ``stddev`` is returned with the same convention.

    Returns ``count, sum, mean, stddev, min, max`` (exact), ``p50, p90, p95, p99, p99.9``
    (estimates) and ``bounds``: ``{name: (low, high)}`` proven to contain the true pooled percentile.
    Raises ``ValueError`` naming the row and key for empty input, missing or non-numeric values,
    negative or fractional calls, and inconsistent summaries.
    """
    if ddof not in (0, 1):
        raise ValueError("ddof must be 0 (population stddev) or 1 (sample stddev)")
    calls, knots, sums, stds = _parse(summaries)
    n_rows = len(calls)
    if n_rows == 0:
        raise ValueError("no summaries with calls > 0 to merge (empty input or all calls are 0)")

    result = _exact_moments(calls, knots, sums, stds, ddof)
    bounds = _bounds(calls, knots)
    estimates = dict(zip(TARGETS, _estimates(calls, knots)))
    if n_rows == 1:  # one row: its own percentiles are the answer, and its p95 lies between two
        estimates.update({"p50": knots[0, 1], "p90": knots[0, 2], "p99": knots[0, 3], "p99.9": knots[0, 4]})
        estimates["p95"] = min(max(estimates["p95"], knots[0, 2]), knots[0, 3])
    elif _whole_numbers(knots):
        # Snowflake's times are whole milliseconds and bytes/rows are counts. The pooled percentile
        # of whole numbers is almost always a whole number, so a value between two is surely off.
        estimates = {name: float(np.round(x)) for name, x in estimates.items()}
    gmin, gmax = result["min"], result["max"]
    out_bounds: dict[str, tuple[float, float]] = {}
    for j, name in enumerate(TARGETS):
        low, high = bounds[j]
        # Widen for float noise in the inputs, but never beyond the observed range.
        low = max(gmin, low - REL_TOL * abs(low))
        high = min(gmax, high + REL_TOL * abs(high))
        result[name] = float(min(max(estimates[name], low), high))
        out_bounds[name] = (float(low), float(high))
    result["bounds"] = out_bounds
    return result


def _whole_numbers(knots: np.ndarray) -> bool:
    """True when every row's min and max (actual values, unlike the interpolated knots) are whole."""
    ends = knots[:, [0, 5]]
    return bool(np.all(ends == np.round(ends)))


# --------------------------------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------------------------------


def _number(value: Any, key: str, row_no: int) -> float | None:
    """A finite float, or None when missing. Anything else is a ValueError naming the key."""
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int subclass, but never a valid measurement
        raise ValueError(f"summary #{row_no}: {key!r} is not a number: {value!r}")
    if isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            raise ValueError(f"summary #{row_no}: {key!r} is not a number: {value!r}") from None
    else:
        raise ValueError(f"summary #{row_no}: {key!r} is not a number: {value!r}")
    if math.isnan(x):  # pandas spells SQL NULL as NaN
        return None
    if math.isinf(x):
        raise ValueError(f"summary #{row_no}: {key!r} is not finite: {value!r}")
    return x


_ROW_KEYS = ("calls", "sum", "avg", "stddev") + KNOT_KEYS  # the columns _parse reads


def _raw_values(summaries: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """The values of _ROW_KEYS for every row, as given (keys matched case-insensitively)."""
    if hasattr(summaries, "columns") and hasattr(summaries, "to_numpy"):  # a pandas DataFrame
        names = {str(c).lower(): c for c in summaries.columns}
        columns = [summaries[names[k]].to_numpy(dtype=object) if k in names else None for k in _ROW_KEYS]
        n = len(summaries)
        return [list(row) for row in zip(*(c if c is not None else [None] * n for c in columns))]
    raw_rows = []
    for row_no, raw in enumerate(summaries):
        if not isinstance(raw, Mapping):
            raise ValueError(f"summary #{row_no} is not a mapping: {type(raw).__name__}")
        if "calls" not in raw or "median" not in raw:  # not all lower case (e.g. CALLS from a cursor)
            raw = {str(k).lower(): v for k, v in raw.items()}
        raw_rows.append([raw.get(key) for key in _ROW_KEYS])
    return raw_rows


def _to_floats(raw_rows: list[list[Any]]) -> np.ndarray:
    """R×len(_ROW_KEYS) floats, NaN where missing; ValueError naming the first bad value."""
    fast = not any(type(v) is bool for row in raw_rows for v in row)
    if fast:
        try:
            values = np.array(raw_rows, dtype=float).reshape(len(raw_rows), len(_ROW_KEYS))
            fast = not np.isinf(values).any()
        except (TypeError, ValueError):
            fast = False
    if fast:
        return values
    # Slow path, only to name the offending row and key.
    return np.array([[np.nan if (x := _number(v, key, row_no)) is None else x
                      for v, key in zip(row, _ROW_KEYS)] for row_no, row in enumerate(raw_rows)])


def _parse(summaries: Iterable[Mapping[str, Any]]):
    """Validate rows; return arrays calls (int64), knots (R×6), sums, stds for rows with calls > 0."""
    values = _to_floats(_raw_values(summaries))
    if len(values) == 0:
        return np.zeros(0, np.int64), np.zeros((0, 6)), np.zeros(0), np.zeros(0)
    row_nos = np.arange(len(values))

    def fail(mask: np.ndarray, message: str, shown: tuple[np.ndarray, ...] = ()) -> None:
        if mask.any():
            i = int(np.argmax(mask))
            detail = f" ({', '.join(repr(float(v[i])) for v in shown)})" if shown else ""
            raise ValueError(f"summary #{row_nos[i]}: {message}{detail}")

    calls = values[:, 0]
    fail(np.isnan(calls), "'calls' is missing")
    fail(calls < 0, "'calls' is negative", (calls,))
    fail(calls != np.round(calls), "'calls' is not a whole number", (calls,))
    keep = calls > 0  # rows where nothing ran are ignored; Snowflake may leave their statistics empty
    values, row_nos = values[keep], row_nos[keep]
    if len(values) == 0:
        return np.zeros(0, np.int64), np.zeros((0, 6)), np.zeros(0), np.zeros(0)

    calls_a = values[:, 0].astype(np.int64)
    sums_a, avgs_a, stds_a, knots_a = values[:, 1], values[:, 2], values[:, 3], values[:, 4:]
    for k, key in enumerate(KNOT_KEYS):
        fail(np.isnan(knots_a[:, k]), f"{key!r} is missing")
    fail(np.isnan(sums_a) & np.isnan(avgs_a), "'sum' is missing (and so is 'avg')")
    sums_a = np.where(np.isnan(sums_a), avgs_a * calls_a, sums_a)  # sum wins; else avg * calls
    fail(np.isnan(stds_a) & (calls_a != 1), "'stddev' is missing")
    stds_a = np.where(np.isnan(stds_a), 0.0, stds_a)  # a single execution's stddev may be NULL: 0

    def below(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """x < y beyond float noise."""
        return x < y - REL_TOL * np.maximum(np.abs(x), np.abs(y))

    for k in range(1, 6):
        lo_key, hi_key = KNOT_KEYS[k - 1], KNOT_KEYS[k]
        fail(below(knots_a[:, k], knots_a[:, k - 1]), f"{hi_key!r} is below {lo_key!r}",
             (knots_a[:, k], knots_a[:, k - 1]))
    lo, hi = knots_a[:, 0], knots_a[:, 5]
    fail(below(avgs_a, lo) | below(hi, avgs_a), "'avg' is outside ['min', 'max']", (avgs_a, lo, hi))  # NaN: False
    means = sums_a / calls_a
    fail(below(means, lo) | below(hi, means), "'sum' / 'calls' is outside ['min', 'max']", (means, lo, hi))
    fail(below(stds_a, np.zeros_like(stds_a)), "'stddev' is negative", (stds_a,))
    # Any stddev (population or sample, n >= 2) is at most the range; a single value has none.
    span = np.maximum(np.abs(lo), np.abs(hi))  # float noise in a stddev scales with the values
    fail(stds_a > hi - lo + REL_TOL * span, "'stddev' is larger than 'max' - 'min'", (stds_a, lo, hi))
    fail((calls_a == 1) & below(lo, hi), "'calls' is 1 but 'min' differs from 'max'", (lo, hi))

    # Remove tolerated noise so that later code can rely on exact ordering.
    knots_a = np.maximum.accumulate(knots_a, axis=1)
    stds_a = np.clip(stds_a, 0.0, None)
    return calls_a, knots_a, sums_a, stds_a


# --------------------------------------------------------------------------------------------------
# Exact part
# --------------------------------------------------------------------------------------------------


def _exact_moments(calls, knots, sums, stds, ddof: int) -> dict[str, Any]:
    count = int(calls.sum())
    total = math.fsum(sums.tolist())
    mean = total / count
    # Pooled sum of squared deviations = within-row part + between-row part.
    within = math.fsum(((calls - ddof) * stds**2).tolist())
    between = math.fsum((calls * (sums / calls - mean) ** 2).tolist())
    dof = count - ddof
    stddev = math.sqrt((within + between) / dof) if dof > 0 else None
    return {
        "count": count,
        "sum": total,
        "mean": mean,
        "stddev": stddev,
        "min": float(knots[:, 0].min()),
        "max": float(knots[:, 5].max()),
    }


# --------------------------------------------------------------------------------------------------
# Bounds
# --------------------------------------------------------------------------------------------------


def _rank_band(num: int, den: int, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-based ranks (a, b) of the order statistics that bracket the q=num/den percentile of n values."""
    t = num * (n - 1)
    return t // den + 1, -((-t) // den) + 1


def _bounds(calls: np.ndarray, knots: np.ndarray) -> list[tuple[float, float]]:
    """(low, high) per target from the per-row count envelopes (see module docstring)."""
    n = calls
    a = np.stack([_rank_band(num, den, n)[0] for num, den in _KNOT_Q], axis=1)
    b = np.stack([_rank_band(num, den, n)[1] for num, den in _KNOT_Q], axis=1)
    # L_i(x) = a_k for the last knot v_k <= x: steps of a_k - a_{k-1} at each knot.
    inc_low = np.diff(a, axis=1, prepend=0)
    # U_i(x) = b_{k+1} - 1 for the last knot v_k <= x (0 below min, n at/after max).
    b_next = np.concatenate([b[:, 1:], (n + 1)[:, None]], axis=1)
    inc_up = b_next - b

    values = knots.ravel()
    order = np.argsort(values, kind="stable")
    v_sorted = values[order]
    cum_low = np.cumsum(inc_low.ravel()[order])
    cum_up = np.cumsum(inc_up.ravel()[order])

    total = np.array([int(n.sum())], dtype=np.int64)
    out = []
    for num, den in TARGETS.values():
        A, B = (int(r[0]) for r in _rank_band(num, den, total))
        low = v_sorted[np.searchsorted(cum_up, A, side="left")]  # first x with U(x) >= A
        high = v_sorted[np.searchsorted(cum_low, B, side="left")]  # first x with L(x) >= B
        out.append((float(low), float(high)))
    return out


# --------------------------------------------------------------------------------------------------
# Estimates
# --------------------------------------------------------------------------------------------------


def _norm_ppf(p: np.ndarray) -> np.ndarray:
    """Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).

    Only used to shape the interpolation between known points, so this accuracy is ample and numpy
    suffices (no scipy dependency).
    """
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    p = np.asarray(p, dtype=float)
    out = np.empty_like(p)
    p_low = 0.02425

    def tail(r: np.ndarray) -> np.ndarray:
        r = np.sqrt(-2.0 * np.log(r))
        return ((((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
                / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1.0))

    lower = p < p_low
    upper = p > 1.0 - p_low
    mid = ~(lower | upper)
    out[lower] = tail(p[lower])
    out[upper] = -tail(1.0 - p[upper])
    r = p[mid] - 0.5
    s = r * r
    out[mid] = ((((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r
                / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1.0))
    return out


def _pchip_slopes(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fritsch-Carlson (PCHIP) knot slopes, row by row; they keep the cubic monotone."""
    h = np.diff(s, axis=1)
    delta = np.diff(y, axis=1) / h
    d = np.zeros_like(y)
    # Interior: weighted harmonic mean of the neighbouring secants, 0 at a flat neighbour.
    h0, h1 = h[:, :-1], h[:, 1:]
    d0, d1 = delta[:, :-1], delta[:, 1:]
    w1, w2 = 2 * h1 + h0, h1 + 2 * h0
    both = (d0 > 0) & (d1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d[:, 1:-1] = np.where(both, (w1 + w2) / (w1 / d0 + w2 / d1), 0.0)

    def end(hh0, hh1, dd0, dd1):
        # One-sided three-point estimate, limited so the end segments stay monotone.
        e = ((2 * hh0 + hh1) * dd0 - hh0 * dd1) / (hh0 + hh1)
        e = np.where(e < 0, 0.0, e)
        return np.where((dd1 <= 0) & (e > 3 * dd0), 3 * dd0, e)

    d[:, 0] = end(h[:, 0], h[:, 1], delta[:, 0], delta[:, 1])
    d[:, -1] = end(h[:, -1], h[:, -2], delta[:, -1], delta[:, -2])
    return d


def _log_shift(knots: np.ndarray) -> float:
    """Offset c so that log(x - c) is the working coordinate for every row.

    Latencies are positive and roughly lognormal, so c = 0 when all values are positive. When some
    values are 0 or below (e.g. TRANSACTION_BLOCKED_TIME is mostly 0), c sits below the minimum by a
    typical spread, which keeps the log from stretching the region near the minimum without bound.
    """
    gmin = float(knots[:, 0].min())
    if gmin > 0:
        return 0.0
    spread = knots - gmin
    for k in range(1, 6):  # the first knot level at which the rows spread out
        positive = spread[:, k][spread[:, k] > 0]
        if positive.size:
            return gmin - float(np.median(positive))
    return gmin - 1.0  # every value equal: any offset works


def _row_curves(calls: np.ndarray, u_knots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample each row's smooth quantile curve: U (R×K) in the log coordinate, at rank fractions P.

    Also returns the knot interval (0-4) of every column; the knots themselves are columns
    _KNOT_COLUMNS and keep their exact values.
    """
    n = calls.astype(float)[:, None]
    q = np.array([num / den for num, den in _KNOT_Q])
    single = calls == 1

    def plot_pos(p):  # a rank fraction's plotting position (rank - 1/2) / n, strictly inside (0, 1)
        return (p * (n - 1) + 0.5) / n

    s = _norm_ppf(plot_pos(np.broadcast_to(q, u_knots.shape)))
    s[single] = np.arange(6.0)  # one execution: all knots coincide; any increasing abscissa works
    slopes = _pchip_slopes(s, u_knots)

    # Interior columns of every knot gap at once (one call per array op, not per column: this runs
    # for every merged metric): evenly spaced in the logit of the plotting position.
    k, frac = _INTERIOR_GAP, _INTERIOR_FRACTION
    u0, u1 = plot_pos(q[k]), plot_pos(q[k + 1])
    l0, l1 = np.log(u0 / (1 - u0)), np.log(u1 / (1 - u1))
    pos = 1.0 / (1.0 + np.exp(-(l0 + frac * (l1 - l0))))
    one = single[:, None]
    p = np.where(one, q[k], (pos * n - 0.5) / np.maximum(n - 1, 1))
    sg = np.where(one, s[:, k], _norm_ppf(pos))
    s0, hk = s[:, k], s[:, k + 1] - s[:, k]
    t = np.clip((sg - s0) / hk, 0.0, 1.0)
    # Cubic Hermite on [s_k, s_k+1] with the PCHIP slopes.
    ug = ((1 + 2 * t) * (1 - t) ** 2 * u_knots[:, k] + t * (1 - t) ** 2 * hk * slopes[:, k]
          + t**2 * (3 - 2 * t) * u_knots[:, k + 1] + t**2 * (t - 1) * hk * slopes[:, k + 1])
    interior_u = np.clip(ug, u_knots[:, k], u_knots[:, k + 1])  # stay inside the gap
    interior_p = np.clip(p, q[k], q[k + 1])

    # Knots and interior columns in curve order: knot 0, its gap's interior, knot 1, ..., knot 5.
    all_u = np.concatenate([u_knots, interior_u], axis=1)[:, _CURVE_ORDER]
    all_p = np.concatenate([np.broadcast_to(q, u_knots.shape), interior_p], axis=1)[:, _CURVE_ORDER]
    U = np.maximum.accumulate(all_u, axis=1)  # remove float wiggles
    P = np.maximum.accumulate(all_p, axis=1)
    return U, P, _CURVE_GAP


_KNOT_COLUMNS = np.cumsum((0,) + _STEPS)  # column of each knot in _row_curves' output
# The interior columns of _row_curves: the knot gap each lies in and its place in the gap (j/steps).
_INTERIOR_GAP = np.array([k for k, steps in enumerate(_STEPS) for _ in range(1, steps)])
_INTERIOR_FRACTION = np.array([j / steps for steps in _STEPS for j in range(1, steps)])
# Knots (0-5) then interior columns (6..), reordered into the curve's column order, and each column's gap.
_CURVE_ORDER = np.array([i for k, steps in enumerate(_STEPS)
                         for i in [k] + [6 + sum(s - 1 for s in _STEPS[:k]) + j for j in range(steps - 1)]] + [5])
_CURVE_GAP = np.array([k for k, steps in enumerate(_STEPS) for _ in range(steps)] + [4])


def _knot_counts(calls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number of a row's values below (left) and at or below (right) each knot, as R×6 arrays.

    With the linear definition a knot at h = q(n-1) lies between the values of ranks ⌊h⌋+1 and
    ⌈h⌉+1. When h is fractional exactly ⌊h⌋+1 values are at or below it, with no jump. When h is
    whole the knot is itself a value (min and max always are), so the count jumps by one there.
    """
    a = np.stack([_rank_band(num, den, calls)[0] for num, den in _KNOT_Q], axis=1)
    b = np.stack([_rank_band(num, den, calls)[1] for num, den in _KNOT_Q], axis=1)
    right = a.astype(float)
    left = (a - (a == b)).astype(float)
    # Knots that are the same value (e.g. every knot of a single execution) must not count it twice.
    left[:, 1:] = np.maximum(left[:, 1:], right[:, :-1])
    right = np.maximum(right, left)
    return left, right


def _tabulate(pts, i0, i1, x0, x1, dc) -> tuple[np.ndarray, np.ndarray]:
    """Value and left limit, at every point of sorted pts, of a sum of ramps.

    Segment j spreads dc[j] linearly over [x0[j], x1[j]] = [pts[i0[j]], pts[i1[j]]], or jumps by
    dc[j] there when x0 == x1. O(m + len(pts)) after the indices are known.
    """
    m = len(pts)
    jump = x1 - x0 <= 1e-12 * (1.0 + np.abs(x0))  # a near-zero width would give a huge, lossy slope
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(jump, 0.0, dc / (x1 - x0))
    finished = np.cumsum(np.bincount(i1, dc, m))  # segments that end at or before pts[j]
    # Segments still rising at pts[j] (x0 <= pts[j] < x1) add slope * (pts[j] - x0).
    rising_slope = np.cumsum(np.bincount(i0, slope, m) - np.bincount(i1, slope, m))
    rising_icpt = np.cumsum(np.bincount(i0, slope * x0, m) - np.bincount(i1, slope * x0, m))
    right = finished + np.clip(rising_slope * pts - rising_icpt, 0.0, None)
    return right, right - np.bincount(i1[jump], dc[jump], m)


class _Ramps:
    """A nondecreasing, right-continuous, piecewise-linear count function: a sum of ramps.

    Values (right) and left limits are stored exactly at every segment end, so evaluating and
    inverting between those points is exact linear interpolation.
    """

    def __init__(self, pts: np.ndarray, right: np.ndarray, left: np.ndarray):
        self._set(pts, right, left)

    @classmethod
    def of_segments(cls, x0: np.ndarray, x1: np.ndarray, dc: np.ndarray) -> _Ramps:
        x0 = np.ravel(x0)
        x1 = np.maximum(np.ravel(x1), x0)
        pts, where = np.unique(np.concatenate([x0, x1]), return_inverse=True)
        right, left = _tabulate(pts, where[: len(x0)], where[len(x0):], x0, x1, np.clip(np.ravel(dc), 0.0, None))
        return cls(pts, right, left)

    def _set(self, pts, right, left):
        self.pts = pts
        self.right = np.maximum.accumulate(right)
        self.left = np.clip(left, np.concatenate([[0.0], self.right[:-1]]), self.right)

    def __call__(self, x: np.ndarray, left: bool = False) -> np.ndarray:
        """Value at x, or its left limit."""
        pts = self.pts
        if len(pts) == 0:
            return np.zeros(np.shape(x))
        j = np.searchsorted(pts, x, side="left" if left else "right") - 1  # last point below x
        jj, nxt = np.clip(j, 0, len(pts) - 1), np.clip(j + 1, 0, len(pts) - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(pts[nxt] > pts[jj], (x - pts[jj]) / (pts[nxt] - pts[jj]), 0.0)
        val = self.right[jj] + np.clip(frac, 0.0, 1.0) * (self.left[nxt] - self.right[jj])
        val = np.where(j >= len(pts) - 1, self.right[-1], val)
        return np.where(j < 0, 0.0, val)

    def invert(self, t: np.ndarray) -> np.ndarray:
        """Smallest x whose value reaches t."""
        pts, right, left = self.pts, self.right, self.left
        j = np.clip(np.searchsorted(right, t, side="left"), 0, len(pts) - 1)  # first point reaching t
        prev = np.maximum(j - 1, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.nan_to_num((t - right[prev]) / (left[j] - right[prev]))
        on_ramp = (j > 0) & (left[j] > t)  # reached on the way up to pts[j], not by a jump at it
        return np.where(on_ramp, pts[prev] + np.clip(frac, 0.0, 1.0) * (pts[j] - pts[prev]), pts[j])


def _estimates(calls: np.ndarray, knots: np.ndarray) -> list[float]:
    """Estimate the target percentiles by inverting a model of the pooled count of values ≤ x."""
    total = float(calls.sum())
    shift = _log_shift(knots)
    u_knots = np.log(knots - shift)  # all the work happens in u = log(x - shift)
    left, right = _knot_counts(calls)

    # Pass 1: each row's count follows its own smooth curve between its knots.
    U, P, col_k = _row_curves(calls, u_knots)
    q = np.array([num / den for num, den in _KNOT_Q])
    rows = np.arange(len(calls))[:, None]
    k = np.minimum(col_k, 4)[None, :]
    w = np.clip((P - q[k]) / (q[k + 1] - q[k]), 0.0, 1.0)
    count = right[rows, k] + w * (left[rows, k + 1] - right[rows, k])  # within each knot gap
    below = count.copy()  # the count just below each column: differs at knots that are values
    below[:, _KNOT_COLUMNS] = left
    # Segments of the pooled count: the jumps at knots, then the ramps between grid columns.
    pts, where = np.unique(U, return_inverse=True)  # every segment starts and ends on the grid
    where = where.reshape(U.shape)
    i0 = np.concatenate([where[:, _KNOT_COLUMNS].ravel(), where[:, :-1].ravel()])
    i1 = np.concatenate([where[:, _KNOT_COLUMNS].ravel(), where[:, 1:].ravel()])
    x0, x1 = pts[i0], pts[i1]
    dc = np.concatenate([(right - left).ravel(), (below[:, 1:] - count[:, :-1]).ravel()])
    dc = np.clip(dc, 0.0, None)
    in_tail = np.broadcast_to(col_k[:-1] >= 2, U[:, 1:].shape).ravel()  # ramps from p90 up
    is_tail = np.concatenate([np.zeros(left.size, bool), in_tail])
    low = _tabulate(pts, i0[~is_tail], i1[~is_tail], x0[~is_tail], x1[~is_tail], dc[~is_tail])
    tail_own = _tabulate(pts, i0[is_tail], i1[is_tail], x0[is_tail], x1[is_tail], dc[is_tail])
    own = _Ramps(pts, low[0] + tail_own[0], low[1] + tail_own[1])

    # Pass 2, tail gaps only (p90-p99, p99-p99.9, p99.9-max): a row has few values there and its
    # knots are noisy, so its own curve between them is unreliable. Given its knots, a row's values
    # in a gap are spread like its distribution there, and the pooled pass-1 curve is the best
    # estimate of that shape: spread each tail gap's values in proportion to the pooled count.
    # Below p90 rows have many values and may differ from the pool (drift, several sessions), so
    # their own shape stays. The two tail estimates err in opposite directions (own shape high,
    # pooled shape low at p99.9), so the tail count is their average.
    kk = np.arange(2, 5)
    g0 = own(u_knots[:, kk])
    g1 = np.maximum(own(u_knots[:, kk + 1], left=True), g0)
    g1 = np.where(u_knots[:, kk + 1] > u_knots[:, kk], g1, g0)  # tied knots: a jump
    tail_pooled = _Ramps.of_segments(g0, g1, left[:, kk + 1] - right[:, kk])  # in pooled-count units
    model = _Ramps(pts, low[0] + 0.5 * (tail_own[0] + tail_pooled(own.right)),
                   low[1] + 0.5 * (tail_own[1] + tail_pooled(own.left, left=True)))

    # The pooled percentile sits at rank T = 1 + q(N-1); a smooth count reaches about T·N/(N+1)
    # there (the expected share of values below the T-th of N).
    q_targets = np.array([num / den for num, den in TARGETS.values()])
    targets = (1.0 + q_targets * (total - 1.0)) * total / (total + 1.0)
    x = shift + np.exp(model.invert(targets))
    return [float(v) for v in x]

