"""Usage from every source ``ovc usage`` reads gives the same summary for the same traffic: a real
PostgreSQL server (LiteLLM_SpendLogs as LiteLLM's schema.prisma defines it: tests/pg_cluster.py),
Parquet (DuckDB), CSV (streamed and DuckDB) and OpenTelemetry GenAI spans; bad sources exit 2 with
one line. Without PostgreSQL binaries the database tests skip locally and fail under CI (``.ci/run``
installs Debian's ``postgresql``)."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import pg_cluster  # noqa: E402
import usage_traffic  # noqa: E402

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")


@pytest.fixture(scope="session")
def pg():
    """A throwaway PostgreSQL cluster for the session (stopped and removed at the end)."""
    pytest.importorskip("psycopg")
    pytest.importorskip("pytest_postgresql")
    pg_ctl = pg_cluster.find_pg_ctl()
    if pg_ctl is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but PostgreSQL is not installed (/usr/lib/postgresql/*/bin/pg_ctl): "
                        "apt-get install -y postgresql (.ci/run does)")
        pytest.skip("PostgreSQL binaries not installed (Debian package postgresql); CI installs them")
    with pg_cluster.cluster(pg_ctl) as ex:
        yield ex


@pytest.fixture(scope="session")
def traffic():
    return usage_traffic.make()


@pytest.fixture(scope="session")
def sources(pg, traffic, tmp_path_factory):
    """The same traffic as a database URL, a Parquet file, a CSV file and OTel spans."""
    d = tmp_path_factory.mktemp("usage-sources")
    url = pg_cluster.create_database(pg, "litellm")
    usage_traffic.to_postgres(traffic, url)
    usage_traffic.to_parquet(traffic, d / "spend.parquet")
    usage_traffic.to_csv(traffic, d / "spend.csv")
    usage_traffic.to_otel(traffic, d / "spans.jsonl")
    return {"postgres": url, "parquet": str(d / "spend.parquet"), "csv": str(d / "spend.csv"),
            "otel": str(d / "spans.jsonl"), "dir": d}


def _json(run, *args):
    r = run("usage", *args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _close(a, b, path=""):
    """Equal up to float summation order (1e-9 relative)."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, (int, float)):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def _strip(d, no_cost=False):
    out = {"window": d["window"], "models": d["models"], "total": dict(d["total"])}
    if no_cost:  # OTel spans carry no cost column: logged_usd is null there
        out["models"] = [{k: v for k, v in m.items() if k != "logged_usd"} for m in d["models"]]
        out["total"].pop("logged_usd")
    return out


def test_every_source_gives_the_same_summary(run, sources, traffic):
    base = _json(run, "summarize", sources["csv"])
    assert base["total"]["requests"] == len(traffic)
    assert base["total"]["input_tokens"] == int(traffic.prompt.sum())
    assert base["total"]["cached_input_tokens"] == int(traffic.cached.sum())
    for name in ("postgres", "parquet"):
        _close(_strip(base), _strip(_json(run, "summarize", sources[name])))
    _close(_strip(base), _strip(_json(run, "summarize", sources["csv"], "--engine", "duckdb")))
    otel = _json(run, "summarize", sources["otel"])
    assert otel["files"][0]["format"] == "otel" and otel["files"][0]["good_rows"] == len(traffic)
    _close(_strip(base, no_cost=True), _strip(otel, no_cost=True))


def test_group_by_team_and_window_agree(run, sources, tmp_path):
    args = ["--since", "2026-10-14T00:00", "--until", "2026-10-16"]
    base = _json(run, "summarize", sources["csv"], *args)
    assert base["window"]["start"].startswith("2026-10-14T00:")
    for name in ("postgres", "parquet", "otel"):
        d = _json(run, "summarize", sources[name], *args)
        assert d["total"]["tokens"] == base["total"]["tokens"], name
        assert d["window"] == base["window"], name
    outs = {}
    for name in ("csv", "postgres", "parquet"):
        out = tmp_path / f"{name}.yaml"
        r = run("usage", "to-workload", sources[name], "-o", str(out), "--group-by", "team_id")
        assert r.exit_code == 0, r.output
        outs[name] = [x for x in out.read_text().splitlines() if not x.startswith("#") and "from " not in x]
    assert outs["csv"] == outs["postgres"] == outs["parquet"]
    assert any("(missing)" in x for x in outs["csv"])  # requests without a team


def _price_catalog(path: Path) -> Path:
    """acme/acme-test-model: $1/$4 per 1M until 2026-10-15, then $2/$8 (a price change inside the traffic)."""
    path.write_text("""apis:
  - id: acme/acme-test-model
    provider: acme
    model: acme-test-model
    kind: closed
    tier: standard
    input_usd_per_mtok: 2.0
    output_usd_per_mtok: 8.0
    valid_from: 2026-10-15
    history:
      - {valid_from: 2026-01-01, input_usd_per_mtok: 1.0, output_usd_per_mtok: 4.0, source: "test: old price"}
    source: "test: new price"
    as_of: 2026-10-15
""")
    return path


