"""Attention data parallelism with expert-parallel experts, and engines that reserve a request's whole
length: the terms on hand-computed cases, through `ovc fit`, and in the validation's flags."""

import json

import numpy as np
import pytest

from openvclosed.engine.design import DesignInputs, selfhost_design
from openvclosed.engine.design_reference import reference_design
from openvclosed.engine.serving import serving_point, stage_step_s

# 2 GB dense + 30 GB of 8 experts (2 per token) on 8 GPUs of 1,000 GB/s, efficiencies 1, no overheads
M = dict(dense_gb=2.0, expert_gb=30.0, experts_total=8.0, experts_per_token=2.0, kv_gb_per_seq=0.0,
         active_params_b=1.0, layers=4.0, hidden_size=4096.0, tp=8.0, pp=1.0, bandwidth_gb_s=1000.0, tflops=1000.0,
         bandwidth_eff=1.0, expert_bandwidth_eff=1.0, kv_bandwidth_eff=1.0, decode_mfu=1.0, prefill_mfu=1.0,
         step_overhead_s=0.0, layer_overhead_s=0.0, link_gb_s=100.0, link_latency_s=10e-6)


def test_attention_dp_reads_the_dense_weights_on_every_gpu_and_sends_tokens_to_their_experts():
    tp = float(stage_step_s(64, 0, **M))
    dp = float(stage_step_s(64, 0, **M, attention_dp=1.0))
    share = 1 - (1 - 2 / 8) ** 64  # 64 tokens touch (almost) all 8 experts
    # TP: (2 + 30 x share) / 8,000; 2 all-reduces x 4 layers of 64 x 4096 x 2 B x 2 x 7/8 at 100 GB/s
    assert tp == pytest.approx((2 + 30 * share) / 8000 + 8 * (10e-6 + 64 * 4096 * 2 * 2 * 7 / 8 / 100e9))
    # DP: (8 x 2 + 30 x share) / 8,000; dispatch + combine x 4 layers of 8 tokens x 2 experts x 4096 x 2 B x 7/8
    assert dp == pytest.approx((16 + 30 * share) / 8000 + 8 * (10e-6 + 8 * 2 * 4096 * 2 * 7 / 8 / 100e9))
    assert float(stage_step_s(64, 0, **M, attention_dp=0.0)) == tp  # off by default: the old signature


def test_attention_dp_at_one_stream_is_slower_and_one_gpu_is_unchanged():
    # one sequence: TP splits the dense read 8 ways, attention DP reads it whole on one GPU
    assert float(stage_step_s(1, 0, **M, attention_dp=1.0)) > float(stage_step_s(1, 0, **M))
    one = dict(M, tp=1.0)
    assert float(stage_step_s(16, 0, **one, attention_dp=1.0)) == float(stage_step_s(16, 0, **one))


def test_attention_dp_prefills_a_chunk_on_every_rank():
    # 8 ranks x 1,000-token chunks = 8,000 prompt tokens a chunk step; 64 x 1,000 / 8,000 = 8 chunks per 100 steps
    a = serving_point(64, 1000, 100, chunk_tokens=1000.0, **M, attention_dp=1.0)
    dec, chunk = (float(stage_step_s(64, p, **M, attention_dp=1.0)) for p in (0.0, 8000.0))
    assert float(a["tpot_s"]) == pytest.approx(dec + 8 / 100 * (chunk - dec))


# 100 B MoE (10 B dense, 90 B experts) at 8 bits on 8 x 80 GiB, 1 GB of KV per sequence at 8 bits
X = DesignInputs(params_b=100.0, active_params_b=10.0, dense_params_b=10.0, expert_params_b=90.0, dense_bits=8.0,
                 expert_bits=8.0, experts_total=64.0, experts_per_token=2.0, kv_elements_per_seq=1e9, kv_bits=8.0,
                 n_gpus=8, vram_gib=80, bandwidth_gb_s=3350, tflops=989, tp=8.0, hidden_size=4096.0, layers=40.0,
                 link_gb_s=450.0, max_batch=256.0, vram_reserve_share=0.9, input_tokens=1000.0, output_tokens=1000.0,
                 input_share=0.5, context_tokens=1500)
USABLE = 8 * 80 * 2**30 / 1e9 * 0.9  # 618.5 GB


