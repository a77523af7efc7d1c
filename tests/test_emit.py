"""`ovc emit litellm|portkey|vllm` and `ovc check --gateway`: what is written and what it refuses.

The LiteLLM config is loaded by LiteLLM itself in tests/test_emit_litellm.py; here: the structure
of each output, the Portkey config against a mirror of Portkey's config schema, the vLLM flags
against vLLM 0.33.0's, safe output (quoting, comments, --force) and the gateway check.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from openvclosed.decision.gateway import split_input_output

EX = Path(__file__).resolve().parents[1] / "examples"
# the coding assistant with the user vouching for its ZDR API (unrated on v4.1): the hybrid the gateway routes
VOUCHED = Path(__file__).resolve().parent / "fixtures" / "coding-assistant-vouched.yaml"
NO_STALE = ("--max-age-days", "100000", "--max-hardware-age-days", "100000")


def emit(run, target, file, *extra):
    r = run("emit", target, str(file), *NO_STALE, *extra)
    assert r.exit_code == 0, r.stderr
    return r.stdout


# ------------------------------------------------------------------ the split rule (docs/gateway.md)

def test_split_hand_computed():
    # $1/M blended, 75% input, prefill 3x faster than decode: in = k/3000, out = k/1000 with
    # k = 1 / (0.75/3000 + 0.25/1000) = 2000 -> in 0.666667, out 2.0; blend 0.75*0.6667 + 0.25*2 = 1
    assert split_input_output(1.0, 0.75, 0.0, 3000.0, 1000.0) == (0.666667, 2.0, 0.0)
    # half the input cached (free): k = 1 / (0.375/3000 + 0.25/1000) = 2666.67
    i, o, c = split_input_output(1.0, 0.75, 0.5, 3000.0, 1000.0)
    assert (i, o, c) == (0.888889, 2.666667, 0.0)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a loaded CI machine is no failure
@given(usd=st.floats(0.01, 100), s_in=st.floats(0.05, 0.95), cached=st.floats(0, 0.9),
       pre=st.floats(100, 1e6), dec=st.floats(10, 1e5))
def test_split_blends_back_to_the_design_cost(usd, s_in, cached, pre, dec):
    i, o, c = split_input_output(usd, s_in, cached, pre, dec)
    blend = s_in * (1 - cached) * i + s_in * cached * c + (1 - s_in) * o
    assert blend == pytest.approx(usd, rel=1e-4, abs=2e-6)
    assert o * dec == pytest.approx(i * pre, rel=1e-3, abs=1e-6 * (pre + dec))  # in the ratio of time per token (6-decimal rounding)


# ------------------------------------------------------------------ litellm: structure and safety

def test_litellm_hybrid_structure(run):
    cfg = yaml.safe_load(emit(run, "litellm", VOUCHED))
    names = {e["model_name"]: e["litellm_params"] for e in cfg["model_list"]}
    assert cfg["router_settings"]["enable_tag_filtering"] is True
    rest, front, router = names["coding-assistant/rest"], names["coding-assistant/frontier"], names["coding-assistant"]
    import json

    from openvclosed.catalog import load_catalog

    rec = json.loads(run("recommend", str(VOUCHED), "--json").stdout)
    rest_model = rec["workloads"][0]["recommendation"]["option"]["members"][1]["design"]["model"]
    assert rest["model"] == f"hosted_vllm/{load_catalog([]).model(rest_model).hf_repo}"  # the decision's rest model
    assert rest["api_base"] == "os.environ/OVC_CODING_ASSISTANT_REST_API_BASE" and "api_key" not in rest
    assert front["model"] == "anthropic/claude-opus-5-5" and front["api_key"] == "os.environ/ANTHROPIC_API_KEY"
    assert "regulated" in rest["tags"] and "regulated" not in front["tags"]
    assert front["input_cost_per_token"] == pytest.approx(4e-6) and front["output_cost_per_token"] == pytest.approx(2e-5)
    assert router["model"] == "auto_router/complexity_router"
    assert router["complexity_router_config"]["tiers"] == {
        "SIMPLE": "coding-assistant/rest", "MEDIUM": "coding-assistant/rest",
        "COMPLEX": "coding-assistant/frontier", "REASONING": "coding-assistant/frontier"}


def test_litellm_selfhost_costs_blend_to_the_decision(run):
    out = json.loads(run("recommend", str(EX / "hospital-regulated.yaml"), "--json", *NO_STALE).stdout)
    rec = out["workloads"][0]["recommendation"]["option"]
    cfg = yaml.safe_load(emit(run, "litellm", EX / "hospital-regulated.yaml"))
    p = cfg["model_list"][0]["litellm_params"]
    assert [e["model_name"] for e in cfg["model_list"]] == ["hospital-summaries"]  # no API may see regulated data
    assert "fallbacks" not in cfg["router_settings"]
    s_in = 0.75 if "input_tokens" not in (EX / "hospital-regulated.yaml").read_text() else None
    import openvclosed.decision.workload as wl

    w = wl.load_workload_file(EX / "hospital-regulated.yaml").workloads[0]
    a = w.resolved_assumptions()
    s_in, c = a.input_share, a.cached_share
    blend = (s_in * (1 - c) * p["input_cost_per_token"] + (1 - s_in) * p["output_cost_per_token"]) * 1e6
    assert blend == pytest.approx(rec["usd_per_mtok"], rel=1e-3)
    det = rec["detail"]
    assert p["output_cost_per_token"] / p["input_cost_per_token"] == pytest.approx(
        det["prefill_tokens_per_s"] / det["decode_tokens_per_s"], rel=1e-3)


HOSTILE = "evil\nmodel_list: []\n# x\u2028router_settings: {enable_tag_filtering: false}"


def _hostile_plan():
    """The plan of an example with untrusted text where a user catalog or a future workload-name
    rule could put it: workload and deployment names, catalog sources, the model repository."""
    from openvclosed.catalog.store import load_catalog
    from openvclosed.decision.workload import load_workload_file
    from openvclosed.decision.gateway import plan_for_file

    plan, _ = plan_for_file(load_catalog(), load_workload_file(EX / "hospital-regulated.yaml"))
    w = plan.workloads[0]
    w.name = w.decision = HOSTILE
    for d in w.deployments:
        d.name, d.option_id, d.gpu = HOSTILE, HOSTILE, HOSTILE
    w.notes = [HOSTILE]
    plan.sources = [HOSTILE]
    return plan


def test_a_workload_name_with_a_newline_is_refused(run, tmp_path):
    src = yaml.safe_load((EX / "hospital-regulated.yaml").read_text())
    src["workloads"][0]["name"] = HOSTILE
    p = tmp_path / "hostile.yaml"
    p.write_text(yaml.safe_dump(src))
    r = run("emit", "litellm", str(p), *NO_STALE)
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.count("\n") == 1


def test_a_newline_in_any_string_injects_nothing():
    from openvclosed.report.gateway_litellm import render_litellm
    from openvclosed.report.serve_command import render_serve

    text = render_litellm(_hostile_plan())
    head = [line for line in text.splitlines() if not line.startswith(("#", "-", " "))]
    assert head == ["model_list:", "router_settings:"]  # every top-level key is ours
    cfg = yaml.safe_load(text)
    assert cfg["router_settings"] == {"enable_tag_filtering": True}
    assert cfg["model_list"][0]["model_name"] == HOSTILE  # quoted, kept whole
    assert all(line.isascii() for line in text.splitlines() if line.startswith("#"))
    cmd = render_serve(_hostile_plan())
    code = [ln for ln in cmd.splitlines() if not ln.startswith("#")]
    assert len(code) == 1 and code[0].startswith("vllm serve ")


def test_existing_output_needs_force(run, tmp_path):
    out = tmp_path / "litellm.yaml"
    out.write_text("mine\n")
    r = run("emit", "litellm", str(EX / "hospital-regulated.yaml"), "-o", str(out), *NO_STALE)
    assert r.exit_code == 2 and "--force" in r.stderr and out.read_text() == "mine\n"
    r = run("emit", "litellm", str(EX / "hospital-regulated.yaml"), "-o", str(out), "--force", *NO_STALE)
    assert r.exit_code == 0 and "model_list" in out.read_text()


def test_no_secret_is_written(run, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-secret-123")
    text = emit(run, "litellm", EX / "coding-assistant.yaml") + emit(run, "portkey", EX / "coding-assistant.yaml")
    assert "sk-secret-123" not in text
    keys = re.findall(r"api_key\"?: \"?([^\s,\"]+)", text)
    assert keys and all(k.startswith(("os.environ/", "${")) for k in keys)


# ------------------------------------------------------------------ portkey: schema mirror + routing

PORTKEY_MODES = {"single", "loadbalance", "fallback", "conditional"}
# a subset of VALID_PROVIDERS in Portkey-AI/gateway src/globals.ts (commit 669825c, 2026-05-25)
PORTKEY_PROVIDERS = {"openai", "anthropic", "google", "together-ai", "deepinfra", "groq", "fireworks-ai",
                     "mistral-ai", "x-ai", "nebius", "novita-ai", "sambanova", "cerebras"}


def _validate_portkey(c: dict, top=True) -> None:
    """A structure test mirroring ``configSchema`` (Portkey-AI/gateway
    src/middlewares/requestValidator/schema/config.ts): strategy.mode in the four modes,
    conditions = [{query: object, then: string}], default a string; every config (and every
    target, recursively) has provider + api_key or strategy + targets; plus what the conditional
    router (src/services/conditionalRouter.ts) needs: each `then` and `default` names a target."""
    assert isinstance(c, dict)
    s = c.get("strategy")
    if s is not None:
        assert s["mode"] in PORTKEY_MODES
        for cond in s.get("conditions", []):
            assert set(cond) == {"query", "then"} and isinstance(cond["query"], dict) and isinstance(cond["then"], str)
        assert isinstance(s.get("default", ""), str)
        names = [t.get("name") for t in c["targets"]]
        if s["mode"] == "conditional":
            assert len(set(names)) == len(names)
            assert all(cond["then"] in names for cond in s["conditions"])
            assert s.get("default") is None or s["default"] in names
    assert (isinstance(c.get("provider"), str) and isinstance(c.get("api_key"), str)) or \
        (s is not None and isinstance(c.get("targets"), list))
    if "provider" in c:
        assert c["provider"] in PORTKEY_PROVIDERS
        assert re.fullmatch(r"\$\{[A-Z0-9_]+\}", c["api_key"])
    if "custom_host" in c:
        assert re.fullmatch(r"\$\{[A-Z0-9_]+\}", c["custom_host"])
    for t in c.get("targets", []):
        _validate_portkey(t, top=False)


def _resolve(cfg: dict, metadata: dict) -> dict | None:
    """Portkey's ConditionalRouter.resolveTarget for the $and/$eq/$in queries ovc writes."""
    def ok(q):
        if "$and" in q:
            return all(ok(x) for x in q["$and"])
        ((key, cond),) = q.items()
        v = metadata.get(key.split(".", 1)[1])
        return v == cond["$eq"] if "$eq" in cond else v in cond["$in"]
    names = {t["name"]: t for t in cfg["targets"]}
    for cond in cfg["strategy"]["conditions"]:
        if ok(cond["query"]):
            return names[cond["then"]]
    return names.get(cfg["strategy"].get("default"))


