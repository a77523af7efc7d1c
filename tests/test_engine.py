"""Tests of the pure numpy cost engine (``openvclosed.engine``).

* random scenarios through the whole vectorized chain against an independent scalar reference
  (``tests/scalar_reference.py``, pure Python);
* hand-computed cases per function (the arithmetic is in the comments);
* break-even equality; hypothesis monotonicity properties; shapes and broadcasting.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from openvclosed.engine import (
    api_usd_per_day,
    api_usd_per_mtok,
    breakeven_tokens_per_day,
    win_intervals,
    capital_recovery_factor,
    decode_step_s,
    decode_tokens_per_s,
    kv_gb_per_token,
    max_concurrent_seqs,
    payback_months,
    prefill_tokens_per_s,
    replica_costs,
    replica_tokens_per_day,
    replicas_needed,
    selfhost_usd_per_day,
    allreduce_s,
    experts_touched,
    weight_read_gb,
    usable_vram_gb,
    weights_gb,
)
from types import SimpleNamespace

from openvclosed.engine import DesignInputs, selfhost_design
from openvclosed.engine.breakeven import compare_with_api as _compare_eval


def compare_with_api(tokens_per_day, usd_per_mtok, selfhost_usd_per_day, replica_usd_per_day, capacity_tokens_per_day,
                     replicas, capex_per_replica_usd, running_usd_per_replica_day, days_per_month=365.25 / 12):
    """The engine's comparison on loose arrays (as a one-design evaluation with no spare and no team)."""
    e = SimpleNamespace(usd_per_day=selfhost_usd_per_day, replica_usd_per_day=replica_usd_per_day,
                        capacity_mean_tokens_per_day=capacity_tokens_per_day, spare_replicas=0.0,
                        fixed_usd_per_day=0.0, replicas=replicas, capex_per_replica_usd=capex_per_replica_usd,
                        running_usd_per_replica_day=running_usd_per_replica_day, days_per_month=days_per_month)
    return _compare_eval(tokens_per_day, usd_per_mtok, e)

_EVAL_KEYS = ("tp", "instances", "weights_gb", "kv_gb_per_seq", "usable_gb", "max_seqs", "fits", "batch", "step_s",
              "decode_tokens_per_s_single", "decode_tokens_per_s", "prefill_tokens_per_s", "capacity_tokens_per_day",
              "output_tokens_per_s", "tpot_s", "ttft_s", "replicas", "replica_usd_per_day", "usd_per_day", "usd_per_mtok")


def engine_design(tokens_per_day, **fields):
    """The engine's one design path with the replica cost given as rent (no people cost)."""
    e = selfhost_design(DesignInputs(rented=True, ops_usd_month=0.0, **fields), tokens_per_day)
    return {k: getattr(e, k) for k in _EVAL_KEYS}


# pytest runs with --import-mode=importlib, so tests/ is not on sys.path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import scalar_reference as ref  # noqa: E402

RTOL = 1e-9
DAYS_PER_MONTH = 365.25 / 12
PROPS = settings(max_examples=200, deadline=None)


def assert_same(actual, expected, rtol=RTOL, err_msg=""):
    """Element-wise equality up to ``rtol``, with nan == nan and inf == inf (same sign) required."""
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    assert a.shape == e.shape, f"{err_msg}: shape {a.shape} != {e.shape}"
    assert_array_equal(np.isnan(a), np.isnan(e), err_msg=f"{err_msg}: nan positions differ")
    assert_array_equal(np.isposinf(a), np.isposinf(e), err_msg=f"{err_msg}: +inf positions differ")
    assert_array_equal(np.isneginf(a), np.isneginf(e), err_msg=f"{err_msg}: -inf positions differ")
    finite = np.isfinite(e)
    assert_allclose(a[finite], e[finite], rtol=rtol, atol=0, err_msg=err_msg)


# --------------------------------------------------------------------------------------------
# 1-2. Random scenarios: one vectorized engine call against the scalar reference
# --------------------------------------------------------------------------------------------

N_SCENARIOS = 300


def _log_uniform(rng, lo, hi, n):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


def _random_scenarios(seed=20240611, n=N_SCENARIOS):
    rng = np.random.default_rng(seed)
    params = _log_uniform(rng, 1.0, 700.0, n)
    moe = rng.random(n) < 0.4
    active = np.where(moe, params * rng.uniform(0.02, 0.5, n), params)
    experts = np.where(moe, rng.choice([8, 16, 32, 64, 128, 256], n), 0).astype(float)
    k = np.where(moe, np.minimum(rng.choice([1, 2, 4, 8], n), experts), 0).astype(float)
    expert_p = np.where(moe, (params - active) * rng.uniform(1.0, 1.2, n), 0.0)
    expert_p = np.minimum(expert_p, params * 0.98)
    layers = rng.integers(16, 129, n).astype(float)
    kv_heads = rng.choice([1, 2, 4, 8, 16, 32], n)
    head_dim = rng.choice([64, 128, 256], n)
    context = np.round(_log_uniform(rng, 256, 131072, n))
    tokens = np.where(rng.random(n) < 0.1, 0.0, _log_uniform(rng, 1e3, 1e10, n))
    input_share = rng.uniform(0.0, 1.0, n)
    input_share[:6] = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]  # the one-sided branches of the capacity formula
    n_gpus = rng.choice([1, 2, 3, 4, 8], n).astype(float)
    fields = dict(
        params_b=params, active_params_b=active, expert_params_b=expert_p, experts_total=experts, experts_per_token=k,
        dense_bits=rng.choice([16.0, 8.0, 4.5], n), expert_bits=rng.choice([16.0, 8.0, 4.25], n),
        kv_elements_per_seq=(2 * layers * kv_heads * head_dim * context).astype(float), layers=layers,
        hidden_size=np.where(rng.random(n) < 0.2, np.nan, rng.choice([2048.0, 4096.0, 8192.0], n)),
        tp=np.where(rng.random(n) < 0.3, rng.choice([1.0, 2.0, 4.0], n), np.nan), n_gpus=n_gpus,
        vram_gib=rng.uniform(16.0, 192.0, n), bandwidth_gb_s=rng.uniform(300.0, 8000.0, n),
        tflops=rng.uniform(50.0, 2500.0, n), link_gb_s=rng.uniform(20.0, 900.0, n),
        link_latency_s=rng.uniform(5e-6, 40e-6, n), input_share=input_share,
        prefix_cached_share=np.where(rng.random(n) < 0.3, rng.uniform(0, 0.9, n), 0.0),
        context_tokens=context, kv_bits=rng.choice([16.0, 8.0], n), vram_reserve_share=rng.uniform(0.8, 0.95, n),
        max_batch=rng.integers(1, 513, n).astype(float), bandwidth_eff=rng.uniform(0.3, 0.9, n),
        kv_bandwidth_eff=rng.uniform(0.1, 0.9, n), low_bit_eff=rng.uniform(0.5, 1.0, n),
        decode_mfu=rng.uniform(0.1, 0.6, n), prefill_mfu=rng.uniform(0.2, 0.7, n),
        step_overhead_s=rng.uniform(0.0, 3e-3, n), layer_overhead_s=rng.uniform(0.0, 5e-5, n),
        utilization=rng.uniform(0.2, 1.0, n), hours_per_day=rng.uniform(4.0, 24.0, n),
        tokens_per_s=np.where(rng.random(n) < 0.2, _log_uniform(rng, 10.0, 1e5, n), np.nan),
        batch_cap=np.where(rng.random(n) < 0.15, rng.integers(1, 64, n).astype(float), np.inf),
        gpu_hour_usd=_log_uniform(rng, 0.2, 10.0, n),
        concurrency=np.where(rng.random(n) < 0.3, rng.integers(1, 512, n).astype(float), np.nan),
        pp=np.where((rng.random(n) < 0.15) & (n_gpus % 2 == 0), 2.0, 1.0),
        gpus_per_node=np.where(rng.random(n) < 0.2, 2.0, np.inf), node_link_gb_s=rng.uniform(10.0, 100.0, n),
        input_tokens=np.where(rng.random(n) < 0.3, rng.integers(1, 8192, n).astype(float), np.nan),
        output_tokens=np.where(rng.random(n) < 0.3, rng.integers(1, 4096, n).astype(float), np.nan),
        chunk_tokens=rng.choice([512.0, 2048.0, 8192.0], n),
    )
    api = dict(
        api_usd_per_mtok=_log_uniform(rng, 0.02, 100.0, n),
        capex=np.where(rng.random(n) < 0.2, np.nan, _log_uniform(rng, 1e3, 1e6, n)),  # nan = rented
        running=_log_uniform(rng, 0.5, 500.0, n),
    )
    return tokens, fields, api


