"""Usage logs -> result objects: traffic statistics as plain data, and the findings about them."""

from __future__ import annotations

import datetime as dt

from openvclosed.results.base import Finding
from openvclosed.results.usage import UsageSummaryResult

__all__ = ["fmt_ts", "window_json", "file_json", "stats_json", "total_json", "window_findings",
           "unpriced_findings", "build_summary"]


def fmt_ts(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_findings(w, total) -> list[Finding]:
    out = []
    if w.hours < 24:
        out.append(f"the logs span only {w.hours} hour{'s' if w.hours != 1 else ''}: per-day figures are "
                   f"extrapolated from them")
    empty = int((total.daily_tokens == 0).sum())
    if w.n_days >= 3 and empty / w.n_days > 0.2:
        out.append(f"{empty} of {w.n_days} days in the window have no traffic (gaps, or a stray timestamp?); they "
                   f"count as zero in the means")
    if w.resolution == "day":
        out.append("the logs are day buckets: peak_to_mean is busiest day / mean day, not hourly")
    return [Finding(code="usage_window", ids=[], message=m) for m in out]


def unpriced_findings(groups, costs, total) -> list[Finding]:
    out = []
    for s, c in zip(groups, costs):
        if c.api is None:
            hint = f"closest: {', '.join(c.closest)}; " if c.closest else ""
            out.append(Finding(code="unpriced_model", ids=[s.name],
                               message=f"model {s.name!r} is not in the catalog ({s.tokens / total.tokens if total.tokens else 0:.1%} of "
                                       f"tokens): counted in the traffic, not priced; {hint}add it with --catalog FILE"))
    return out


def window_json(w) -> dict:
    return {"start": fmt_ts(w.start_ts), "end": fmt_ts(w.end_ts), "days": w.days, "hours": w.hours,
            "resolution": w.resolution}


def file_json(r) -> dict:
    return {"path": r.path, "format": r.format, "preset": r.preset, "columns": r.columns, "rows": r.rows,
            "good_rows": r.good_rows, "bad_rows": r.bad_rows, "bad_by_reason": dict(r.bad_by_reason),
            "bad_examples": [{"line": line, "reason": msg} for line, msg in r.bad_examples]}


def stats_json(s, c=None) -> dict:
    d = {"model": s.name, "tokens": s.tokens, "input_tokens": s.input_tokens, "output_tokens": s.output_tokens,
         "cached_input_tokens": s.cached_input_tokens, "requests": s.requests, "days": s.days,
         "tokens_per_day": s.tokens_per_day, "peak_day_tokens": s.peak_day_tokens,
         "requests_per_day": s.requests_per_day, "peak_day_requests": s.peak_day_requests,
         "input_share": s.input_share, "cached_share": s.cached_share, "peak_to_mean": s.peak_to_mean,
         "logged_usd": s.logged_usd}
    if c is not None:
        d.update({"api": c.api, "matched_by": c.matched_by or None, "usd_per_mtok": c.usd_per_mtok,
                  "usd_at_catalog": c.usd_window, "usd_per_day_at_catalog": c.usd_per_day,
                  "usd_at_other_prices": c.usd_window_other, "context_tokens": c.context_tokens})
    return d


def total_json(total, costs, groups) -> dict:
    d = stats_json(total)
    d.pop("model")
    priced = [(c, s) for c, s in zip(costs, groups) if c.api is not None]
    d["usd_at_catalog"] = sum(c.usd_window for c, _ in priced)
    d["usd_per_day_at_catalog"] = sum(c.usd_per_day for c, _ in priced)
    d["usd_at_other_prices"] = sum(c.usd_window_other for c, _ in priced)
    d["priced_token_share"] = sum(s.tokens for _, s in priced) / total.tokens if total.tokens else None
    d["unpriced_models"] = [c.name for c in costs if c.api is None]
    return d


def build_summary(w, groups, costs, total, reports, at_current: bool = False) -> UsageSummaryResult:
    """The summary result; ``usd_at_catalog`` at the prices of ``priced_at`` (each day's, or today's),
    ``usd_at_other_prices`` the same tokens at the other."""
    from openvclosed.usage.reprice import history_findings

    t = total_json(total, costs, groups)
    t["priced_at"] = "current" if at_current else "date"
    return UsageSummaryResult(window=window_json(w), files=[file_json(r) for r in reports],
                              models=[stats_json(s, c) for s, c in zip(groups, costs)], total=t,
                              findings=window_findings(w, total) + unpriced_findings(groups, costs, total)
                              + history_findings(costs, at_current))