def test_price_change_priced_at_both_dates(run, sources, traffic, tmp_path):
    import numpy as np

    cat = str(_price_catalog(tmp_path / "cat.yaml"))
    import datetime as dt

    change_ms = int(dt.datetime(2026, 10, 15, tzinfo=dt.timezone.utc).timestamp() * 1000)
    sel = np.array([m == "acme-test-model" for m in traffic.model])
    before = sel & (traffic.ts_ms < change_ms)
    after = sel & (traffic.ts_ms >= change_ms)
    assert before.any() and after.any()
    at_date = (traffic.prompt[before].sum() * 1 + traffic.completion[before].sum() * 4
               + traffic.prompt[after].sum() * 2 + traffic.completion[after].sum() * 8) / 1e6
    at_today = (traffic.prompt[sel].sum() * 2 + traffic.completion[sel].sum() * 8) / 1e6
    for name in ("csv", "postgres"):
        d = _json(run, "summarize", sources[name], "--catalog", cat)
        m = {x["model"]: x for x in d["models"]}["acme-test-model"]
        assert m["api"] == "acme/acme-test-model"
        assert math.isclose(m["usd_at_catalog"], at_date, rel_tol=1e-9)
        assert math.isclose(m["usd_at_other_prices"], at_today, rel_tol=1e-9)
        assert any(f["code"] == "price_history" and "acme/acme-test-model" in f["ids"] for f in d["findings"])
        cur = _json(run, "summarize", sources[name], "--catalog", cat, "--at-current-prices")
        m = {x["model"]: x for x in cur["models"]}["acme-test-model"]
        assert math.isclose(m["usd_at_catalog"], at_today, rel_tol=1e-9)
        assert math.isclose(m["usd_at_other_prices"], at_date, rel_tol=1e-9)
    r = run("usage", "summarize", sources["csv"], "--catalog", cat)
    assert r.exit_code == 0 and "$ today" in r.stdout  # the table shows both when they differ
    d = _json(run, "reprice", sources["postgres"], "--catalog", cat, "--api", "acme/acme-test-model")
    opt = {o["option"]: o for o in d["options"]}["acme/acme-test-model"]
    total_at_date = (traffic.prompt[traffic.ts_ms < change_ms].sum() + traffic.completion[traffic.ts_ms < change_ms].sum() * 4
                     + traffic.prompt[traffic.ts_ms >= change_ms].sum() * 2
                     + traffic.completion[traffic.ts_ms >= change_ms].sum() * 8) / 1e6
    assert math.isclose(opt["usd_window"], total_at_date, rel_tol=1e-9)
    assert d["priced_at"] == "date" and d["actual_usd_per_month_other"] is not None


def test_daily_team_table(run, pg, traffic):
    """LiteLLM_DailyTeamSpend: day buckets, the same tokens and requests as the spend logs."""
    import psycopg

    url = pg_cluster.create_database(pg, "daily")
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(pg_cluster.DAILY_TEAM_DDL)
        days = {}
        for i in range(len(traffic)):
            day = usage_traffic._naive(int(traffic.ts_ms[i])).date().isoformat()
            k = (day, traffic.model[i], traffic.team[i])
            v = days.setdefault(k, [0, 0, 0, 0, 0.0])
            v[0] += int(traffic.prompt[i]); v[1] += int(traffic.completion[i]); v[2] += int(traffic.cached[i])
            v[3] += 1; v[4] += float(traffic.spend[i])
        with c.cursor() as cur:
            for n, ((day, model, team), v) in enumerate(days.items()):
                cur.execute('INSERT INTO "LiteLLM_DailyTeamSpend" (id, team_id, date, api_key, model, prompt_tokens, '
                            'completion_tokens, cache_read_input_tokens, api_requests, spend) VALUES '
                            '(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)', (str(n), team or None, day, "k", model, *v))
    d = _json(run, "summarize", url, "--table", "LiteLLM_DailyTeamSpend")
    assert d["window"]["resolution"] == "day"
    assert d["total"]["requests"] == len(traffic)
    assert d["total"]["tokens"] == int(traffic.prompt.sum() + traffic.completion.sum())
    assert d["total"]["cached_input_tokens"] == int(traffic.cached.sum())


# ------------------------------------------------------------------------------------- bad input