def test_random_scenarios_match_scalar_reference():
    tokens, fields, api = _random_scenarios()
    sh = engine_design(tokens, **fields)  # one vectorized call for all scenarios
    cmp = compare_with_api(tokens, api["api_usd_per_mtok"], sh["usd_per_day"], sh["replica_usd_per_day"],
                           sh["capacity_tokens_per_day"], sh["replicas"], api["capex"], api["running"])
    ref_sh, ref_cmp = [], []
    defaults = {fl.name: float(fl.default) for fl in dataclasses.fields(DesignInputs)
                if fl.default is not dataclasses.MISSING}
    for i in range(N_SCENARIOS):
        f = dict(defaults, **{name: float(v[i]) for name, v in fields.items()})
        r = ref.selfhost_design(float(tokens[i]), **f)
        ref_sh.append(r)
        ref_cmp.append(ref.compare_with_api(float(tokens[i]), float(api["api_usd_per_mtok"][i]), r["usd_per_day"],
                                            r["replica_usd_per_day"], r["capacity_tokens_per_day"], r["replicas"],
                                            float(api["capex"][i]), float(api["running"][i])))
    assert set(sh) == set(ref_sh[0])
    for key in sh:
        assert sh[key].shape == (N_SCENARIOS,), key
        expected = np.array([r[key] for r in ref_sh])
        if key == "fits":
            assert_array_equal(sh[key], expected, err_msg=key)
        else:
            assert_same(sh[key], expected, err_msg=key)
    for key in cmp:
        expected = np.array([r[key] for r in ref_cmp])
        if key == "selfhost_cheaper":
            assert_array_equal(cmp[key], expected, err_msg=key)
        else:
            assert_same(cmp[key], expected, err_msg=key)

    # the draw must exercise every branch, or the comparison above proves little
    fits, be, pb = sh["fits"], cmp["breakeven_tokens_per_day"], cmp["payback_months"]
    measured = np.isfinite(fields["tokens_per_s"])
    assert 30 <= fits.sum() <= N_SCENARIOS - 30
    assert (fits & measured).sum() >= 10 and (fits & ~measured).sum() >= 30
    assert (fits & (sh["batch"] == fields["max_batch"])).sum() >= 10  # batch capped by max_batch
    assert (fits & (sh["max_seqs"] < fields["max_batch"])).sum() >= 10  # batch capped by VRAM
    assert (fits & (fields["experts_total"] > 0)).sum() >= 10  # MoE expert-touch term
    assert (fits & (sh["tp"] > 1)).sum() >= 10 and (fits & (sh["instances"] > 1)).sum() >= 10  # layouts
    assert np.isfinite(be).sum() >= 20 and np.isinf(be).sum() >= 20
    assert cmp["selfhost_cheaper"].sum() >= 10 and (~cmp["selfhost_cheaper"]).sum() >= 10
    assert np.isfinite(pb).sum() >= 10 and np.isinf(pb).sum() >= 10 and np.isnan(pb).sum() >= 10
    assert (sh["replicas"] > 1).sum() >= 10 and (tokens == 0).sum() >= 10


def test_reference_api_price_matches_engine_on_random_inputs():
    rng = np.random.default_rng(7)
    n = 300
    p_in, p_out = _log_uniform(rng, 0.01, 100, n), _log_uniform(rng, 0.01, 200, n)
    s_in, c, b, d = (rng.uniform(0, 1, n) for _ in range(4))
    p_c = np.where(rng.random(n) < 0.3, np.nan, p_in * rng.uniform(0.05, 1.0, n))
    got = api_usd_per_mtok(p_in, p_out, s_in, p_c, c, b, d)
    want = [ref.api_usd_per_mtok(*map(float, row)) for row in zip(p_in, p_out, s_in, p_c, c, b, d)]
    assert_same(got, want)


# --------------------------------------------------------------------------------------------
# 3. Hand-computed cases, per function
# --------------------------------------------------------------------------------------------

class TestApiCost:
    def test_blended_price(self):
        assert_allclose(
            [
                # 3:1 input:output on $2/$10, no cache: 0.75*2 + 0.25*10 = 1.5 + 2.5 = 4.0
                api_usd_per_mtok(2.0, 10.0, 0.75),
                # nan cached price = no caching: 4.0
                api_usd_per_mtok(2.0, 10.0, 0.75, np.nan, cached_share=0.5),
                # half the input cached at $0.20: 0.75*(0.5*2 + 0.5*0.2) + 2.5 = 0.825 + 2.5 = 3.325
                api_usd_per_mtok(2.0, 10.0, 0.75, 0.2, cached_share=0.5),
                # all input cached: 0.75*0.2 + 2.5 = 2.65
                api_usd_per_mtok(2.0, 10.0, 0.75, 0.2, cached_share=1.0),
                # output only: 10; input only: 2
                api_usd_per_mtok(2.0, 10.0, 0.0),
                api_usd_per_mtok(2.0, 10.0, 1.0),
            ],
            [4.0, 4.0, 3.325, 2.65, 10.0, 2.0], rtol=1e-12)

    def test_cached_tokens_are_part_of_input_not_on_top(self):
        # cached price == input price: the cached share must not matter at all (4.0 each); a model
        # that bills cached tokens on top of the input would give 4.0 + 0.75*c*2.
        got = [api_usd_per_mtok(2.0, 10.0, 0.75, 2.0, cached_share=c) for c in (0.0, 0.3, 0.6, 1.0)]
        assert_allclose(got, [4.0] * 4, rtol=1e-12)

    def test_batch_discount(self):
        assert_allclose(
            [
                # half the traffic at 50% off: 4.0 * (1 - 0.5*0.5) = 3.0
                api_usd_per_mtok(2.0, 10.0, 0.75, batch_share=0.5, batch_discount=0.5),
                # all traffic at 50% off: 2.0
                api_usd_per_mtok(2.0, 10.0, 0.75, batch_share=1.0, batch_discount=0.5),
                # batch share without discount changes nothing: 4.0
                api_usd_per_mtok(2.0, 10.0, 0.75, batch_share=1.0, batch_discount=0.0),
                # cache and batch combine: 3.325 * (1 - 0.4*0.5) = 2.66
                api_usd_per_mtok(2.0, 10.0, 0.75, 0.2, 0.5, 0.4, 0.5),
            ],
            [3.0, 2.0, 4.0, 2.66], rtol=1e-12)

    def test_usd_per_day(self):
        # 5e8 tokens = 500 M tokens, at $3.325/M = $1662.5; 1 M tokens at $2 = $2; no tokens = $0
        assert_allclose([api_usd_per_day(5e8, 3.325), api_usd_per_day(1e6, 2.0), api_usd_per_day(0.0, 7.0)],
                        [1662.5, 2.0, 0.0], rtol=1e-12)


