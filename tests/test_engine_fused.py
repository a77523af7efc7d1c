"""The fused selfhost_design gives the same floats, bit for bit, as the step-by-step chain over the
(designs x TP_CANDIDATES) grid (engine/design_reference.py ``reference_design``), on random and edge inputs."""

import dataclasses

import numpy as np
import pytest

from openvclosed.engine.design import DesignEval, DesignInputs, selfhost_design
from openvclosed.engine.design_reference import reference_design


def _same(x, tok):
    a, b = selfhost_design(x, tok), reference_design(x, tok)
    for f in dataclasses.fields(DesignEval):
        u, v = np.asarray(getattr(a, f.name)), np.asarray(getattr(b, f.name))
        assert u.shape == v.shape, f.name
        assert u.dtype == v.dtype, f.name
        assert np.array_equal(u, v, equal_nan=True), f.name
        assert np.array_equal(np.signbit(u), np.signbit(v)) if u.dtype.kind == "f" else True, f.name


def _random(n, seed):
    g = np.random.default_rng(seed)
    layers = g.integers(16, 128, n).astype(float)
    params = g.uniform(1, 700, n)
    moe = g.random(n) < 0.4
    active = np.where(moe, params * g.uniform(0.02, 0.3, n), params)
    return dict(params_b=params, active_params_b=active,
                expert_params_b=np.where(moe, (params - active) * 1.05, 0.0).clip(0, params * 0.98),
                experts_total=np.where(moe, g.choice([8.0, 64.0, 128.0, 256.0], n), 0.0),
                experts_per_token=np.where(moe, g.choice([1.0, 2.0, 8.0], n), 0.0),
                dense_bits=g.choice([16.0, 8.0, 4.5], n), expert_bits=g.choice([16.0, 8.0, 4.25], n),
                kv_elements_per_seq=2 * layers * 8 * 128 * g.choice([0.0, 4096.0, 131072.0], n), layers=layers,
                n_gpus=g.choice([1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 16.0], n), vram_gib=g.choice([24.0, 48.0, 80.0, 141.0], n),
                bandwidth_gb_s=g.uniform(300, 5000, n), tflops=g.uniform(50, 2000, n),
                gpu_hour_usd=g.uniform(0.5, 10, n), hidden_size=g.choice([np.nan, 4096.0, 8192.0], n),
                tp=g.choice([np.nan, np.nan, 1.0, 2.0, 8.0], n), tokens_per_s=g.choice([np.nan, np.nan, 900.0, np.inf], n),
                batch_cap=g.choice([np.inf, np.inf, 3.0, 0.0], n), rented=g.random(n) < 0.5,
                gpu_usd=g.uniform(1000, 40000, n), gpu_tdp_w=450.0, system_w_per_gpu=g.choice([np.nan, 1200.0], n),
                rate=g.choice([0.0, 0.08], n), prefix_cached_share=g.uniform(0, 1, n),
                input_share=g.choice([0.0, 0.75, 1.0], n), dense_params_b=g.choice([np.nan, np.nan, 5.0], n))


@pytest.mark.parametrize("seed", range(4))
def test_fused_equals_reference_on_random_designs(seed):
    f = _random(3000, seed)
    tok = np.random.default_rng(seed + 10).choice([0.0, 1e3, 5e8, 1e11], 3000)
    _same(DesignInputs(**f), tok)


@pytest.mark.parametrize("keep", [("params_b", "active_params_b", "kv_elements_per_seq", "n_gpus", "vram_gib",
                                   "bandwidth_gb_s", "tflops"), ("n_gpus",), ("params_b",), ()])
def test_fused_equals_reference_when_fields_are_scalars(keep):
    """Scalars kept scalar, dense-only grids, one GPU, no caps: every fast path."""
    f = _random(500, 7)
    one = {k: (v if k in keep or np.ndim(v) == 0 else v[3]) for k, v in f.items()}
    for tok in (0.0, 5e8, np.array([0.0, 1e6, 1e12])):
        _same(DesignInputs(**one), tok if not keep or np.ndim(tok) == 0 else 5e8)


def test_fused_equals_reference_on_a_broadcast_grid_and_odd_values():
    x = DesignInputs(params_b=np.array([8.0, 70.0, 400.0, np.nan]), active_params_b=np.array([8.0, 70.0, 17.0, 5.0]),
                     expert_params_b=np.array([0.0, 0.0, 380.0, 1.0]), experts_total=np.array([0.0, 0.0, 128.0, np.nan]),
                     experts_per_token=np.array([0.0, 0.0, 8.0, 2.0]), kv_elements_per_seq=131072 * 4096,
                     n_gpus=np.array([[1.0], [2.0], [np.inf], [0.0]]), vram_gib=80, bandwidth_gb_s=3350, tflops=989,
                     gpu_tdp_w=700, gpu_usd=25000, hidden_size=8192.0)
    _same(x, np.array([[[1e6]], [[1e9]]]))
    _same(x.replace(bandwidth_eff=0.0, tflops=np.inf), 5e8)
