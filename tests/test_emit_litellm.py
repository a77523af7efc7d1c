"""The emitted LiteLLM config, loaded by LiteLLM 1.110.2 itself (``litellm.Router``), routes a
request tagged ``regulated`` only to a self-hosted deployment.

No network and no keys: dummy environment variables for every ``os.environ/...`` reference,
``LITELLM_LOCAL_MODEL_COST_MAP=True`` (LiteLLM's bundled price map instead of fetching it), and
no model is ever called: the test asks the router which deployment it would pick.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest
import yaml



@pytest.fixture(scope="module")
def litellm():
    """LiteLLM, imported on first use (~10 s: not at collection): its bundled price map, never a download."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # read at import
    mod = pytest.importorskip("litellm")  # the test extra pins litellm==1.110.2
    from importlib.metadata import version

    assert version("litellm") == "1.110.2"  # the catalog's version; never 1.107.0 (a compromised release)
    return mod

EX = Path(__file__).resolve().parents[1] / "examples"
# the coding assistant with the user vouching for its ZDR API (unrated on v4.1): the hybrid the gateway routes
VOUCHED = Path(__file__).resolve().parent / "fixtures" / "coding-assistant-vouched.yaml"
NO_STALE = ("--max-age-days", "100000", "--max-hardware-age-days", "100000")
PROMPTS = ["hi", "Summarize this note in one line.",
           "Think step by step and prove rigorously: design a distributed consensus algorithm, analyse its "
           "complexity, derive a proof of correctness and implement it in Rust with property tests. " * 3]


def _router(litellm, run, example, monkeypatch):
    r = run("emit", "litellm", str(example if isinstance(example, Path) else EX / example), *NO_STALE)
    assert r.exit_code == 0, r.stderr
    cfg = yaml.safe_load(r.stdout)
    for name in set(re.findall(r"os\.environ/([A-Z0-9_]+)", r.stdout)):  # dummies; loopback, never called
        monkeypatch.setenv(name, "http://127.0.0.1:9/v1" if name.endswith("_API_BASE") else "dummy-key")
    return cfg, litellm.Router(model_list=cfg["model_list"], **cfg["router_settings"])


def _pick(router, model, tags, prompt):
    """The deployment the router would send this request to, or None when it refuses."""
    try:
        d = asyncio.run(router.async_get_available_deployment(
            model=model, messages=[{"role": "user", "content": prompt}], request_kwargs={"metadata": {"tags": tags}}))
    except ValueError as e:  # "Not allowed to access model due to tags configuration"
        assert "tags" in str(e)
        return None
    return d["litellm_params"]["model"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("example", ["coding-assistant.yaml", "portfolio.yaml", "hospital-regulated.yaml"])
def test_regulated_requests_reach_only_selfhosted(litellm, run, monkeypatch, example):
    cfg, router = _router(litellm, run, example, monkeypatch)
    names = sorted({e["model_name"] for e in cfg["model_list"]})
    reached = set()
    for name in names:
        for prompt in PROMPTS:
            got = _pick(router, name, ["regulated"], prompt)
            if got is not None:
                assert got.startswith("hosted_vllm/"), (name, prompt, got)
                reached.add(got)
    selfhosted = {e["litellm_params"]["model"] for e in cfg["model_list"]
                  if e["litellm_params"]["model"].startswith("hosted_vllm/")}
    assert reached == selfhosted  # every in-house model is reachable, nothing else


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_hybrid_tiers_route_by_complexity(litellm, run, monkeypatch):
    cfg, router = _router(litellm, run, VOUCHED, monkeypatch)
    assert _pick(router, "coding-assistant", ["confidential"], PROMPTS[0]).startswith("hosted_vllm/")
    assert _pick(router, "coding-assistant", ["confidential"], PROMPTS[2]) == "anthropic/claude-opus-5-5"
    # the same hard prompt tagged regulated stays in-house
    assert _pick(router, "coding-assistant", ["regulated"], PROMPTS[2]).startswith("hosted_vllm/")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_fallbacks_load_and_never_leave_for_regulated(litellm, run, monkeypatch):
    cfg, router = _router(litellm, run, "portfolio.yaml", monkeypatch)
    by_name = {e["model_name"]: e["litellm_params"] for e in cfg["model_list"]}
    for fb in cfg["router_settings"].get("fallbacks", []):
        for src, dsts in fb.items():
            for dst in dsts:
                assert set(by_name[src]["tags"]) <= set(by_name[dst]["tags"])
                if "regulated" in by_name[src]["tags"]:
                    assert by_name[dst]["model"].startswith("hosted_vllm/")