class TestFit:
    def test_weights_gb(self):
        # params [1e9] x bits / 8 = GB: 70.6*16/8 = 141.2; 70.6*8/8 = 70.6; 8*4.5/8 = 4.5; 120*4.25/8 = 63.75
        assert_allclose([weights_gb(70.6, 16), weights_gb(70.6, 8), weights_gb(8, 4.5), weights_gb(120, 4.25)],
                        [141.2, 70.6, 4.5, 63.75], rtol=1e-12)

    def test_kv_per_token(self):
        # Llama 3.1 70B: 2*80*8*128 = 163,840 elements x 2 bytes = 327,680 bytes; 163,840 at 8 bits
        e = 2 * 80 * 8 * 128
        assert_allclose([kv_gb_per_token(e, 16) * 1e9, kv_gb_per_token(e, 8) * 1e9, kv_gb_per_token(e) * 1e9],
                        [327_680, 163_840, 327_680], rtol=1e-12)

    def test_usable_vram(self):
        # "80 GB" H100 = 80 GiB = 80 * 1.073741824 = 85.89934592 GB
        # 2 x 24 GiB at 0.9: 48 * 1.073741824 = 51.539607552; * 0.9 = 46.3856467968
        assert_allclose([usable_vram_gb(80, 1, 1.0), usable_vram_gb(24, 2, 0.9), usable_vram_gb(24, 2)],
                        [85.89934592, 46.3856467968, 46.3856467968], rtol=1e-12)

    def test_max_concurrent_seqs(self):
        assert_array_equal(
            [
                # free = 46.38 - 39.7125 = 6.6675 GB; per seq = 327680e-9 * 4096 = 1.34217728 GB;
                # 6.6675 / 1.342 = 4.97 -> 4
                max_concurrent_seqs(46.38, 39.7125, 327680e-9, 4096),
                # per seq 1e-4 * 1000 = 0.1 GB; free 10.05 GB -> 100.5 -> 100
                max_concurrent_seqs(30.05, 20.0, 1e-4, 1000),
                # weights larger than VRAM: free clipped at 0 -> 0 (not negative)
                max_concurrent_seqs(20.0, 141.2, 1e-4, 1000),
                # no KV cache (kv 0) with free memory: unbounded; without free memory: 0
                max_concurrent_seqs(30.0, 20.0, 0.0, 1000),
                max_concurrent_seqs(20.0, 20.0, 0.0, 1000),
            ],
            [4.0, 100.0, 0.0, np.inf, 0.0])


def _step(batch, **kw):
    base = dict(dense_gb=16.0, expert_gb=0.0, experts_total=0, experts_per_token=0, kv_gb_per_seq=0.0,
                active_params_b=8.0, tp=1, bandwidth_gb_s=1000.0, tflops=1e9, bandwidth_eff=1.0, kv_bandwidth_eff=1.0,
                mfu=0.5, layers=32, step_overhead_s=0.0, layer_overhead_s=0.0)
    base.update(kw)
    return float(decode_step_s(batch, **base))


class TestThroughput:
    def test_experts_touched_limits(self):
        """E (1 - (1 - k/E)^B): B = 1 -> k; B -> inf -> E; dense -> 0; hand value at B = 2."""
        assert float(experts_touched(1, 32, 4)) == pytest.approx(4.0, rel=1e-12)
        assert float(experts_touched(1, 256, 8)) == pytest.approx(8.0, rel=1e-12)
        assert float(experts_touched(1e9, 256, 8)) == pytest.approx(256.0, rel=1e-12)
        assert float(experts_touched(5, 0, 0)) == 0.0
        # B = 2, E = 8, k = 2: 8 (1 - 0.75^2) = 8 * 0.4375 = 3.5
        assert float(experts_touched(2, 8, 2)) == pytest.approx(3.5, rel=1e-12)
        b = np.arange(1, 200)
        t = experts_touched(b, 64, 4)
        assert np.all(np.diff(t) > 0) and np.all(t <= 64)

    def test_weight_read(self):
        # dense 2 GB + experts 10 GB x touched/E: B=1 -> 2 + 10*4/32 = 3.25; B=2 -> 2 + 10*(32(1-(7/8)^2))/32
        assert float(weight_read_gb(1, 2.0, 10.0, 32, 4)) == pytest.approx(3.25, rel=1e-12)
        assert float(weight_read_gb(2, 2.0, 10.0, 32, 4)) == pytest.approx(2 + 10 * (1 - (7 / 8) ** 2), rel=1e-12)
        assert float(weight_read_gb(8, 16.0, 0.0, 0, 0)) == 16.0  # dense: all weights, every step

    def test_allreduce(self):
        # no TP: 0; tp 2, 32 layers, hidden 4096, batch 8: bytes = 8*4096*2*2*(1/2) = 65,536
        # per all-reduce 20 us + 65,536 / 25e9 s; two per layer: 64 x (2e-5 + 2.62144e-6)
        assert float(allreduce_s(8, 1, 32, 4096, 25.0, 20e-6)) == 0.0
        assert float(allreduce_s(8, 2, 32, 4096, 25.0, 20e-6)) == pytest.approx(64 * (2e-5 + 65536 / 25e9), rel=1e-12)
        # tp 4: bytes x 2(3)/4 = 1.5 x B x h x 2
        assert float(allreduce_s(1, 4, 10, 1000, 100.0, 0.0)) == pytest.approx(20 * (1000 * 2 * 1.5) / 100e9, rel=1e-12)
        assert float(allreduce_s(1, 2, 10, np.nan, 100.0, 1e-5)) == pytest.approx(20 * 1e-5, rel=1e-12)  # latency only

    def test_decode_step_terms(self):
        # memory bound, dense 16 GB at 1000 GB/s x 0.8: 0.02 s
        assert _step(1, bandwidth_eff=0.8) == pytest.approx(16 / 800, rel=1e-12)
        # KV read scales with batch and has its own efficiency: 16/1000 + 4*0.5/(1000*0.5) = 0.016 + 0.004
        assert _step(4, kv_gb_per_seq=0.5, kv_bandwidth_eff=0.5) == pytest.approx(0.02, rel=1e-12)
        # compute bound: 2*8e9*256 / (100e12*0.5) = 0.08192 s > 0.016 s
        assert _step(256, tflops=100.0) == pytest.approx(0.08192, rel=1e-12)
        # tensor parallel halves memory and compute time and adds the all-reduce seconds
        assert _step(256, tflops=100.0, tp=2, comm_s=0.003) == pytest.approx(0.08192 / 2 + 0.003, rel=1e-12)
        # fixed costs: per step + per layer: 0.016 + 0.002 + 32 * 1e-5
        assert _step(1, step_overhead_s=0.002, layer_overhead_s=1e-5) == pytest.approx(0.016 + 0.002 + 32e-5, rel=1e-12)
        # MoE batch 1: dense 2 GB + 32 experts of 100 GB total, 4 touched: 2 + 12.5 = 14.5 GB at 1000 GB/s
        assert _step(1, dense_gb=2.0, expert_gb=100.0, experts_total=32, experts_per_token=4) == pytest.approx(
            0.0145, rel=1e-12)
        # experts with their own (low-bit) efficiency 0.5: 2/1000 + 12.5/500
        assert _step(1, dense_gb=2.0, expert_gb=100.0, experts_total=32, experts_per_token=4,
                     expert_bandwidth_eff=0.5) == pytest.approx(0.002 + 0.025, rel=1e-12)

    def test_decode_and_prefill_rates(self):
        assert_allclose(
            [
                decode_tokens_per_s(32, 0.04),  # 32 / 0.04 = 800
                decode_tokens_per_s(0, 0.04),  # batch 0 -> 0
                decode_tokens_per_s(0, 0.0),  # batch 0 -> 0, not nan
                # 100e12 * 0.5 / (2 * 8e9) = 5e13 / 1.6e10 = 3125 tokens/s
                prefill_tokens_per_s(8.0, 1, 100, 0.5),
                # a 4-way tensor-parallel instance: 4 x 3125
                prefill_tokens_per_s(8.0, 4, 100, 0.5),
            ],
            [800.0, 0.0, 0.0, 3125.0, 12500.0], rtol=1e-12)