def _leaves(t):
    return [x for y in t["targets"] for x in _leaves(y)] if "targets" in t else [t]


@pytest.mark.parametrize("example", ["coding-assistant.yaml", "portfolio.yaml", "hospital-regulated.yaml"])
def test_portkey_validates_and_regulated_stays_in(run, example):
    cfg = json.loads(emit(run, "portkey", EX / example))
    _validate_portkey(cfg)
    assert cfg["strategy"]["mode"] == "conditional"
    workloads = {c["query"]["$and"][0]["metadata.workload"]["$eq"] for c in cfg["strategy"]["conditions"]}
    for w in workloads:
        for tier in ("simple", "standard", "frontier", None):
            for sens in ("public", "internal", "confidential", "regulated", None):
                md = {"workload": w, **({"tier": tier} if tier else {}), **({"sensitivity": sens} if sens else {})}
                t = _resolve(cfg, md)
                if sens in ("regulated", None) and t is not None:
                    assert all("custom_host" in x for x in _leaves(t)), (md, t)


# ------------------------------------------------------------------ vllm: the flags vLLM 0.33.0 defines

def _vllm_parser():
    """The subset of ``vllm serve`` (vLLM 0.33.0, vllm/engine/arg_utils.py EngineArgs.add_cli_args)
    ovc writes, with vLLM's own choices (ModelDType, CacheDType, QuantizationMethods)."""
    p = argparse.ArgumentParser(prog="vllm serve", exit_on_error=False)
    p.add_argument("model_tag")
    p.add_argument("--tensor-parallel-size", "-tp", type=int)
    p.add_argument("--data-parallel-size", "-dp", type=int)
    p.add_argument("--dtype", choices=["auto", "half", "float16", "bfloat16", "float", "float32"])
    p.add_argument("--quantization", "-q", choices=["awq", "fp8", "gptq", "mxfp4", "compressed-tensors"])
    p.add_argument("--kv-cache-dtype", choices=["auto", "float16", "bfloat16", "fp8", "fp8_e4m3", "fp8_e5m2"])
    p.add_argument("--max-num-seqs", type=int)
    p.add_argument("--max-model-len", type=int)
    p.add_argument("--gpu-memory-utilization", type=float)
    return p


