"""Logged traffic priced by the one pricing function (decision/apiprice.py ``api_price``): at the
date of the traffic, at its context (long-context tiers as ``breakeven --context`` applies them)."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

from openvclosed.catalog import ApiEntry
from openvclosed.decision.apiprice import api_price, price_entry_at
from openvclosed.decision.assumptions import Assumptions
from openvclosed.usage.pricing import EPOCH, DaySums, dated_cost
from openvclosed.usage.postgres import check_url, mask_url
from openvclosed.errors import InputError


def _api(**kw) -> ApiEntry:
    base = dict(id="x/m", provider="x", model="m", kind="closed", tier="standard", input_usd_per_mtok=2,
                output_usd_per_mtok=8, source="s", as_of="2026-10-15", valid_from="2026-10-15",
                history=[{"valid_from": "2026-03-01", "input_usd_per_mtok": 1, "output_usd_per_mtok": 4}])
    base.update(kw)
    return ApiEntry(**base)


def _day(s: str) -> int:
    return (dt.date.fromisoformat(s) - EPOCH).days


def test_price_entry_at_dates():
    api = _api()
    assert price_entry_at(api, dt.date(2026, 10, 15))[0].input_usd_per_mtok == 2
    assert price_entry_at(api, dt.date(2026, 10, 14))[0].input_usd_per_mtok == 1
    hit, exact = price_entry_at(api, dt.date(2025, 1, 1))  # before the first recorded price: that price
    assert (hit.input_usd_per_mtok, exact) == (1, False)


def test_dated_cost_hand_computed():
    """1M input + 1M output on each side of the change: (1 + 4) + (2 + 8) = $15 at the dates, $20 today."""
    api = _api()
    d = DaySums(np.array([_day("2026-10-14"), _day("2026-10-15")]), np.array([1e6, 1e6]), np.array([1e6, 1e6]),
                np.zeros(2))
    c = dated_cost(api, Assumptions(), d)
    assert (c.usd, c.usd_current, c.prices_used, c.before_first_price) == (15.0, 20.0, 2, False)
    early = dated_cost(api, Assumptions(), DaySums(np.array([_day("2025-12-31")]), np.array([1e6]), np.zeros(1),
                                                   np.zeros(1)))
    assert (early.usd, early.before_first_price) == (1.0, True)


def test_long_context_tier_at_the_traffic_context():
    api = _api(long_context={"above_tokens": 200_000, "input_usd_per_mtok": 4, "output_usd_per_mtok": 16})
    a = Assumptions()
    assert api_price(api, a, input_share=0.5, cached_share=0, context_tokens=100_000) == 5.0
    assert api_price(api, a, input_share=0.5, cached_share=0, context_tokens=400_000) == 10.0
    # the date and the tier together: the old price has no tier of its own here, the entry's tier applies
    assert api_price(api, a, input_share=0.5, cached_share=0, context_tokens=100_000, at=dt.date(2026, 5, 1)) == 2.5


def test_reprice_applies_the_long_context_tier_as_breakeven_does(run, tmp_path):
    """issue: usage reprice priced 400k-token requests at the base price ($10.10 vs $20.14 per 1M)."""
    log = tmp_path / "long.csv"
    rows = ["timestamp,model,input_tokens,output_tokens"]
    rows += [f"2026-11-30T{h:02d}:00:00Z,gpt-6-astra,750,250" for h in range(24)]
    log.write_text("\n".join(rows) + "\n")
    r = run("usage", "reprice", str(log), "--api", "openai/gpt-6-astra", "--context", "400000", "--json")
    assert r.exit_code == 0, r.output
    usage = {o["option"]: o for o in json.loads(r.stdout)["options"]}["openai/gpt-6-astra"]["usd_per_mtok"]
    r = run("breakeven", "--tokens", "1e8", "--gpu", "2x4090", "--api", "openai/gpt-6-astra", "--context", "400000",
            "--input-share", "0.75", "--cached-share", "0", "--json")
    assert r.exit_code == 0, r.output
    be = json.loads(r.stdout)["apis"][0]["usd_per_mtok"]
    assert math.isclose(usage, be, rel_tol=1e-9)
    r = run("usage", "reprice", str(log), "--api", "openai/gpt-6-astra", "--context", "1000", "--json")
    short = {o["option"]: o for o in json.loads(r.stdout)["options"]}["openai/gpt-6-astra"]["usd_per_mtok"]
    assert short < usage  # the tier is what makes the difference


def test_fixture_traffic_before_first_price_is_said(run):
    from pathlib import Path

    r = run("usage", "summarize", str(Path(__file__).parent / "fixtures" / "usage" / "generic.csv"), "--json")
    d = json.loads(r.stdout)
    f = [x for x in d["findings"] if x["code"] == "price_history"]
    assert f and "first recorded price" in f[0]["message"] and f[0]["severity"] == "info"


@pytest.mark.parametrize("url, shown", [
    ("postgresql://ovc:pw@db:5433/litellm?sslmode=require", "postgresql://ovc:***@db:5433/litellm"),
    ("postgres://db/litellm", "postgres://db/litellm"),
    ("postgresql://", "postgresql://"),
])
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_check_url_refuses_passwords():
    assert check_url("postgresql://ovc@db/litellm") == "postgresql://ovc@db/litellm"
    for bad in ("postgresql://ovc:pw@db/litellm", "postgresql://db/litellm?password=pw", "postgresql://:pw@db/x"):
        with pytest.raises(InputError, match="PGPASSWORD") as e:
            check_url(bad)
        assert "pw@" not in str(e.value) and "=pw" not in str(e.value)


@pytest.mark.parametrize("module, source, extra", [("psycopg", "postgresql://db/litellm", "postgres"),
                                                   ("duckdb", "x.parquet", "duckdb")])
def test_missing_engine_says_which_extra(run, monkeypatch, tmp_path, module, source, extra):
    import sys

    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    if source.endswith(".parquet"):
        (tmp_path / source).write_bytes(b"PAR1")
        source = str(tmp_path / source)
    r = run("usage", "summarize", source)
    assert r.exit_code == 2 and f"openvclosed[{extra}]" in r.stderr and len(r.stderr.strip().splitlines()) == 1