class TestCapacity:
    def test_replica_tokens_per_day(self):
        assert_allclose(
            [
                # s/token = 0.75/10000 + 0.25/1000 = 7.5e-5 + 2.5e-4 = 3.25e-4; 86400*0.5 = 43200 s
                # -> 43200 / 3.25e-4 = 132,923,076.9
                replica_tokens_per_day(1000.0, 10000.0, 0.75, 0.5),
                # output only (prefill rate irrelevant, even 0): 43200 * 1000 = 4.32e7
                replica_tokens_per_day(1000.0, 0.0, 0.0, 0.5),
                # input only (decode rate irrelevant, even 0): 43200 * 10000 = 4.32e8
                replica_tokens_per_day(0.0, 10000.0, 1.0, 0.5),
                # 8 hours a day at full load, output only: 28800 * 1000 = 2.88e7
                replica_tokens_per_day(1000.0, 10000.0, 0.0, 1.0, 8.0),
            ],
            [43200 / 3.25e-4, 4.32e7, 4.32e8, 2.88e7], rtol=1e-12)

    def test_replicas_needed(self):
        # ceil(5/2) = 3; exactly 2 full replicas = 2; one token over = 3; no traffic = 0; no capacity = inf
        assert_array_equal(
            [replicas_needed(5e8, 2e8), replicas_needed(4e8, 2e8), replicas_needed(4e8 + 1, 2e8),
             replicas_needed(0.0, 2e8), replicas_needed(1.0, 0.0), replicas_needed(0.0, 0.0)],
            [3.0, 2.0, 3.0, 0.0, np.inf, 0.0])


class TestTco:
    def test_capital_recovery_factor(self):
        assert_allclose(
            [
                capital_recovery_factor(0.0, 4),  # 1/4
                capital_recovery_factor(0.0, 3),  # 1/3
                # 1.08^3 = 1.259712; 0.08*1.259712 / 0.259712 = 0.10077696 / 0.259712 = 0.3880335
                capital_recovery_factor(0.08, 3),
                # 1.05^10 = 1.6288946; 0.05*1.6288946 / 0.6288946 = 0.1295046
                capital_recovery_factor(0.05, 10),
                capital_recovery_factor(1.0, 1),  # 1*2/(2-1) = 2: borrow 1, repay 2 after a year
            ],
            [0.25, 1 / 3, 0.10077696 / 0.259712, 0.05 * 1.05**10 / (1.05**10 - 1), 2.0], rtol=1e-12)
        assert_allclose(capital_recovery_factor(0.05, 10), 0.1295046, rtol=1e-6)

    def test_owned_replica_day(self):
        # 2 x $1599 GPUs + 2 x $1000 host = $5198 capex, 0% over 3 years, 30-day months (360-day year):
        # capital 3198/3/360 = 2.961111 $/day, host 2000/3/360 = 1.851852 $/day;
        # energy: (2*450*1.0 + 2*100) W = 1.1 kW * 24 h * PUE 1.0 * $0.15 = $3.96/day; ops $0
        c = replica_costs(2, rented=False, gpu_usd=1599, gpu_hour_usd=np.nan, host_usd_per_gpu=1000, rate=0.0,
                          amortize_years=3, gpu_tdp_w=450, power_draw_share=1.0, host_w_per_gpu=100, pue=1.0,
                          electricity_usd_kwh=0.15, ops_usd_month=0.0, days_per_month=30.0)
        assert_allclose([c[k] for k in ("capital", "host", "energy", "ops", "rent", "usd_per_day", "capex_usd")],
                        [3198 / 1080, 2000 / 1080, 3.96, 0.0, 0.0, 5198 / 1080 + 3.96, 5198.0], rtol=1e-12)
        # 1 x $30000 + $10000 host at 8% over 3 years, calendar months: 40000 * 0.3880335 / 365.25 $/day
        # energy: (700*0.7 + 300) W = 0.79 kW * 24 * 1.3 * $0.12 = $2.95776/day; ops $200/month / 30.4375
        crf = 0.10077696 / 0.259712
        c = replica_costs(1, rented=False, gpu_usd=30000, gpu_hour_usd=np.nan, host_usd_per_gpu=10000, rate=0.08,
                          amortize_years=3, gpu_tdp_w=700, power_draw_share=0.7, host_w_per_gpu=300, pue=1.3,
                          electricity_usd_kwh=0.12, ops_usd_month=200)
        assert_allclose([c["capital"] + c["host"], c["energy"], c["ops"], c["capex_usd"], c["running_usd_per_day"]],
                        [40000 * crf / 365.25, 2.95776, 200 / DAYS_PER_MONTH, 40000, 2.95776 + 200 / DAYS_PER_MONTH],
                        rtol=1e-12)

    def test_rented_replica_day(self):
        # 2 GPUs * $0.69/h * 24 h = $33.12; 8 * $2 * 12 h + $300 / 30.4375 (no capital, energy or capex)
        c = replica_costs([2, 8], rented=True, gpu_usd=np.nan, gpu_hour_usd=[0.69, 2.0], host_usd_per_gpu=1500,
                          rate=0.08, amortize_years=3, gpu_tdp_w=450, power_draw_share=1.0, host_w_per_gpu=150,
                          pue=1.5, electricity_usd_kwh=0.15, ops_usd_month=[0.0, 300.0], hours_per_day=[24.0, 12.0])
        assert_allclose(c["usd_per_day"], [33.12, 192 + 300 / DAYS_PER_MONTH], rtol=1e-12)
        assert_allclose([c["capital"], c["host"], c["energy"]], np.zeros((3, 2)))
        assert np.all(np.isnan(c["capex_usd"]))

    @pytest.mark.parametrize("days_per_month", [28.0, 30.0, DAYS_PER_MONTH, 31.0])
    def test_ops_usd_month_is_exact_per_month(self, days_per_month):
        """Regression (issue: ops $1,000/month came out as $1,001 through 365-day years)."""
        c = replica_costs(1, rented=False, gpu_usd=1000, gpu_hour_usd=np.nan, host_usd_per_gpu=0, rate=0.08,
                          amortize_years=3, gpu_tdp_w=300, power_draw_share=1.0, host_w_per_gpu=0, pue=1.0,
                          electricity_usd_kwh=0.1, ops_usd_month=1000.0, days_per_month=days_per_month)
        assert float(c["ops"]) * days_per_month == pytest.approx(1000.0, rel=1e-12)