@pytest.mark.parametrize("example", ["hospital-regulated.yaml", "coding-assistant.yaml"])
def test_vllm_command_matches_the_cost_model(run, example):
    from openvclosed.report.serve_command import VLLM_FLAGS

    text = emit(run, "vllm", EX / example)
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert len(lines) == 1
    argv = shlex.split(lines[0])
    assert argv[:2] == ["vllm", "serve"]
    assert {a for a in argv if a.startswith("--")} <= VLLM_FLAGS
    ns = _vllm_parser().parse_args(argv[2:])
    out = json.loads(run("recommend", str(EX / example), "--json", *NO_STALE).stdout)
    rec = out["workloads"][0]["recommendation"]["option"]
    det = rec["detail"]
    if rec["kind"] == "hybrid":  # the self-hosted rest, as the hybrid priced it
        from openvclosed.catalog import load_catalog

        rest = rec["members"][1]
        assert f": {rest['id']} on " in text
        assert argv[2] == load_catalog([]).model(rest["design"]["model"]).hf_repo
        det = {**rest["design"], "precision": rest["design"]["precision"]}
    else:
        det = rec["design"]
    assert ns.tensor_parallel_size == det["tp"] and ns.max_num_seqs == int(det["batch"]) > 0
    assert (ns.data_parallel_size or 1) == det["instances"]
    assert ns.gpu_memory_utilization == 0.9  # the assumption vram_reserve_share
    assert ns.quantization == ("fp8" if det["precision"] == "fp8" else None)
    assert ns.kv_cache_dtype == "auto"


