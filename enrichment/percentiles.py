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
then widened by a relative 1e-9 for float noise and clipped to [min, max]. With few calls per row
the bounds are wide: that is the honest uncertainty, not a defect.

How the estimates are made
--------------------------
Each row's quantile function is modelled as a smooth monotone curve through its six known points
(min, median, p90, p99, p99.9, max), placed at the continuous ranks 1 + q·(n−1) that the linear
definition gives them. Between the points the curve is a monotone cubic (PCHIP) in the coordinates
(normal score of the rank, log of the value): a lognormal row is a straight line there, and exponential
or Pareto tails bend only mildly. The curves are sampled densely, the calls-weighted mixture of the
resulting piecewise-linear rank functions is formed, and it is inverted exactly at the pooled target
rank 1 + q·(N−1). A single row therefore returns its own median/p90/p99/p99.9 exactly and a p95
between its p90 and p99. Each estimate is finally clamped into its bounds. Everything is vectorised
with numpy; 10,000 rows take well under a second.
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
    if hasattr(summaries, "to_dict") and hasattr(summaries, "columns"):  # a pandas DataFrame
        summaries = summaries.to_dict("records")

    calls, knots, sums, stds = _parse(summaries)
    n_rows = len(calls)
    if n_rows == 0:
        raise ValueError("no summaries with calls > 0 to merge (empty input or all calls are 0)")

    result = _exact_moments(calls, knots, sums, stds, ddof)
    bounds = _bounds(calls, knots)
    estimates = _estimates(calls, knots)
    gmin, gmax = result["min"], result["max"]
    out_bounds: dict[str, tuple[float, float]] = {}
    for j, name in enumerate(TARGETS):
        low, high = bounds[j]
        # Widen for float noise in the inputs, but never beyond the observed range.
        low = max(gmin, low - REL_TOL * abs(low))
        high = min(gmax, high + REL_TOL * abs(high))
        result[name] = float(min(max(estimates[j], low), high))
        out_bounds[name] = (float(low), float(high))
    result["bounds"] = out_bounds
    return result


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


def _required(row: Mapping[str, Any], key: str, row_no: int) -> float:
    x = _number(row.get(key), key, row_no)
    if x is None:
        raise ValueError(f"summary #{row_no}: {key!r} is missing")
    return x


