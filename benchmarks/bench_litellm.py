"""API cost of many (model, input tokens, output tokens) scenarios: ovc's engine vs a LiteLLM loop.

What a user would otherwise script is a loop over LiteLLM's ``cost_per_token(model=...,
prompt_tokens=..., completion_tokens=...)``; ovc prices the same scenarios with
``openvclosed.engine.api_usd_per_mtok`` + ``api_usd_per_day`` in one vectorized call, with the
prices of ``data/apis.yaml`` (taken from LiteLLM 1.110.2's price JSON; each entry names its
LiteLLM key in ``source``). Both price the same scenarios; the script checks that the costs
agree on every looped scenario before it reports any timing.

Run on demand (never part of ``pytest``), in a throwaway environment that has LiteLLM - it is
not a dependency of this project::

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install litellm==1.110.2 numpy pyyaml pydantic typer rich
    /tmp/bench-venv/bin/pip install --no-deps -e .
    /tmp/bench-venv/bin/python benchmarks/bench_litellm.py   # --n 1000000 --loop-n 20000 --repeat 5

Without LiteLLM it prints why and exits 0. Reports medians of repeated runs and the ratio of
scenarios per second, measured side by side in the same process.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys

import numpy as np
from _timing import median_time  # benchmarks/_timing.py (the script's own folder is on sys.path)

from openvclosed.catalog import load_catalog
from openvclosed.engine import api_usd_per_day, api_usd_per_mtok

MAX_PROMPT_TOKENS = 64_000
"""Below every long-context threshold in data/apis.yaml (lowest: 100,000) - ovc does not apply
long-context tiers yet (docs/methodology.md) and LiteLLM does, so larger prompts would differ."""
MAX_COMPLETION_TOKENS = 8_000
KEY_RE = re.compile(r"key '([^']+)'")


def catalog_prices() -> tuple[list[str], np.ndarray, np.ndarray]:
    """(LiteLLM keys, input and output USD per 1M tokens) for every catalog API that names its key."""
    keys, p_in, p_out = [], [], []
    for api in load_catalog([], include_env=False).apis.values():
        m = KEY_RE.search(api.source)
        if m:
            keys.append(m.group(1))
            p_in.append(api.input_usd_per_mtok)
            p_out.append(api.output_usd_per_mtok)
    return keys, np.array(p_in), np.array(p_out)


def scenarios(n: int, n_models: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = np.random.default_rng(seed)
    return (g.integers(0, n_models, n), g.integers(1, MAX_PROMPT_TOKENS + 1, n),
            g.integers(1, MAX_COMPLETION_TOKENS + 1, n))


def ovc_costs(idx, prompt, completion, p_in, p_out) -> np.ndarray:
    """USD per scenario: blended price at the scenario's input share x its tokens."""
    total = (prompt + completion).astype(float)
    usd_mtok = api_usd_per_mtok(p_in[idx], p_out[idx], prompt / total)
    return api_usd_per_day(total, usd_mtok)


def litellm_costs(cost_per_token, keys, idx, prompt, completion, k: int) -> list[float]:
    """What a user scripts: one cost_per_token call per scenario."""
    out = []
    for i in range(k):
        pc, cc = cost_per_token(model=keys[idx[i]], prompt_tokens=int(prompt[i]), completion_tokens=int(completion[i]))
        out.append(pc + cc)
    return out



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="scenarios for the vectorized engine")
    ap.add_argument("--loop-n", type=int, default=20_000, help="scenarios for the LiteLLM loop")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)

    # LiteLLM fetches its price map from the network at import unless told to use its bundled copy.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
        from litellm import cost_per_token
    except ImportError as e:
        print(f"skipped: litellm is not importable ({e}). Install it in a throwaway venv, see this file's docstring.")
        return 0
    litellm.suppress_debug_info = True  # its "Provider List" banner on stdout would be timed with the loop
    version = getattr(litellm, "__version__", None)
    if version is None:
        from importlib.metadata import version as _v

        version = _v("litellm")

    keys, p_in, p_out = catalog_prices()
    idx, prompt, completion = scenarios(max(a.n, a.loop_n), len(keys))
    k = a.loop_n

    # Agreement first: every looped scenario, same prices (data/apis.yaml was built from this JSON).
    ours = ovc_costs(idx, prompt, completion, p_in, p_out)
    theirs = np.array(litellm_costs(cost_per_token, keys, idx, prompt, completion, k))
    rel = np.abs(ours[:k] - theirs) / theirs
    worst = int(np.argmax(rel))
    print(f"agreement: {k:,} scenarios over {len(keys)} APIs, max relative difference {rel.max():.2e} "
          f"(scenario {worst}: {keys[idx[worst]]}, {prompt[worst]} in / {completion[worst]} out: "
          f"ovc {ours[worst]:.9f} USD, LiteLLM {theirs[worst]:.9f} USD)")
    for i in range(3):
        print(f"  e.g. {keys[idx[i]]}: {prompt[i]} in / {completion[i]} out -> ovc {ours[i]:.9f}, LiteLLM {theirs[i]:.9f}")
    if rel.max() > 1e-9:
        print("FAILED: the two computations disagree; no timing reported")
        return 1

    n = a.n
    i_n, pr_n, co_n = idx[:n], prompt[:n], completion[:n]
    t_ovc = median_time(lambda: ovc_costs(i_n, pr_n, co_n, p_in, p_out), a.repeat)
    t_lit = median_time(lambda: litellm_costs(cost_per_token, keys, idx, prompt, completion, k), a.repeat)
    r_ovc, r_lit = n / t_ovc, k / t_lit
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, litellm {version}")
    print(f"ovc engine (api_usd_per_mtok + api_usd_per_day): {n:,} scenarios in {t_ovc:.4f} s "
          f"(median of {a.repeat}) = {r_ovc:,.0f} scenarios/s")
    print(f"LiteLLM cost_per_token loop: {k:,} scenarios in {t_lit:.3f} s (median of {a.repeat}) = "
          f"{r_lit:,.0f} scenarios/s ({t_lit / k * 1e6:.1f} us per call)")
    print(f"ratio ovc / LiteLLM loop: {r_ovc / r_lit:,.0f}x (target >= 1000x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