def _fails(run, *args) -> str:
    r = run("usage", "summarize", *args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and len(r.stderr.strip().splitlines()) == 1, r.stderr
    return r.stderr


def test_unreachable_database(run):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = _fails(run, f"postgresql://ovc@127.0.0.1:{port}/litellm")
    assert "cannot connect" in err and f"postgresql://ovc@127.0.0.1:{port}/litellm" in err


def test_password_in_url_refused_and_masked(run):
    err = _fails(run, "postgresql://ovc:hunter2@127.0.0.1:1/litellm")
    assert "hunter2" not in err and "PGPASSWORD" in err and ".pgpass" in err and "ovc:***@" in err
    err = _fails(run, "postgresql://ovc@127.0.0.1:1/litellm?password=hunter2")
    assert "hunter2" not in err and "PGPASSWORD" in err


def test_missing_table_and_other_schema(run, pg):
    import psycopg

    url = pg_cluster.create_database(pg, "oldschema")
    err = _fails(run, url)
    assert "no table LiteLLM_SpendLogs" in err
    with psycopg.connect(url, autocommit=True) as c:  # a spend-log table of another shape
        c.execute('CREATE TABLE "LiteLLM_SpendLogs" (request_id TEXT, "startTime" TIMESTAMP, model TEXT, '
                  'total_tokens INT, spend DOUBLE PRECISION)')
    err = _fails(run, url)
    assert "has no columns prompt_tokens, completion_tokens" in err and "another version" in err
    err = _fails(run, url, "--table", "LiteLLM_DailyUserSpend")
    assert "no table LiteLLM_DailyUserSpend" in err and "LiteLLM_SpendLogs" in err
    err = _fails(run, url, "--table", "pg_user")
    assert "--table" in err


def test_read_only_transaction(pg, monkeypatch):
    """The aggregation runs in a read-only transaction: a write inside it fails."""
    import psycopg

    from openvclosed.usage import postgres

    url = pg_cluster.create_database(pg, "readonly")
    seen = {}
    real = psycopg.connect

    def spy(*a, **kw):
        conn = real(*a, **kw)
        seen["conn"] = conn
        return conn

    monkeypatch.setattr(psycopg, "connect", spy)
    with pytest.raises(Exception, match="no table"):
        postgres.read_postgres(url, None, type("R", (), {})())
    assert seen["conn"].read_only is True


def test_corrupt_parquet(run, tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1" + os.urandom(200) + b"PAR1")
    err = _fails(run, str(bad))
    assert "bad.parquet" in err and "Parquet" in err
    err = _fails(run, str(tmp_path / "none-*.parquet"))
    assert "no file matches" in err


def test_parquet_missing_column(run, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"startTime": [1.76e9], "model": ["x"], "completion_tokens": [1]}), tmp_path / "p.parquet")
    err = _fails(run, str(tmp_path / "p.parquet"))
    assert "no column for input_tokens" in err


def test_bad_rows_counted_alike(run, pg, tmp_path):
    """Records without a model or with negative tokens are bad under the Python reader's reasons, in every source."""
    import psycopg
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [("2026-10-13 10:00:00", "gpt-6.1-sol", 100, 10, "a"), ("2026-10-13 10:05:00", "", 100, 10, "a"),
            ("2026-10-13 11:00:00", "gpt-6.1-sol", -5, 10, "b"), ("2026-10-13 12:00:00", "gpt-6.1-sol", 7, -1, None),
            ("2026-10-13 12:30:00", "gpt-6-luna", 50, 5, None)]
    url = pg_cluster.create_database(pg, "badrows")
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(pg_cluster.SPEND_LOGS_DDL)
        for i, (ts, m, p, o, team) in enumerate(rows):
            c.execute('INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, "startTime", "endTime", model, '
                      'prompt_tokens, completion_tokens, team_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)',
                      (str(i), "acompletion", ts, ts, m, p, o, team))
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("startTime,model,prompt_tokens,completion_tokens,spend,team_id\n"
                        + "".join(f"{ts},{m},{p},{o},0.0,{team or ''}\n" for ts, m, p, o, team in rows))
    pq.write_table(pa.table({"startTime": [r[0] for r in rows], "model": [r[1] for r in rows],
                             "prompt_tokens": [r[2] for r in rows], "completion_tokens": [r[3] for r in rows],
                             "spend": [0.0] * 5, "team_id": [r[4] for r in rows]}), tmp_path / "bad.parquet")
    for group in ([], ["--group-by", "team_id"]):
        seen = []
        for src in (str(csv_path), url, str(tmp_path / "bad.parquet")):
            r = run("usage", "to-workload" if group else "summarize", src, *(
                ["-o", str(tmp_path / "w.yaml"), "--force", *group] if group else ["--json"]))
            assert r.exit_code == 0, r.output
            if group:
                text = (tmp_path / "w.yaml").read_text()
                seen.append([x for x in text.splitlines() if not x.startswith("#") and "from " not in x])
            else:
                f = json.loads(r.stdout)["files"][0]
                seen.append((f["rows"], f["good_rows"], f["bad_rows"], f["bad_by_reason"]))
        assert seen[0] == seen[1] == seen[2], seen
    assert seen[0]  # the workload file has content