def _parse(summaries: Iterable[Mapping[str, Any]]):
    """Validate rows; return arrays calls (int64), knots (R×6), sums, stds for rows with calls > 0."""
    calls: list[int] = []
    knots: list[list[float]] = []
    sums: list[float] = []
    stds: list[float] = []
    avgs: list[float] = []
    row_nos: list[int] = []
    for row_no, raw in enumerate(summaries):
        if not isinstance(raw, Mapping):
            raise ValueError(f"summary #{row_no} is not a mapping: {type(raw).__name__}")
        row = {str(k).lower(): v for k, v in raw.items()}
        c = _required(row, "calls", row_no)
        if c < 0:
            raise ValueError(f"summary #{row_no}: 'calls' is negative: {c!r}")
        if c != int(c):
            raise ValueError(f"summary #{row_no}: 'calls' is not a whole number: {c!r}")
        if c == 0:
            continue  # nothing ran: Snowflake may leave the statistics empty
        n = int(c)
        ks = [_required(row, key, row_no) for key in KNOT_KEYS]
        s = _number(row.get("sum"), "sum", row_no)
        a = _number(row.get("avg"), "avg", row_no)
        if s is None:
            if a is None:
                raise ValueError(f"summary #{row_no}: 'sum' is missing (and so is 'avg')")
            s = a * n
        sd = _number(row.get("stddev"), "stddev", row_no)
        if sd is None:
            if n != 1:
                raise ValueError(f"summary #{row_no}: 'stddev' is missing")
            sd = 0.0  # Snowflake's stddev of a single execution may be NULL; it is 0
        calls.append(n)
        knots.append(ks)
        sums.append(s)
        stds.append(sd)
        avgs.append(math.nan if a is None else a)
        row_nos.append(row_no)

    if not calls:
        return np.zeros(0, np.int64), np.zeros((0, 6)), np.zeros(0), np.zeros(0)
    calls_a = np.asarray(calls, dtype=np.int64)
    knots_a = np.asarray(knots, dtype=float)
    sums_a = np.asarray(sums, dtype=float)
    stds_a = np.asarray(stds, dtype=float)
    avgs_a = np.asarray(avgs, dtype=float)
    rows_a = np.asarray(row_nos)

    def fail(mask: np.ndarray, message: str, values: tuple[np.ndarray, ...]) -> None:
        if mask.any():
            i = int(np.argmax(mask))
            shown = ", ".join(repr(float(v[i])) for v in values)
            raise ValueError(f"summary #{rows_a[i]}: {message} ({shown})")

    def below(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """x < y beyond float noise."""
        return x < y - REL_TOL * np.maximum(np.abs(x), np.abs(y))

    for k in range(1, 6):
        lo_key, hi_key = KNOT_KEYS[k - 1], KNOT_KEYS[k]
        fail(below(knots_a[:, k], knots_a[:, k - 1]), f"{hi_key!r} is below {lo_key!r}",
             (knots_a[:, k], knots_a[:, k - 1]))
    lo, hi = knots_a[:, 0], knots_a[:, 5]
    fail(below(avgs_a, lo) | below(hi, avgs_a), "'avg' is outside ['min', 'max']", (avgs_a, lo, hi))
    means = sums_a / calls_a
    fail(below(means, lo) | below(hi, means), "'sum' / 'calls' is outside ['min', 'max']", (means, lo, hi))
    fail(below(stds_a, np.zeros_like(stds_a)), "'stddev' is negative", (stds_a,))
    # Any stddev (population or sample, n >= 2) is at most the range; a single value has none.
    fail(below(hi - lo, stds_a), "'stddev' is larger than 'max' - 'min'", (stds_a, lo, hi))
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


def _row_curves(calls: np.ndarray, knots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample every row's modelled quantile function: values X (R×K) at continuous ranks RK (R×K)."""
    n = calls.astype(float)[:, None]
    q = np.array([num / den for num, den in _KNOT_Q])
    single = calls == 1

    # Abscissa: the normal score of each knot's plotting position (rank - 0.5) / n.
    def score(p: np.ndarray) -> np.ndarray:
        return _norm_ppf((p * (n - 1) + 0.5) / n)

    s = score(np.broadcast_to(q, knots.shape))
    s[single] = np.arange(6.0)  # one execution: all knots coincide, any increasing abscissa works

    # Ordinate: log of the value, offset below the row's minimum when values reach 0 or below.
    lo = knots[:, :1]
    gaps = np.where(knots > lo, knots - lo, np.inf).min(axis=1, keepdims=True)
    gaps = np.where(np.isfinite(gaps), gaps, 1.0)
    shift = np.where(lo > 0, 0.0, lo - gaps)
    y = np.log(knots - shift)
    slopes = _pchip_slopes(s, y)

    # Grid: each gap between knots split evenly in logit of the plotting position.
    cols_x, cols_p = [], []
    for k, steps in enumerate(_STEPS):
        for j in range(steps):
            t = j / steps
            if j == 0:
                cols_x.append(knots[:, k])
                cols_p.append(np.full(len(calls), q[k]))
                continue
            # Position in logit space between the two knots, mapped back to a rank fraction p.
            u0, u1 = (q[k] * (n[:, 0] - 1) + 0.5) / n[:, 0], (q[k + 1] * (n[:, 0] - 1) + 0.5) / n[:, 0]
            l0, l1 = np.log(u0 / (1 - u0)), np.log(u1 / (1 - u1))
            u = 1.0 / (1.0 + np.exp(-(l0 + t * (l1 - l0))))
            p = np.where(single, q[k], (u * n[:, 0] - 0.5) / np.maximum(n[:, 0] - 1, 1))
            sk, sk1 = s[:, k], s[:, k + 1]
            sg = np.where(single, sk, _norm_ppf(np.clip(u, 1e-300, 1 - 1e-16)))
            hk = sk1 - sk
            tt = np.clip((sg - sk) / hk, 0.0, 1.0)
            # Cubic Hermite basis on [s_k, s_k+1].
            h00 = (1 + 2 * tt) * (1 - tt) ** 2
            h10 = tt * (1 - tt) ** 2
            h01 = tt**2 * (3 - 2 * tt)
            h11 = tt**2 * (tt - 1)
            yg = h00 * y[:, k] + h10 * hk * slopes[:, k] + h01 * y[:, k + 1] + h11 * hk * slopes[:, k + 1]
            xg = shift[:, 0] + np.exp(yg)
            cols_x.append(np.clip(xg, knots[:, k], knots[:, k + 1]))  # stay inside the gap
            cols_p.append(np.clip(p, q[k], q[k + 1]))
    cols_x.append(knots[:, 5])
    cols_p.append(np.ones(len(calls)))

    X = np.maximum.accumulate(np.stack(cols_x, axis=1), axis=1)  # remove float wiggles
    P = np.maximum.accumulate(np.stack(cols_p, axis=1), axis=1)
    RK = 1.0 + P * (n - 1)  # the continuous rank each sampled value has within its row
    return X, RK


def _rank_at(X: np.ndarray, RK: np.ndarray, n: np.ndarray, x: np.ndarray, strict: bool) -> np.ndarray:
    """Pooled continuous rank at each x (right-continuous; the left limit when strict)."""
    R, K = X.shape
    xx = x[:, None, None]
    idx = (X[None] < xx if strict else X[None] <= xx).sum(axis=2)  # (M, R)
    lo = np.clip(idx - 1, 0, K - 2)
    rows = np.arange(R)[None, :]
    x0, x1 = X[rows, lo], X[rows, lo + 1]
    r0, r1 = RK[rows, lo], RK[rows, lo + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(x1 > x0, (x[:, None] - x0) / (x1 - x0), 1.0)
    r = r0 + np.clip(frac, 0.0, 1.0) * (r1 - r0)
    r = np.where(idx == 0, 0.0, np.where(idx == K, n[None, :], r))
    return r.sum(axis=1)


def _estimates(calls: np.ndarray, knots: np.ndarray) -> list[float]:
    """Invert the calls-weighted mixture of the rows' modelled rank functions at each target."""
    X, RK = _row_curves(calls, knots)
    nf = calls.astype(float)
    total = float(calls.sum())
    targets = np.array([1.0 + (num / den) * (total - 1.0) for num, den in TARGETS.values()])
    breaks = np.unique(X)

    # Binary search for the first breakpoint whose pooled rank reaches each target rank.
    lo = np.full(len(targets), -1)  # rank(breaks[lo]) < target  (-1: below everything)
    hi = np.full(len(targets), len(breaks) - 1)  # rank(breaks[hi]) >= target
    while True:
        active = hi - lo > 1
        if not active.any():
            break
        mid = (lo + hi) // 2
        r = _rank_at(X, RK, nf, breaks[mid[active]], strict=False)
        below = r < targets[active]
        lo[active] = np.where(below, mid[active], lo[active])
        hi[active] = np.where(below, hi[active], mid[active])

    out = []
    right = breaks[hi]
    left_rank = _rank_at(X, RK, nf, right, strict=True)
    for j, target in enumerate(targets):
        if lo[j] < 0 or left_rank[j] <= target:
            out.append(float(right[j]))  # reached at the breakpoint itself (a knot or a jump)
            continue
        # Between two breakpoints the pooled rank is linear: solve exactly.
        x0 = breaks[lo[j]]
        r0 = _rank_at(X, RK, nf, np.array([x0]), strict=False)[0]
        out.append(float(x0 + (target - r0) / (left_rank[j] - r0) * (right[j] - x0)))
    return out