class TestBreakeven:
    def test_selfhost_staircase(self):
        # ceil(T/C) * F: 5e8/2e8 -> 3 * 100 = 300; 1 token -> 1 replica = 100; 0 tokens -> 0; 4e8 -> 200
        assert_allclose([selfhost_usd_per_day(5e8, 2e8, 100.0), selfhost_usd_per_day(1.0, 2e8, 100.0),
                         selfhost_usd_per_day(0.0, 2e8, 100.0), selfhost_usd_per_day(4e8, 2e8, 100.0)],
                        [300.0, 100.0, 0.0, 200.0], rtol=1e-12)

    def test_breakeven_tokens(self):
        assert_allclose(
            [
                # a = 2/1e6; F/a = 100 / 2e-6 = 5e7 <= C = 2e8 -> 5e7
                breakeven_tokens_per_day(100.0, 2e8, 2.0),
                # F/C = 100/2e7 = 5e-6 $/token > a = 2e-6: a full replica costs more per token -> never
                breakeven_tokens_per_day(100.0, 2e7, 2.0),
                # free API: never
                breakeven_tokens_per_day(100.0, 1e8, 0.0),
                # no capacity (model does not fit): never
                breakeven_tokens_per_day(100.0, 0.0, 2.0),
                # $10/M: 50 / 1e-5 = 5e6
                breakeven_tokens_per_day(50.0, 1e7, 10.0),
            ],
            [5e7, np.inf, np.inf, np.inf, 5e6], rtol=1e-12)

    def test_breakeven_boundary_follows_docstring(self):
        # F = 100, C = 100, price 1e6 $/M -> a = 1 $/token = F/C exactly: "If F / C >= a ... inf"
        # (the engine returned C here before it compared t < c)
        assert float(breakeven_tokens_per_day(100.0, 100.0, 1e6)) == math.inf
        # one token/day below that: F/C = 100/99 > a -> inf; above: 100/101 < a, but the staircase
        # steps up $100 per 101 tokens: step k is won whole from k* = ceil(aC / (aC - F)) = 101 on,
        # and step 100 from 100 x 100 / 1 = 10,000 (< 100 x 101): cheaper at every volume above 10,000
        assert float(breakeven_tokens_per_day(100.0, 99.0, 1e6)) == math.inf
        assert float(breakeven_tokens_per_day(100.0, 101.0, 1e6)) == 10000.0
        # free hardware that does not fit (F = 0, C = 0): F/C is undefined, self-hosting never wins
        assert float(breakeven_tokens_per_day(0.0, 0.0, 2.0)) == math.inf

    def test_payback_months(self):
        # 20000 / (3000 - 1000) = 10; saving negative or zero -> never
        assert_allclose([payback_months(20000.0, 3000.0, 1000.0), payback_months(20000.0, 900.0, 1000.0),
                         payback_months(20000.0, 1000.0, 1000.0), payback_months(0.0, 10.0, 1.0)],
                        [10.0, np.inf, np.inf, 0.0], rtol=1e-12)


