"""`ovc usage summarize` on the same generated spend logs as CSV (the columnar reader), Parquet
(DuckDB), CSV through DuckDB (``--engine duckdb``) and a PostgreSQL ``LiteLLM_SpendLogs`` table:
wall time and peak RSS of each `ovc` process, at several sizes, in one run (same-run ratios
against the columnar CSV reader).

Run on demand (never part of `pytest`; needs the duckdb, postgres and columnar extras and
Debian's postgresql binaries)::

    python benchmarks/bench_usage_sources.py --rows 1000000,3000000,10000000 [--runs 1] [--no-postgres]
        [--pg-max-rows 3e6]

Data are generated inside DuckDB (Parquet, CSV under /tmp/ovc_src_<rows>.*, reused if present) and
inside PostgreSQL (``generate_series``, a throwaway cluster: tests/pg_cluster.py), with LiteLLM's
column names. The PostgreSQL server's own memory is not in the RSS column (it is bounded by its
``work_mem``: the aggregation keeps one hash entry per model x hour).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from _timing import run_child  # benchmarks/_timing.py

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

DAYS = 30
START = "2026-09-01 00:00:00"
MODELS = ["gpt-6.1-sol", "gpt-6-luna", "claude-sonnet-5-5", "acme-finetune-v2", "gemini-3.8-flash"]
_SELECT = """
SELECT 'req-' || i AS request_id,
       TIMESTAMP '{start}' + to_seconds(CAST(floor(((i * 7919) % {n}) * {span} / {n}) AS BIGINT)) AS "startTime",
       {models}[1 + (i % {k})] AS model,
       CAST(50 + (i * 31) % 8000 AS INTEGER) AS prompt_tokens,
       CAST(10 + (i * 17) % 1500 AS INTEGER) AS completion_tokens,
       ((i * 13) % 1000) / 100000.0 AS spend
FROM range({n}) t(i)"""


def _models_sql() -> str:
    return "[" + ", ".join(f"'{m}'" for m in MODELS) + "]"


def make_files(rows: int) -> tuple[Path, Path]:
    import duckdb

    pq, csv = Path(f"/tmp/ovc_src_{rows}.parquet"), Path(f"/tmp/ovc_src_{rows}.csv")
    sel = _SELECT.format(start=START, n=rows, span=DAYS * 86400, models=_models_sql(), k=len(MODELS))
    con = duckdb.connect()
    if not pq.exists():
        con.execute(f"COPY ({sel}) TO '{pq}' (FORMAT parquet)")
    if not csv.exists():
        con.execute(f"COPY ({sel}) TO '{csv}' (FORMAT csv, HEADER true)")
    return pq, csv


def load_postgres(url: str, rows: int) -> float:
    """Fill LiteLLM_SpendLogs with ``rows`` rows inside the server; seconds taken."""
    import psycopg

    from pg_cluster import SPEND_LOGS_DDL

    t = time.perf_counter()
    models = "ARRAY[" + ", ".join(f"'{m}'" for m in MODELS) + "]"
    with psycopg.connect(url, autocommit=True) as c:
        c.execute('DROP TABLE IF EXISTS "LiteLLM_SpendLogs"')
        c.execute(SPEND_LOGS_DDL)
        c.execute(f"""INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, spend, total_tokens, prompt_tokens,
                      completion_tokens, "startTime", "endTime", model)
            SELECT 'req-' || i, 'acompletion', ((i * 13) % 1000) / 100000.0, 0, 50 + (i * 31) % 8000,
                   10 + (i * 17) % 1500,
                   TIMESTAMP '{START}' + make_interval(secs => floor(((i * 7919) % {rows})::float8 * {DAYS * 86400} / {rows})),
                   TIMESTAMP '{START}', ({models})[1 + (i % {len(MODELS)})]
            FROM generate_series(CAST(0 AS BIGINT), {rows - 1}) AS i""")
        c.execute('VACUUM ANALYZE "LiteLLM_SpendLogs"')
    return time.perf_counter() - t


def summarize(src: str, *extra: str) -> tuple[float, float]:
    """(wall s, peak RSS MiB) of one `ovc usage summarize SRC --json` process."""
    return run_child([sys.executable, "-m", "openvclosed", "usage", "summarize", src, "--json", *extra])


def totals(src: str, *extra: str) -> tuple:
    out = subprocess.run([sys.executable, "-m", "openvclosed", "usage", "summarize", src, "--json", *extra],
                         capture_output=True, text=True, check=True).stdout
    t = json.loads(out)["total"]
    return t["tokens"], t["requests"], t["cached_input_tokens"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1000000,3000000,10000000")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--pg-max-rows", type=float, default=1e8, help="skip PostgreSQL above this size (its load is slow)")
    args = ap.parse_args()
    sizes = [int(float(x)) for x in args.rows.split(",")]
    print(f"# {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    ex_ctx = None
    if not args.no_postgres:
        import pg_cluster

        ex_ctx = pg_cluster.cluster(pg_cluster.find_pg_ctl())
        ex = ex_ctx.__enter__()
    try:
        print("| rows | source | wall s | peak RSS MiB | vs columnar CSV | same totals |")
        print("|---|---|---|---|---|---|")
        for n in sizes:
            pq, csv = make_files(n)
            srcs = {"CSV, columnar reader": (str(csv),), "Parquet, DuckDB": (str(pq),),
                    "CSV, --engine duckdb": (str(csv), "--engine", "duckdb")}
            if ex_ctx is not None and n <= args.pg_max_rows:
                url = pg_cluster.create_database(ex, f"bench{n}")
                load_s = load_postgres(url, n)
                print(f"# PostgreSQL: {n:,} rows loaded in {load_s:.1f} s")
                srcs["PostgreSQL LiteLLM_SpendLogs"] = (url,)
            ref = totals(*srcs["CSV, columnar reader"])
            base = None
            for name, src in srcs.items():
                walls, rsss = [], []
                for _ in range(args.runs):
                    w, m = summarize(*src)
                    walls.append(w)
                    rsss.append(m)
                w, m = sorted(walls)[len(walls) // 2], max(rsss)
                base = base or w
                same = totals(*src) == ref
                print(f"| {n:,} | {name} | {w:.2f} | {m:.0f} | {base / w:.1f}x | {'yes' if same else 'NO'} |",
                      flush=True)
    finally:
        if ex_ctx is not None:
            ex_ctx.__exit__(None, None, None)


if __name__ == "__main__":
    main()
