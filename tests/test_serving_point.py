"""engine/serving.py term by term on hand-computed cases, and the benchmark's terms in `ovc fit`."""

import json
import math

import numpy as np
import pytest

from openvclosed.engine.design import DesignInputs, selfhost_design
from openvclosed.engine.serving import lengths_from_mix, serving_point, stage_step_s
from openvclosed.engine.throughput import experts_touched

# a 10 GB dense model, 1,000 GB/s, 100 TFLOPS, efficiencies 1, no overheads: reads take 10 ms
M = dict(dense_gb=10.0, expert_gb=0.0, experts_total=0.0, experts_per_token=0.0, kv_gb_per_seq=0.0,
         active_params_b=5.0, layers=10.0, hidden_size=4096.0, tp=1.0, pp=1.0, bandwidth_gb_s=1000.0, tflops=100.0,
         bandwidth_eff=1.0, expert_bandwidth_eff=1.0, kv_bandwidth_eff=1.0, decode_mfu=1.0, prefill_mfu=1.0,
         step_overhead_s=0.0, layer_overhead_s=0.0, link_gb_s=100.0, link_latency_s=0.0)


def test_memory_bound_step_reads_the_weights_once():
    assert float(stage_step_s(1, 0, **M)) == pytest.approx(0.010)
    assert float(stage_step_s(8, 0, **M)) == pytest.approx(0.010)  # compute 2 x 5e9 x 8 / 1e14 = 0.8 ms


def test_compute_bound_step_counts_decode_and_prompt_tokens():
    # 2 x 5e9 x (100 + 1900) / 1e14 = 0.2 s > 10 ms of reads
    assert float(stage_step_s(100, 1900, **M)) == pytest.approx(0.2)
    assert float(stage_step_s(100, 1900, **dict(M, prefill_mfu=0.5))) == pytest.approx(2 * 5e9 * (100 + 3800) / 1e14)


def test_kv_and_overheads():
    m = dict(M, kv_gb_per_seq=0.5, kv_bandwidth_eff=0.5, step_overhead_s=1e-3, layer_overhead_s=1e-4)
    # (10 + 4 x 0.5 / 0.5) / 1000 + 1 ms + 10 x 0.1 ms
    assert float(stage_step_s(4, 0, **m)) == pytest.approx(0.014 + 0.001 + 0.001)


def test_tensor_parallel_all_reduce():
    m = dict(M, tp=2.0, link_latency_s=5e-6)
    # reads halve (5 ms); 2 x 10 layers x (5 us + 2 tokens x 4096 x 2 B x 2 x 1/2 / 100 GB/s)
    comm = 20 * (5e-6 + 2 * 4096 * 2 * 2 * 0.5 / 100e9)
    assert float(stage_step_s(2, 0, **m)) == pytest.approx(0.005 + comm)


def test_moe_reads_the_experts_the_tokens_touch():
    m = dict(M, dense_gb=2.0, expert_gb=8.0, experts_total=32.0, experts_per_token=4.0)
    one = float(stage_step_s(1, 0, **m))
    assert one == pytest.approx((2.0 + 8.0 * 4 / 32) / 1000)
    many = float(stage_step_s(1, 10_000, **dict(m, tflops=1e9)))  # a prompt chunk touches every expert
    assert many == pytest.approx(10.0 / 1000, rel=1e-6)


def test_expert_touch_limits():
    assert float(experts_touched(1, 64, 6)) == pytest.approx(6.0)          # one token: its k experts
    assert float(experts_touched(1e9, 64, 6)) == pytest.approx(64.0)       # many tokens: all E
    assert float(experts_touched(100, 0, 0)) == 0.0                        # dense
    b = np.arange(1, 200)
    t = experts_touched(b, 64, 6)
    assert np.all(np.diff(t) > 0) and np.all(t <= 64)                      # grows, never above E
    assert float(experts_touched(2, 64, 6)) == pytest.approx(64 * (1 - (1 - 6 / 64) ** 2))