class TestScenario:
    # Llama 3.1 8B fp16 on one 24 GiB GPU (1008 GB/s, 165.2 TFLOPS), profile efficiencies given:
    #   weights 8.03*16/8 = 16.06 GB; KV 2*32*8*128 = 65,536 elements * 4096 * 2 B = 0.536870912 GB/seq;
    #   usable 24*1.073741824*0.9 = 23.1928234 GB; (23.1928234 - 16.06) / 0.536870912 = 13.29 -> 13 seqs;
    #   lengths: I + O/2 = 4096 and I / (I + O) = 0.75 -> I = 3510.857, O = 1170.286 per request
    #   decode step at 13: reads 16.06/(1008*0.7) + 13*0.536870912/(1008*0.5) = 36.6 ms beat compute
    #   2*8.03e9*13/0.4/165.2e12 = 3.2 ms; + 1e-3 + 32*1e-5
    #   chunk step (8,192 prompt tokens): compute 2*8.03e9*(13/0.4 + 8192/0.5)/165.2e12 = 1.596 s + overheads
    #   13 x 3510.857 prompt tokens every 1170.286 steps = 5.57 chunks: step = dec + 5.57/1170.286 x (chunk - dec)
    #   capacity at 50% of 24 h: 43200 x (13/step) / 0.25 (output tokens/s over the output share);
    #   prefill (alone) = 165.2e12*0.5/(2*8.03e9)
    #   rent $50/day -> 1e8 tokens/day needs ceil(1e8 / C) replicas.
    F = dict(params_b=8.03, active_params_b=8.03, kv_elements_per_seq=65536 * 4096.0, n_gpus=1, vram_gib=24,
             bandwidth_gb_s=1008, tflops=165.2, gpu_hour_usd=50 / 24, input_share=0.75, context_tokens=4096,
             bandwidth_eff=0.7, kv_bandwidth_eff=0.5, decode_mfu=0.4, prefill_mfu=0.5, step_overhead_s=1e-3,
             layer_overhead_s=1e-5, layers=32)

    def test_llama_8b_on_one_gpu(self):
        r = engine_design(1e8, **self.F)
        dec = 16.06 / (1008 * 0.7) + 13 * 0.536870912 / (1008 * 0.5) + 1e-3 + 32e-5
        chunk = 2 * 8.03e9 * (13 / 0.4 + 8192 / 0.5) / 165.2e12 + 1e-3 + 32e-5
        i_tok, o_tok = 2 * 4096 * 0.75 / 1.75, 2 * 4096 * 0.25 / 1.75
        step = dec + 13 * i_tok / 8192 / o_tok * (chunk - dec)
        step1 = 16.06 / (1008 * 0.7) + 0.536870912 / (1008 * 0.5) + 1e-3 + 32e-5
        prefill = 165.2e12 * 0.5 / (2 * 8.03e9)
        cap = 43200 * (13 / step) / 0.25
        assert bool(r["fits"]) and float(r["tp"]) == 1.0
        assert_allclose(
            [r[k] for k in ("weights_gb", "kv_gb_per_seq", "usable_gb", "max_seqs", "batch", "step_s",
                            "decode_tokens_per_s_single", "decode_tokens_per_s", "prefill_tokens_per_s",
                            "capacity_tokens_per_day", "replicas", "usd_per_day")],
            [16.06, 0.536870912, 24 * 1.073741824 * 0.9, 13.0, 13.0, step, 1 / step1, 13 / step, prefill, cap,
             math.ceil(1e8 / cap), 50.0 * math.ceil(1e8 / cap)], rtol=1e-12)

    def test_two_gpus_run_two_instances_when_batch_not_memory_limits(self):
        short = dict(self.F, kv_elements_per_seq=65536 * 512.0, max_batch=16, hidden_size=4096.0, link_gb_s=25.0)
        r = engine_design(1e8, **dict(short, n_gpus=2))
        one = engine_design(1e8, **short)
        assert float(r["tp"]) == 1.0 and float(r["instances"]) == 2.0
        assert float(r["capacity_tokens_per_day"]) == pytest.approx(2 * float(one["capacity_tokens_per_day"]), rel=1e-12)

    def test_a_model_that_needs_two_gpus_runs_tensor_parallel(self):
        big = dict(self.F, params_b=18.0, active_params_b=18.0, n_gpus=2, hidden_size=5120.0, link_gb_s=25.0,
                   link_latency_s=25e-6)
        r = engine_design(1e8, **big)
        assert float(r["tp"]) == 2.0 and float(r["instances"]) == 1.0 and bool(r["fits"])
        assert not bool(engine_design(1e8, **dict(big, tp=1.0))["fits"])  # forced tp 1 does not fit

    def test_prefix_cache_skips_prefill(self):
        # compute-bound (5% MFU): 2*8.03e9*(13/0.05 + 13*r/0.05)/165.2e12 with r = 3 or 1.5 prompt tokens
        # per output token; the step time scales with 1 + r, so capacity by (1 + 3) / (1 + 1.5)
        # chunks of 1e6 tokens hold a whole cycle's prompts: one chunk step of 13 x I(1 - cached)
        # prompt tokens per O steps; compute-bound, so step = (13 + 13 x I(1 - c) / O) x 2 x 8.03e9 / (165.2e12 x 0.05)
        slow = dict(self.F, decode_mfu=0.05, prefill_mfu=0.05, step_overhead_s=0.0, layer_overhead_s=0.0,
                    chunk_tokens=1e6, bandwidth_gb_s=1e9)  # no memory time: compute only
        r0 = engine_design(1e8, **slow)
        r1 = engine_design(1e8, **dict(slow, prefix_cached_share=0.5))
        assert float(r1["capacity_tokens_per_day"]) == pytest.approx(float(r0["capacity_tokens_per_day"]) * 4 / 2.5,
                                                                     rel=1e-9)

    def test_fp8_kv_cache_fits_more_sequences(self):
        assert float(engine_design(0.0, **dict(self.F, kv_bits=8.0))["max_seqs"]) == 26.0  # 7.13 / 0.268 = 26.6

    def test_measured_tokens_per_s_replaces_the_model(self):
        # 1000 tokens/s * 86400 s * 0.5 = 4.32e7 tokens/day -> ceil(1e8 / 4.32e7) = 3 replicas = $150
        r = engine_design(1e8, **dict(self.F, tokens_per_s=1000.0))
        assert_allclose([r["capacity_tokens_per_day"], r["replicas"], r["usd_per_day"], r["usd_per_mtok"]],
                        [4.32e7, 3.0, 150.0, 1.5], rtol=1e-12)

    def test_max_batch_caps_batch(self):
        r = engine_design(1e8, **dict(self.F, max_batch=4, input_share=0.0))  # no prompts: decode steps only
        step = 16.06 / (1008 * 0.7) + 4 * 0.536870912 / (1008 * 0.5) + 1e-3 + 32e-5
        assert_allclose([r["max_seqs"], r["batch"], r["step_s"], r["decode_tokens_per_s"]],
                        [13.0, 4.0, step, 4 / step], rtol=1e-12)

    def test_model_that_does_not_fit(self):
        # 70B fp16 = 141.2 GB on one 24 GiB GPU: no sequences, no capacity, infinite replicas and cost
        r = engine_design(1e8, **dict(self.F, params_b=70.6, active_params_b=70.6))
        assert not bool(r["fits"])
        assert_array_equal([r[k] for k in ("max_seqs", "decode_tokens_per_s", "decode_tokens_per_s_single",
                                           "prefill_tokens_per_s", "capacity_tokens_per_day", "replicas",
                                           "usd_per_day", "usd_per_mtok")],
                           [0.0, 0.0, 0.0, 0.0, 0.0, np.inf, np.inf, np.inf])

    def test_no_traffic(self):
        r = engine_design(0.0, **self.F)
        assert float(r["replicas"]) == 0.0 and float(r["usd_per_day"]) == 0.0
        assert math.isnan(float(r["usd_per_mtok"]))

    def test_compare_with_api(self):
        # T = 1e8, $2/M: API $200/day; break-even 50 / 2e-6 = 2.5e7 (<= C = 5.58e7)
        # owned: 2 replicas * $3000 = $6000 capex; running 2 * $5/day * 30.4375 = $304.375/month;
        # API $200 * 30.4375 = $6087.5/month -> payback 6000 / (6087.5 - 304.375) = 6000 / 5783.125
        # self-host $100/day < $200: cheaper, saving (200 - 100) * 30.4375 = $3043.75/month
        c = compare_with_api(1e8, 2.0, 100.0, 50.0, 5.583e7, 2.0, 3000.0, 5.0)
        assert bool(c["selfhost_cheaper"])
        assert_allclose([c["api_usd_per_day"], c["breakeven_tokens_per_day"], c["payback_months"],
                         c["saving_usd_per_month"]], [200.0, 2.5e7, 6000 / 5783.125, 3043.75], rtol=1e-12)
        # rented (capex nan): no payback; an API at $0.50/M: $50/day, cheaper than $100/day self-hosting
        c = compare_with_api(1e8, 0.5, 100.0, 50.0, 5.583e7, 2.0, np.nan, 5.0)
        assert math.isnan(float(c["payback_months"])) and not bool(c["selfhost_cheaper"])
        # F/C = 50/5.583e7 = 8.96e-7 $/token > a = 5e-7: never
        assert_allclose([c["api_usd_per_day"], c["breakeven_tokens_per_day"], c["saving_usd_per_month"]],
                        [50.0, np.inf, -50 * DAYS_PER_MONTH], rtol=1e-12)
        # saving on running cost <= 0: payback never (API 50/day vs 2 * 30/day running)
        c = compare_with_api(1e8, 0.5, 100.0, 50.0, 5.583e7, 2.0, 3000.0, 30.0)
        assert float(c["payback_months"]) == math.inf


@pytest.mark.parametrize("rate", [1e-17, 1e-12, 1e-9, 1e-6])
def test_crf_accurate_for_tiny_rates(rate):
    # (1+r)^n - 1 cancels catastrophically for tiny r (the naive formula gave CRF(1e-17, 3) = inf and
    # CRF(1e-12, 3) = 0.33330); exact: CRF = r / (1 - (1+r)^-n) = 1/n + r (n+1)/(2n) + O(r^2)
    assert_allclose(capital_recovery_factor(rate, 3), 1 / 3 + rate * 4 / 6, rtol=1e-9)


def test_crf_matches_reference_on_realistic_rates():
    rng = np.random.default_rng(3)
    rate, years = rng.uniform(0.005, 0.3, 300), rng.uniform(1.0, 10.0, 300)
    rate[:20] = 0.0
    assert_same(capital_recovery_factor(rate, years),
                [ref.capital_recovery_factor(float(r), float(n)) for r, n in zip(rate, years)])


# --------------------------------------------------------------------------------------------
# 4. Break-even equality
# --------------------------------------------------------------------------------------------

