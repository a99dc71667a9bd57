"""app/format.py: the dashboard's one way of writing durations, counts, percentages and times."""

import datetime as dt
import math

import pytest

from app.format import format_ago, format_count, format_ms, format_pct, format_utc, format_utc_time


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, "—"),
        (math.nan, "—"),
        (float("inf"), "—"),
        ("not a number", "—"),
        (-5, "—"),
        (0, "< 1ms"),
        (0.999, "< 1ms"),
        (1, "1.0ms"),
        (45.24, "45.2ms"),
        (999.94, "999.9ms"),
        (999.96, "1.0s"),  # must not print "1000.0ms"
        (1000, "1.0s"),
        (1234, "1.2s"),
        (59_949, "59.9s"),
        (59_960, "1m 00s"),  # must not print "60.0s"
        (125_000, "2m 05s"),
        (3_599_400, "59m 59s"),
        (3_599_600, "1h 00m"),  # must not print "60m 00s"
        (3_720_000, "1h 02m"),
    ],
)
def test_format_ms(ms, text):
    assert format_ms(ms) == text


def test_format_ms_accepts_numpy_and_decimal():
    import decimal

    import numpy as np

    assert format_ms(np.float64(45.24)) == "45.2ms"
    assert format_ms(decimal.Decimal("12.34")) == "12.3ms"
    assert format_ms(np.nan) == "—"


def test_format_count_and_pct():
    assert format_count(1234567) == "1,234,567"
    assert format_count(None) == "—"
    assert format_pct(0.995) == "99.5%"
    assert format_pct(1) == "100.0%"
    assert format_pct(None) == "—"


NOW = dt.datetime(2026, 11, 26, 14, 5, 30)


def test_format_utc_naive_and_aware():
    assert format_utc(NOW) == "2026-11-26 14:05 UTC"
    aware = dt.datetime(2026, 11, 26, 15, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert format_utc(aware) == "2026-11-26 14:05 UTC"
    assert format_utc(None) == "—"


def test_format_utc_time_drops_the_date_only_on_the_same_day():
    assert format_utc_time(dt.datetime(2026, 11, 26, 14, 32), NOW) == "14:32 UTC"
    assert format_utc_time(dt.datetime(2026, 11, 27, 1, 2), NOW) == "Nov 27 01:02 UTC"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(seconds=-20), "just now"),
        (dt.timedelta(seconds=20), "in < 1 min"),
        (dt.timedelta(minutes=-5), "5 min ago"),
        (dt.timedelta(minutes=12, seconds=10), "in 12 min"),
        (dt.timedelta(hours=-2, minutes=-5), "2 h 05 min ago"),
        (dt.timedelta(hours=3), "in 3 h"),
        (dt.timedelta(days=-3), "3 days ago"),
    ],
)
def test_format_ago(delta, text):
    assert format_ago(NOW + delta, NOW) == text


def test_format_ago_mixes_naive_utc_and_aware():
    aware_now = NOW.replace(tzinfo=dt.timezone.utc)
    assert format_ago(NOW - dt.timedelta(minutes=5), aware_now) == "5 min ago"
    assert format_ago(None, NOW) == "—"