def test_serving_point_spreads_prompt_chunks_over_the_decode_steps():
    # 10 requests of 100 in / 1000 out: 1,000 prompt tokens (one chunk) every 1,000 steps
    s = serving_point(10, 100, 1000, **M)
    dec, chunk = 0.010, 2 * 5e9 * (10 + 1000) / 1e14
    step = dec + 1 / 1000 * (chunk - dec)
    assert float(s["tpot_s"]) == pytest.approx(step)
    assert float(s["output_tokens_per_s"]) == pytest.approx(10 / step)
    assert float(s["ttft_s"]) == pytest.approx(chunk)  # the prompt fits one chunk
    s4 = serving_point(10, 100, 1000, instances=4, **M)
    assert float(s4["output_tokens_per_s"]) == pytest.approx(40 / step)


def test_pipeline_stages_and_hop():
    m = dict(M, pp=2.0)
    # 8 requests: micro-batches of 4; a stage reads half the weights (5 ms); hop 10 us + 4 x 4096 x 2 B / 50 GB/s
    s = serving_point(8, 0, 100, hop_gb_s=50.0, hop_latency_s=10e-6, **m)
    hop = 10e-6 + 4 * 4096 * 2 / 50e9
    assert float(s["tpot_s"]) == pytest.approx(2 * (0.005 + hop))
    one = serving_point(1, 0, 100, **m)  # one request: a micro-batch of one, the other stage idle
    assert float(one["output_tokens_per_s"]) == pytest.approx(1 / float(one["tpot_s"]))


def test_lengths_from_the_workload_mix():
    i, o = lengths_from_mix(4096, 0.75)
    assert float(i + o / 2) == pytest.approx(4096) and float(i / (i + o)) == pytest.approx(0.75)


def test_concurrency_caps_the_batch_of_every_instance():
    x = DesignInputs(params_b=8.03, active_params_b=8.03, kv_elements_per_seq=131072 * 1500, n_gpus=8, vram_gib=80,
                     bandwidth_gb_s=3350, tflops=989, tp=1.0, concurrency=64.0, input_tokens=1000.0,
                     output_tokens=1000.0, input_share=0.5, context_tokens=1500)
    e = selfhost_design(x, 0.0)
    assert float(e.instances) == 8 and float(e.batch) == 8
    y = selfhost_design(x.replace(concurrency=np.nan), 0.0)
    assert float(y.batch) == min(float(y.max_seqs), float(x.max_batch)) > 8  # fully loaded: memory or max_batch
    assert float(y.output_tokens_per_s) > float(e.output_tokens_per_s)


def test_tensor_parallelism_across_nodes_uses_the_node_link():
    x = DesignInputs(params_b=70.6, active_params_b=70.6, kv_elements_per_seq=163840 * 1500, n_gpus=16, vram_gib=80,
                     bandwidth_gb_s=3350, tflops=989, tp=16.0, hidden_size=8192.0, layers=80.0, link_gb_s=400.0,
                     link_latency_s=8e-6, concurrency=64.0, input_tokens=1000.0, output_tokens=1000.0,
                     input_share=0.5, context_tokens=1500)
    one_node = selfhost_design(x, 0.0)
    two_nodes = selfhost_design(x.replace(gpus_per_node=8.0, node_link_gb_s=50.0, node_link_latency_s=10e-6), 0.0)
    assert float(two_nodes.tpot_s) > float(one_node.tpot_s)