def test_breakeven_equality_on_random_inputs():
    """The break-even is where the staircase stops losing: above it self-hosting is cheaper at every
    volume (checked on each of the next steps), just below it the API is (checked at B - 1e-6 B)."""
    rng = np.random.default_rng(11)
    n = 2000
    f = _log_uniform(rng, 1.0, 1e4, n)  # USD per replica-day
    c = _log_uniform(rng, 1e5, 1e10, n)  # tokens/day per replica
    p = _log_uniform(rng, 0.01, 100.0, n)  # USD / 1M tokens
    t = breakeven_tokens_per_day(f, c, p)
    finite = np.isfinite(t)
    assert 200 <= finite.sum() <= n - 200  # both outcomes well represented
    tf, ff, cf, pf = t[finite], f[finite], c[finite], p[finite]
    assert np.all(tf > 0)
    # the reference (a step-by-step scan) agrees
    assert_same(tf[:300], [ref.breakeven_tokens_per_day(float(a), float(b), float(d))
                           for a, b, d in zip(ff[:300], cf[:300], pf[:300])])
    # just below B the API is no dearer; above B self-hosting wins at both ends of the next 50 steps
    below = tf * (1 - 1e-9)
    assert np.all(api_usd_per_day(below, pf) <= selfhost_usd_per_day(below, cf, ff) * (1 + 1e-9))
    k0 = np.floor(tf / cf)
    for k in range(0, 50):
        for x in ((k0 + k) * cf * (1 + 1e-9) + 1e-6, (k0 + k + 1) * cf):
            x = np.maximum(x, tf * (1 + 1e-9))
            assert np.all(api_usd_per_day(x, pf) > selfhost_usd_per_day(x, cf, ff) * (1 - 1e-9))
    # never: a full replica costs at least the API price per token
    assert np.all(f[~finite] / c[~finite] >= p[~finite] / 1e6)


def test_win_intervals_below_the_breakeven():
    # F = 100, C = 101 tokens, a = $1/token: step j wins from 100 j to 101 j for j = 1..99, then always from 10,000
    iv, n = win_intervals(100.0, 101.0, 1e6, max_intervals=100)
    assert n == 99 and iv[0] == (100.0, 101.0) and iv[-1] == (9900.0, 9999.0)
    for lo, hi in iv:  # inside each interval self-hosting is cheaper, just below it the API is
        mid = (lo + hi) / 2
        assert selfhost_usd_per_day(mid, 101.0, 100.0) < api_usd_per_day(mid, 1e6)
        assert selfhost_usd_per_day(lo * (1 - 1e-9), 101.0, 100.0) >= api_usd_per_day(lo * (1 - 1e-9), 1e6)
    # a spare replica and a team move the crossing: step 1 wins from ((1 + 1) F + K) / a = 250, and
    # k* = ceil((aC + sF + K) / (aC - F)) = ceil(1150 / 900) = 2: every step from 2 on is won whole
    assert win_intervals(100.0, 1000.0, 1e6, spare_replicas=1, fixed_usd_per_day=50.0) == ([], 0)
    assert float(breakeven_tokens_per_day(100.0, 1000.0, 1e6, 1, 50.0)) == 250.0
    assert float(ref.breakeven_tokens_per_day(100.0, 1000.0, 1e6, 1, 50.0)) == 250.0


# --------------------------------------------------------------------------------------------
# 5. Hypothesis properties
# --------------------------------------------------------------------------------------------