def test_attention_dp_capacity_replicates_the_dense_weights_and_batches_per_rank():
    tp = selfhost_design(X, 0.0)
    dp = selfhost_design(X.replace(attention_dp=1.0), 0.0)
    assert float(tp.max_seqs) == np.floor(USABLE - 100) and float(tp.batch) == 256          # max_batch caps
    assert float(dp.max_seqs) == np.floor(USABLE - 100 - 7 * 10) and float(dp.batch) == float(dp.max_seqs)
    assert float(dp.output_tokens_per_s) > float(tp.output_tokens_per_s)
    for x in (X, X.replace(attention_dp=1.0), X.replace(kv_reserved_elements_per_seq=2e9)):
        a, b = selfhost_design(x, 0.0), reference_design(x, 0.0)
        assert float(a.output_tokens_per_s) == float(b.output_tokens_per_s) and float(a.batch) == float(b.batch)


def test_an_engine_that_never_evicts_admits_fewer_sequences():
    # KV reserved for the whole 2,000 tokens (2 GB) instead of the mean 1,500: half the sequences fit
    r = selfhost_design(X.replace(kv_reserved_elements_per_seq=2e9, max_batch=4096.0), 0.0)
    assert float(r.max_seqs) == np.floor((USABLE - 100) / 2)
    assert float(r.kv_gb_per_seq) == pytest.approx(1.0)  # the step still reads the mean context's KV


def _fit(run, *args):
    r = run("fit", *args, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["rows"][0]["serving"]


def test_fit_attention_dp_on_an_moe_model_and_refused_on_a_dense_one(run):
    args = ["-m", "qwen3-235b-a22b", "-g", "8xh200", "-q", "fp8", "--tp", "8", "--input-tokens", "1000",
            "--output-tokens", "1000"]
    tp, dp = _fit(run, *args), _fit(run, *args, "--attention-dp")
    assert dp["batch_per_instance"] > tp["batch_per_instance"] and dp["output_tokens_per_s"] > tp["output_tokens_per_s"]
    r = run("fit", "-m", "llama-3.1-8b", "-g", "8xh100", "--tp", "8", "--attention-dp")
    assert r.exit_code == 2 and "--attention-dp" in r.stderr and "Traceback" not in r.stderr


def test_validation_describes_the_benchmark_layout_with_the_users_flags():
    from openvclosed.catalog import load_catalog
    from openvclosed.catalog.measurements import read_measurements
    from openvclosed.decision.validate import prepare

    cases, _ = prepare(load_catalog([], include_env=False), read_measurements())
    by_id = {c.row.id: c.argv() for c in cases}
    moe = by_id["trtperf-qwen3-235b-a22b-h200x8-128-2048"]
    assert "--attention-dp" in moe and moe[moe.index("--batch") + 1] == "4096" and moe[moe.index("--kv-bits") + 1] == "8"
    assert "--attention-dp" not in by_id["trtperf-llama-3.1-8b-h100-sxmx1-128-2048"]          # dense
    assert "--batch" not in by_id["ix870-dsr1-fp8-h200x8-sglang-c16"]                          # fixed concurrency


def test_llamacpp_fills_more_of_the_gpu_unless_the_user_sets_a_share():
    from openvclosed.catalog import load_catalog
    from openvclosed.decision.assumptions import Assumptions
    from openvclosed.decision.designs import Design, design_inputs

    cat = load_catalog([], include_env=False)
    d = [Design(cat.gpu("rtx4090"), 1, cat.model("llama-3.1-8b"), "fp16")]
    share = lambda **kw: float(np.ravel(design_inputs(d, Assumptions(**kw)).vram_reserve_share)[0])  # noqa: E731
    assert share(engine="llamacpp") == 0.95 and share(engine="vllm") == 0.9
    assert share(engine="llamacpp", vram_reserve_share=0.8) == 0.8  # the user's share wins


def test_cpu_offloaded_rows_are_left_out_with_the_reason():
    from openvclosed.catalog import load_catalog
    from openvclosed.catalog.measurements import read_measurements
    from openvclosed.decision.validate import prepare

    _, skipped = prepare(load_catalog([], include_env=False), read_measurements())
    why = dict(skipped)["schedcp-5090-gptoss120b-ncmoe32"]
    assert "CPU" in why and "out of scope" in why
