"""Exact percentiles over the recorded latencies (no histograms, no sampling)."""

import math
from collections.abc import Sequence


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence: the smallest value >= `fraction` of the data."""
    if not ordered:
        return math.nan
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency_summary_ms(latencies_seconds: Sequence[float]) -> dict[str, float | None]:
    """Mean, p50, p90, p99 and max in milliseconds; `None` each when nothing was recorded."""
    ordered = sorted(latencies_seconds)
    if not ordered:
        return dict.fromkeys(("mean", "p50", "p90", "p99", "max"))
    values = {
        "mean": sum(ordered) / len(ordered),
        "p50": percentile(ordered, 0.50),
        "p90": percentile(ordered, 0.90),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1],
    }
    return {name: round(value * 1000, 3) for name, value in values.items()}