def _pos(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


prices = _pos(0.0, 200.0)
shares = _pos(0.0, 1.0)
token_volumes = _pos(0.0, 1e11)


@PROPS
@given(t1=token_volumes, t2=token_volumes, p=prices)
def test_api_cost_monotone_in_tokens(t1, t2, p):
    lo, hi = sorted((t1, t2))
    assert api_usd_per_day(lo, p) <= api_usd_per_day(hi, p)


@PROPS
@given(base=st.tuples(prices, prices, shares, prices, shares, shares, shares), which=st.sampled_from([0, 1, 3]),
       bump=_pos(0.0, 100.0), t=token_volumes)
def test_api_cost_monotone_in_each_price(base, which, bump, t):
    raised = list(base)
    raised[which] += bump  # input, output or cached price
    assert api_usd_per_mtok(*base) <= api_usd_per_mtok(*raised)
    assert api_usd_per_day(t, api_usd_per_mtok(*base)) <= api_usd_per_day(t, api_usd_per_mtok(*raised))


@PROPS
@given(t1=token_volumes, t2=token_volumes, c=_pos(1.0, 1e10), f=_pos(0.0, 1e5))
def test_selfhost_cost_staircase_monotone(t1, t2, c, f):
    lo, hi = sorted((t1, t2))
    assert selfhost_usd_per_day(lo, c, f) <= selfhost_usd_per_day(hi, c, f)
    # and it is a staircase: a whole number of replicas, each costing f
    steps = float(replicas_needed(hi, c))
    assert steps == math.ceil(hi / c)
    assert_allclose(selfhost_usd_per_day(hi, c, f), steps * f, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:overflow encountered in divide:RuntimeWarning")  # t / subnormal c
@PROPS
@given(t1=token_volumes, t2=token_volumes, c1=_pos(0.0, 1e10), c2=_pos(0.0, 1e10))
def test_replicas_monotone(t1, t2, c1, c2):
    t_lo, t_hi = sorted((t1, t2))
    c_lo, c_hi = sorted((c1, c2))
    assert replicas_needed(t_lo, c_lo) <= replicas_needed(t_hi, c_lo)  # more tokens: not fewer replicas
    assert replicas_needed(t_hi, c_hi) <= replicas_needed(t_hi, c_lo)  # more capacity: not more replicas


_step_args = dict(
    batch=st.integers(1, 1024), dense=_pos(0.5, 1500.0), experts=_pos(0.0, 1500.0), e=st.sampled_from([0, 8, 64, 256]),
    kv=_pos(0.0, 50.0), active=_pos(0.5, 700.0), tp=st.sampled_from([1, 2, 4, 8]), bw=_pos(100.0, 10000.0),
    fl=_pos(10.0, 5000.0), be=_pos(0.1, 1.0), mfu=_pos(0.05, 1.0), fixed=_pos(0.0, 0.01))


@PROPS
@given(**_step_args, batch2=st.integers(1, 1024), dense2=_pos(0.5, 1500.0), bw2=_pos(100.0, 10000.0))
def test_decode_step_monotone(batch, dense, experts, e, kv, active, tp, bw, fl, be, mfu, fixed, batch2, dense2, bw2):
    def step(b, d, bandwidth):
        return float(decode_step_s(b, dense_gb=d, expert_gb=experts if e else 0.0, experts_total=e,
                                   experts_per_token=min(e, 8), kv_gb_per_seq=kv, active_params_b=active, tp=tp,
                                   bandwidth_gb_s=bandwidth, tflops=fl, bandwidth_eff=be, kv_bandwidth_eff=be,
                                   mfu=mfu, layers=32, step_overhead_s=fixed, layer_overhead_s=0.0))

    b_lo, b_hi = sorted((batch, batch2))
    d_lo, d_hi = sorted((dense, dense2))
    bw_lo, bw_hi = sorted((bw, bw2))
    assert step(b_lo, dense, bw) <= step(b_hi, dense, bw) * (1 + 1e-12)  # non-decreasing in batch
    assert step(batch, d_lo, bw) <= step(batch, d_hi, bw) * (1 + 1e-12)  # non-decreasing in weights
    assert step(batch, dense, bw_hi) <= step(batch, dense, bw_lo) * (1 + 1e-12)  # non-increasing in bandwidth


@PROPS
@given(vram=_pos(8.0, 200.0), vram2=_pos(8.0, 200.0), n=st.integers(1, 8), w=_pos(1.0, 1500.0),
       kv=_pos(1e-6, 2e-3), ctx=st.integers(1, 1_000_000), ctx2=st.integers(1, 1_000_000))
def test_max_concurrent_seqs_monotone(vram, vram2, n, w, kv, ctx, ctx2):
    v_lo, v_hi = sorted((vram, vram2))
    c_lo, c_hi = sorted((ctx, ctx2))
    usable = usable_vram_gb(vram, n)
    assert max_concurrent_seqs(usable, w, kv, c_hi) <= max_concurrent_seqs(usable, w, kv, c_lo)
    assert (max_concurrent_seqs(usable_vram_gb(v_lo, n), w, kv, ctx)
            <= max_concurrent_seqs(usable_vram_gb(v_hi, n), w, kv, ctx))


@PROPS
@given(rate=st.one_of(st.just(0.0), _pos(1e-4, 0.5)), gap=_pos(1e-3, 0.5), years=_pos(1.0, 30.0),
       year_gap=_pos(0.1, 10.0))
def test_crf_increasing_in_rate_decreasing_in_years(rate, gap, years, year_gap):
    assert capital_recovery_factor(rate, years) < capital_recovery_factor(rate + gap, years)
    assert capital_recovery_factor(rate, years + year_gap) < capital_recovery_factor(rate, years)
    # and never below straight-line repayment 1/n
    assert capital_recovery_factor(rate, years) >= 1 / years * (1 - 1e-12)


@pytest.mark.filterwarnings("ignore:overflow encountered in divide:RuntimeWarning")  # capex / subnormal
@PROPS
@given(capex=_pos(1.0, 1e7), api1=_pos(0.0, 1e6), api2=_pos(0.0, 1e6), running=_pos(0.0, 1e5))
def test_payback_decreasing_in_api_spend(capex, api1, api2, running):
    lo, hi = sorted((api1, api2))
    pb_lo, pb_hi = float(payback_months(capex, lo, running)), float(payback_months(capex, hi, running))
    assert pb_hi <= pb_lo
    if lo - running > 1e-6 and hi - lo > 1e-9 * hi:  # strictly, where it exists (beyond rounding)
        assert pb_hi < pb_lo


# --------------------------------------------------------------------------------------------
# 6. Shapes: scalar in -> 0-d out; (3,1) x (1,4) -> (3,4)
# --------------------------------------------------------------------------------------------

def _selfhost(tokens, params, n_gpus, bw, vram, ctx):
    return engine_design(tokens, **dict(TestScenario.F, params_b=params, active_params_b=params, n_gpus=n_gpus,
                                        bandwidth_gb_s=bw, vram_gib=vram, kv_elements_per_seq=65536.0 * ctx))


def _step_fn(batch, dense, kv, active, tp, bw):
    return decode_step_s(batch, dense_gb=dense, expert_gb=10.0, experts_total=32, experts_per_token=4,
                         kv_gb_per_seq=kv, active_params_b=active, tp=tp, bandwidth_gb_s=bw, tflops=165.0,
                         bandwidth_eff=0.75, kv_bandwidth_eff=0.5, mfu=0.5, layers=32, step_overhead_s=1e-3,
                         layer_overhead_s=1e-5)


def _replica_costs(n, gpu_usd, host, rate, years, tdp, share, host_w, pue, kwh, ops):
    return replica_costs(n, rented=False, gpu_usd=gpu_usd, gpu_hour_usd=np.nan, host_usd_per_gpu=host, rate=rate,
                         amortize_years=years, gpu_tdp_w=tdp, power_draw_share=share, host_w_per_gpu=host_w, pue=pue,
                         electricity_usd_kwh=kwh, ops_usd_month=ops)


# (function, scalar arguments, index of the argument made (3,1), index of the one made (1,4))
SHAPE_CASES = [pytest.param(*case, id=case[0].__name__.lstrip("_")) for case in [
    (api_usd_per_mtok, (2.0, 10.0, 0.75, 0.2, 0.5, 0.3, 0.5), 0, 4),
    (api_usd_per_day, (5e8, 3.0), 0, 1),
    (weights_gb, (70.6, 16.0), 0, 1),
    (kv_gb_per_token, (163840.0, 16.0), 0, 1),
    (usable_vram_gb, (24.0, 2.0, 0.9), 0, 1),
    (max_concurrent_seqs, (46.38, 39.7, 3e-4, 4096.0), 1, 3),
    (experts_touched, (8.0, 64.0, 4.0), 0, 1),
    (weight_read_gb, (8.0, 2.0, 10.0, 64.0, 4.0), 0, 2),
    (allreduce_s, (8.0, 2.0, 32.0, 4096.0, 25.0, 2e-5), 0, 4),
    (_step_fn, (8.0, 16.0, 0.1, 8.0, 1.0, 1008.0), 0, 5),
    (decode_tokens_per_s, (32.0, 0.04), 0, 1),
    (prefill_tokens_per_s, (8.0, 1.0, 165.0, 0.5), 0, 2),
    (replica_tokens_per_day, (1000.0, 1e4, 0.75, 0.5, 24.0), 0, 2),
    (replicas_needed, (5e8, 2e8), 0, 1),
    (capital_recovery_factor, (0.08, 3.0), 0, 1),
    (_replica_costs, (2.0, 1599.0, 1000.0, 0.08, 3.0, 450.0, 1.0, 100.0, 1.0, 0.15, 100.0), 3, 10),
    (selfhost_usd_per_day, (5e8, 2e8, 100.0), 0, 2),
    (breakeven_tokens_per_day, (100.0, 2e8, 2.0), 0, 2),
    (payback_months, (2e4, 3000.0, 1000.0), 0, 1),
    (_selfhost, (1e8, 8.03, 1.0, 1008.0, 24.0, 4096.0), 0, 3),
    # tokens x capex: breakeven_tokens_per_day depends on neither, yet must come out (3,4) too
    (compare_with_api, (1e8, 2.0, 100.0, 50.0, 5.6e7, 2.0, 3000.0, 5.0), 0, 6),
]]


def _outputs(out):
    if isinstance(out, dict):
        return list(out.items())
    if isinstance(out, tuple):
        return [(str(i), v) for i, v in enumerate(out)]
    return [("out", out)]


@pytest.mark.parametrize("fn, args, i, j", [pytest.param(*p.values[:2], 0, 0, id=p.id) for p in SHAPE_CASES])
def test_scalar_in_zero_d_out(fn, args, i, j):
    outs = _outputs(fn(*args))
    assert outs
    for name, v in outs:
        assert np.ndim(v) == 0, name
        assert isinstance(float(v), float), name


@pytest.mark.parametrize("fn, args, i, j", SHAPE_CASES)
def test_broadcast_3x1_with_1x4(fn, args, i, j):
    a = list(args)
    a[i] = args[i] * np.array([[1.0], [1.1], [1.2]])
    a[j] = args[j] * np.array([[1.0, 0.9, 0.8, 0.7]])
    outs = _outputs(fn(*a))
    assert outs
    for name, v in outs:
        assert np.shape(v) == (3, 4), name