def _engine_file(tmp_path, engine):
    src = yaml.safe_load((EX / "hospital-regulated.yaml").read_text())
    src["workloads"][0]["engine"] = engine
    p = tmp_path / f"{engine}.yaml"
    p.write_text(yaml.safe_dump(src))
    return p


def test_sglang_command_when_the_design_was_costed_for_sglang(run, tmp_path):
    from openvclosed.report.serve_command import SGLANG_FLAGS

    code = [ln for ln in emit(run, "vllm", _engine_file(tmp_path, "sglang")).splitlines() if not ln.startswith("#")]
    argv = shlex.split(code[0])
    assert argv[:3] == ["python", "-m", "sglang.launch_server"]
    assert {a for a in argv if a.startswith("--")} <= SGLANG_FLAGS
    # SGLang 0.5.23 sglang/srt/arg_groups/fields/model.py: kv_cache_dtype choices; choices.py: QUANTIZATION_CHOICES
    p = argparse.ArgumentParser(exit_on_error=False)
    for f in ("--model-path", "--dtype", "--context-length", "--mem-fraction-static"):
        p.add_argument(f)
    p.add_argument("--tp-size", type=int)
    p.add_argument("--dp-size", type=int)
    p.add_argument("--max-running-requests", type=int)
    p.add_argument("--kv-cache-dtype", choices=["auto", "fp8_e5m2", "fp8_e4m3", "bf16", "bfloat16"])
    p.add_argument("--quantization", choices=["awq", "fp8", "gptq", "w8a8_int8", "mxfp4"])
    ns = p.parse_args(argv[3:])
    from openvclosed.catalog import load_catalog

    rec = json.loads(run("recommend", str(_engine_file(tmp_path, "sglang")), "--json").stdout)
    model = rec["workloads"][0]["recommendation"]["option"]["design"]["model"]
    assert ns.model_path == load_catalog([]).model(model).hf_repo and ns.tp_size >= 1 and ns.max_running_requests >= 1


def test_no_serve_command_for_an_engine_ovc_cannot_write(run, tmp_path):
    r = run("emit", "vllm", str(_engine_file(tmp_path, "llamacpp")), *NO_STALE)
    assert r.exit_code == 2 and "llamacpp" in r.stderr and r.stderr.count("\n") == 1