def _fit(run, *args):
    r = run("fit", *args, "--json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["rows"][0]


def test_fit_reports_the_serving_point(run):
    row = _fit(run, "-m", "llama-3.3-70b", "-g", "8xh100", "-q", "fp8", "--tp", "8", "--concurrency", "64",
               "--input-tokens", "1000", "--output-tokens", "1000")
    s = row["serving"]
    assert set(s) >= {"output_tokens_per_s", "tpot_ms", "ttft_ms", "concurrency", "tp", "pp", "instances"}
    assert (s["tp"], s["pp"], s["instances"], s["concurrency"], s["batch_per_instance"]) == (8, 1, 1, 64, 64)
    assert s["output_tokens_per_s"] == pytest.approx(64 / (s["tpot_ms"] / 1e3), rel=1e-3)
    dp = _fit(run, "-m", "llama-3.3-70b", "-g", "8xh100", "-q", "fp8", "--tp", "1", "--concurrency", "64",
              "--input-tokens", "1000", "--output-tokens", "1000")["serving"]
    assert (dp["instances"], dp["batch_per_instance"]) == (8, 8)


def test_fit_two_nodes_with_pipeline_parallelism(run):
    s = _fit(run, "-m", "deepseek-r1-0528", "-g", "16xh100", "-q", "fp8", "--tp", "8", "--pp", "2",
             "--interconnect", "ib-400", "--concurrency", "32", "--input-tokens", "1000", "--output-tokens", "1000")
    assert s["fits"] and s["serving"]["pp"] == 2 and s["serving"]["instances"] == 1


@pytest.mark.parametrize("args, flag", [(["--tp", "3"], "--tp"), (["--pp", "3"], "--pp"),
                                        (["--input-tokens", "100"], "--output-tokens"),
                                        (["--interconnect", "carrier-pigeon"], "--interconnect"),
                                        (["--concurrency", "0"], "--concurrency")])
def test_fit_refuses_an_impossible_layout(run, args, flag):
    r = run("fit", "-m", "llama-3.1-8b", "-g", "8xh100", *args)
    assert r.exit_code == 2 and flag in r.stderr and "Traceback" not in r.stderr


def test_single_stream_lands_in_the_published_range(run):
    # vLLM 0.23, Llama-3.1-8B bf16, one A100 40GB, one request of 1,024 in / 128 out: "about 75 tokens/sec",
    # 77% of the bandwidth ceiling (https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on)
    s = _fit(run, "-m", "llama-3.1-8b", "-g", "a100-40gb", "-q", "fp16", "--engine", "vllm", "--concurrency", "1",
             "--input-tokens", "1024", "--output-tokens", "128")["serving"]
    assert 0.8 * 75 <= s["output_tokens_per_s"] <= 1.2 * 75
    # and never above the bandwidth ceiling on an H100 (3,350 GB/s / 16.06 GB = 209 tok/s)
    h = _fit(run, "-m", "llama-3.1-8b", "-g", "h100", "-q", "fp16", "--engine", "vllm", "--concurrency", "1",
             "--input-tokens", "0", "--output-tokens", "512")
    assert 0.5 * 209 <= h["decode_tokens_per_s_single"] < 209
    assert not math.isnan(h["serving"]["tpot_ms"])


def test_an_untied_input_embedding_is_looked_up_not_read():
    """A decode step reads every dense weight but the input-embedding table, of which each token looks up
    one row: Llama 3.1 8B bf16 (untied, 128,256 x 4,096) reads 16.06 - 1.05 GB, not 16.06 GB. The
    memory fit still holds the whole table."""
    from openvclosed.catalog import load_catalog
    from openvclosed.decision.assumptions import Assumptions
    from openvclosed.decision.designs import Design, design_inputs

    cat = load_catalog([], include_env=False)
    m = cat.model("llama-3.1-8b")
    assert m.tied_embeddings is False and m.lookup_params_b == pytest.approx(128256 * 4096 / 1e9)
    a = Assumptions(engine="vllm", context_tokens=64)
    x = design_inputs([Design(cat.gpu("h100-sxm"), 1, m, "fp16", tp=1)], a).replace(
        concurrency=1.0, input_tokens=0.0, output_tokens=128.0, input_share=0.0)
    untied = selfhost_design(x, 0.0)
    tied = selfhost_design(x.replace(embedding_params_b=0.0), 0.0)
    read_untied = 2 * (m.params_b - 128256 * 4096 / 1e9)   # GB at 16 bits
    read_tied = 2 * m.params_b
    # the weight-read part of a step shrinks by exactly the table's bytes over the effective bandwidth
    eff_bw = float(np.asarray(x.bandwidth_eff).ravel()[0]) * float(np.asarray(x.bandwidth_gb_s).ravel()[0])
    assert float(tied.tpot_s[0] - untied.tpot_s[0]) == pytest.approx((read_tied - read_untied) / eff_bw, rel=0.02)
    assert float(untied.weights_gb[0]) == float(tied.weights_gb[0])   # memory: the whole table stays


def test_tied_or_unknown_embeddings_are_read():
    from openvclosed.catalog import load_catalog

    cat = load_catalog([], include_env=False)
    for mid in cat.models:
        m = cat.model(mid)
        if m.tied_embeddings is not False:
            assert m.lookup_params_b == 0.0, mid
