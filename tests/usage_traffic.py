"""One generated LiteLLM-shaped traffic, written to every source ``ovc usage`` reads: a PostgreSQL
``LiteLLM_SpendLogs`` table, Parquet, CSV and OpenTelemetry GenAI spans (OTLP/JSON lines)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass

import numpy as np

MODELS = ("gpt-6.1-sol", "claude-sonnet-5-5", "acme-test-model", "my-finetune-8b")
TEAMS = ("search", "support", "")
START_MS = int(dt.datetime(2026, 10, 13, 9, 30, tzinfo=dt.timezone.utc).timestamp() * 1000)


@dataclass
class Traffic:
    ts_ms: np.ndarray
    model: list[str]
    team: list[str]
    prompt: np.ndarray
    completion: np.ndarray
    cached: np.ndarray
    spend: np.ndarray

    def __len__(self) -> int:
        return len(self.ts_ms)


def make(n: int = 4000, seed: int = 7, days: float = 4.0) -> Traffic:
    """``n`` requests over ``days`` from START_MS (2026-10-13 09:30 UTC), integer tokens, ms timestamps."""
    rng = np.random.default_rng(seed)
    ts = np.sort(START_MS + rng.integers(0, int(days * 86400_000), n))
    prompt = rng.integers(50, 6000, n)
    return Traffic(ts_ms=ts, model=[MODELS[i] for i in rng.integers(0, len(MODELS), n)],
                   team=[TEAMS[i] for i in rng.integers(0, len(TEAMS), n)], prompt=prompt,
                   completion=rng.integers(1, 1500, n), cached=(prompt * rng.uniform(0, 0.9, n)).astype(np.int64),
                   spend=np.round(rng.uniform(0, 0.05, n), 6))


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _naive(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).replace(tzinfo=None)


def _meta(c: int) -> str:
    return json.dumps({"usage_object": {"prompt_tokens_details": {"cached_tokens": int(c)}}})


def to_postgres(t: Traffic, url: str) -> None:
    import psycopg

    from pg_cluster import SPEND_LOGS_DDL

    with psycopg.connect(url, autocommit=True) as c:
        c.execute(SPEND_LOGS_DDL)
        with c.cursor().copy('COPY "LiteLLM_SpendLogs" (request_id, call_type, api_key, spend, total_tokens, '
                             'prompt_tokens, completion_tokens, "startTime", "endTime", model, team_id, metadata) '
                             'FROM STDIN') as cp:
            for i in range(len(t)):
                cp.write_row((f"req-{i}", "acompletion", "hashed-key", float(t.spend[i]),
                              int(t.prompt[i] + t.completion[i]), int(t.prompt[i]), int(t.completion[i]),
                              _naive(int(t.ts_ms[i])), _naive(int(t.ts_ms[i]) + 900), t.model[i], t.team[i] or None,
                              _meta(t.cached[i])))


def to_csv(t: Traffic, path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["request_id", "startTime", "model", "prompt_tokens", "completion_tokens", "spend", "team_id",
                    "metadata"])
        for i in range(len(t)):
            w.writerow([f"req-{i}", _iso(int(t.ts_ms[i])), t.model[i], int(t.prompt[i]), int(t.completion[i]),
                        repr(float(t.spend[i])), t.team[i], _meta(t.cached[i])])


def to_parquet(t: Traffic, path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "request_id": [f"req-{i}" for i in range(len(t))],
        "startTime": pa.array(t.ts_ms, type=pa.timestamp("ms")),
        "model": t.model, "prompt_tokens": t.prompt.astype(np.int32), "completion_tokens": t.completion.astype(np.int32),
        "spend": t.spend, "team_id": [x or None for x in t.team], "metadata": [_meta(c) for c in t.cached],
    })
    pq.write_table(table, path, row_group_size=1000)


def to_otel(t: Traffic, path, spans_per_line: int = 50) -> None:
    """OTLP/JSON lines (the Collector file exporter's shape), with a non-GenAI span in each line."""
    def attr(k, v):
        return {"key": k, "value": {"intValue": str(v)} if isinstance(v, (int, np.integer)) else {"stringValue": v}}

    with open(path, "w", encoding="utf-8") as f:
        for lo in range(0, len(t), spans_per_line):
            spans = [{"name": "http GET", "startTimeUnixNano": str(int(t.ts_ms[lo]) * 1_000_000),
                      "attributes": [attr("http.method", "GET")]}]
            for i in range(lo, min(lo + spans_per_line, len(t))):
                a = [attr("gen_ai.operation.name", "chat"), attr("gen_ai.request.model", t.model[i] + "-request"),
                     attr("gen_ai.response.model", t.model[i]), attr("gen_ai.usage.input_tokens", int(t.prompt[i])),
                     attr("gen_ai.usage.output_tokens", int(t.completion[i])),
                     attr("gen_ai.usage.cache_read.input_tokens", int(t.cached[i]))]
                if t.team[i]:
                    a.append(attr("team_id", t.team[i]))
                spans.append({"traceId": f"{i:032x}", "spanId": f"{i:016x}", "name": f"chat {t.model[i]}",
                              "startTimeUnixNano": str(int(t.ts_ms[i]) * 1_000_000),
                              "endTimeUnixNano": str((int(t.ts_ms[i]) + 900) * 1_000_000), "attributes": a})
            rec = {"resourceSpans": [{"resource": {"attributes": [attr("service.name", "gateway")]},
                                      "scopeSpans": [{"scope": {"name": "openllmetry"}, "spans": spans}]}]}
            f.write(json.dumps(rec) + "\n")