def test_vllm_quotes_a_hostile_model_repo(tmp_path):
    from openvclosed.report.serve_command import serve_args
    from openvclosed.results.gateway import Deployment

    d = Deployment(name="w", role="primary", kind="self-host", option_id="1xh100/x/fp16/owned",
                   litellm_model="hosted_vllm/x", provider_model="x", provider="self-hosted", env_key="OVC_W_API_BASE",
                   tiers=["standard"], tags=["regulated"], input_usd_per_mtok=1, output_usd_per_mtok=2,
                   model_id="x", hf_repo="org/m; rm -rf / #$(id)", engine="vllm", gpu="h100", n_gpus=1, tp=1, instances=1,
                   precision="fp16", native_precision="fp16", max_num_seqs=8, max_model_len=4096, kv_bits=16,
                   gpu_memory_utilization=0.9)
    argv, _ = serve_args(d)
    line = " ".join(shlex.quote(a) for a in argv)
    assert shlex.split(line) == argv and shlex.split(line)[2] == "org/m; rm -rf / #$(id)"


def test_no_selfhost_no_serve_command(run):
    r = run("emit", "vllm", str(EX / "startup-chatbot.yaml"), *NO_STALE)
    assert r.exit_code == 2 and "self-hosts nothing" in r.stderr and r.stderr.count("\n") == 1


# ------------------------------------------------------------------ ovc check --gateway

def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize("target,name", [("litellm", "g.yaml"), ("portkey", "g.json")])
def test_check_gateway_passes_on_what_emit_wrote(run, tmp_path, target, name):
    g = _write(tmp_path, name, emit(run, target, EX / "coding-assistant.yaml"))
    r = run("check", str(EX / "coding-assistant.yaml"), "--gateway", str(g), *NO_STALE)
    assert r.exit_code == 0, r.stderr


def test_check_gateway_finds_each_difference(run, tmp_path):
    ex = VOUCHED
    cfg = yaml.safe_load(emit(run, "litellm", ex))
    removed = {**cfg, "model_list": [e for e in cfg["model_list"] if e["model_name"] != "coding-assistant/rest"]}
    r = run("check", str(ex), "--gateway", str(_write(tmp_path, "a.yaml", yaml.safe_dump(removed))), *NO_STALE)
    assert r.exit_code == 1 and "model removed: coding-assistant/rest" in r.stderr
    leak = yaml.safe_load(yaml.safe_dump(cfg))
    front = next(e for e in leak["model_list"] if e["model_name"] == "coding-assistant/frontier")
    front["litellm_params"]["tags"].append("regulated")
    r = run("check", str(ex), "--gateway", str(_write(tmp_path, "b.yaml", yaml.safe_dump(leak))), *NO_STALE)
    assert r.exit_code == 1 and "regulated route to the external API anthropic/claude-opus-5-5" in r.stderr
    fb = {**cfg, "router_settings": {"enable_tag_filtering": True,
                                     "fallbacks": [{"coding-assistant/rest": ["coding-assistant/frontier"]}]}}
    r = run("check", str(ex), "--gateway", str(_write(tmp_path, "c.yaml", yaml.safe_dump(fb))), *NO_STALE)
    assert r.exit_code == 1 and "fallback coding-assistant/rest -> coding-assistant/frontier" in r.stderr
    off = {**cfg, "router_settings": {}}
    r = run("check", str(ex), "--gateway", str(_write(tmp_path, "d.yaml", yaml.safe_dump(off))), *NO_STALE)
    assert r.exit_code == 1 and "enable_tag_filtering" in r.stderr


def test_check_gateway_cost_tolerance(run, tmp_path):
    ex = VOUCHED
    cfg = yaml.safe_load(emit(run, "litellm", ex))
    rest = next(e for e in cfg["model_list"] if e["model_name"] == "coding-assistant/rest")["litellm_params"]
    rest["output_cost_per_token"] *= 1.04
    g = _write(tmp_path, "g.yaml", yaml.safe_dump(cfg))
    assert run("check", str(ex), "--gateway", str(g), *NO_STALE).exit_code == 0  # 4% < 5%
    r = run("check", str(ex), "--gateway", str(g), "--gateway-tolerance", "0.01", *NO_STALE)
    assert r.exit_code == 1 and "output_cost_per_token" in r.stderr and "differs" in r.stderr


@pytest.mark.parametrize("text", ["model_list: 3\n", "{not json", "[1, 2]\n", "model_list:\n  - model_name: x\n",
                                  "\x00\x01binary"])
def test_check_gateway_invalid_config_exit_2(run, tmp_path, text):
    g = _write(tmp_path, "g.yaml", text)
    r = run("check", str(EX / "coding-assistant.yaml"), "--gateway", str(g), *NO_STALE)
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.count("\n") == 1 and "g.yaml" in r.stderr
