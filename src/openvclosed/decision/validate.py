"""Calibrate the serving-engine profiles on published measurements and report held-out errors.

``python -m openvclosed.decision.validate`` prints the report; ``--write`` also writes
``data/measurements/calibration.json`` (the fitted profiles the product uses) and
``docs/validation.md`` (with the predicted-vs-measured plot when matplotlib is installed).

Each measurement is predicted through the product's own cost path: the measured setup becomes a
:class:`~openvclosed.decision.designs.Design` (catalog GPU and model, the row's precision, KV
precision, tensor-parallel degree and serving engine) evaluated by
:func:`openvclosed.engine.design.selfhost_design` at the row's context and concurrency, fully
loaded. Rows are split by *source* (every publication is wholly in the fitting part or wholly in
the held-out part), so the held-out errors measure how the model transfers to setups it was not
fitted on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import sys
from dataclasses import dataclass

import numpy as np

from openvclosed.catalog import Catalog, load_catalog
from openvclosed.catalog.measurements import ENGINE_OF, GPU_STAND_INS, MODEL_STAND_INS, Measurement, read_measurements
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import Design, design_inputs, native_label
from openvclosed.engine.design import selfhost_design
from openvclosed.engine.profiles import ENGINES, STARTING_POINTS
from openvclosed.errors import UnknownNameError

__all__ = ["Prepared", "prepare", "predict", "split", "fit_engine", "calibrate", "main", "FITTED", "BOUNDS"]

FITTED = ("bandwidth_eff", "kv_bandwidth_eff", "decode_mfu", "prefill_mfu", "step_overhead_s", "layer_overhead_s",
          "low_bit_eff")
EXCLUDED_SOURCES = {
    "simon-mo/R1-Benchmark": "50 prompts sent at 10 requests/s: the run is mostly ramp-up and tail, not the "
                             "steady state a capacity model predicts",
}
"""Sources left out of fitting and validation, with the reason (listed in docs/validation.md)."""

REGULARIZATION = 0.1
"""Weight of the pull toward the starting points (sum of squared log ratios) in the fit: with 8-70
rows per engine from a handful of sources, an unpulled fit learns source-specific setups and
transfers worse to held-out sources (docs/validation.md)."""

BOUNDS = {"bandwidth_eff": (0.2, 1.0), "kv_bandwidth_eff": (0.1, 1.0), "decode_mfu": (0.05, 0.9),
          "prefill_mfu": (0.05, 0.9), "step_overhead_s": (0.0, 0.05), "layer_overhead_s": (0.0, 3e-4),
          "low_bit_eff": (0.3, 1.0)}


@dataclass
class Prepared:
    rows: list[Measurement]
    designs: list[Design]
    engines: np.ndarray          # engine name per row
    replicas: np.ndarray         # data-parallel instances in the measured setup
    batch: np.ndarray            # concurrent sequences per instance (inf = offline maximum load)
    context: np.ndarray
    input_share: np.ndarray
    kv_bits: np.ndarray
    tflops: np.ndarray
    measured: np.ndarray
    moe: np.ndarray
    skipped: list[tuple[str, str]]


def _precision(m: Measurement, model) -> tuple[str, float | None]:
    p = m.weight_precision.lower()
    if p in ("bf16", "fp16", "f16"):
        return "fp16", None
    if p in ("fp8", "int8-w8a8"):
        return "fp8", None
    if p == "mxfp4" and native_label(model) == "mxfp4":
        return "mxfp4", None
    if math.isnan(m.weight_bits):
        raise ValueError(f"no bits for precision {m.weight_precision!r}")
    return m.weight_precision, float(m.weight_bits)


def _tflops(gpu, precision: str) -> float | None:
    p = precision.lower()
    if p == "nvfp4" and gpu.fp4_tflops:
        return gpu.fp4_tflops
    if p in ("fp8", "nvfp4", "int8-w8a8") and gpu.fp8_tflops:
        return gpu.fp8_tflops
    return gpu.fp16_tflops


def prepare(catalog: Catalog, rows: list[Measurement]) -> Prepared:
    """Match rows to catalog entries; rows that cannot be modelled are listed with the reason."""
    keep, designs, skipped = [], [], []
    cols = {k: [] for k in ("engines", "replicas", "batch", "context", "input_share", "kv_bits", "tflops", "moe")}
    for r in rows:
        why = next((w for k, w in EXCLUDED_SOURCES.items() if k in r.source), None)
        if why:
            skipped.append((r.id, why))
            continue
        engine = ENGINE_OF.get(r.engine)
        if engine is None:
            skipped.append((r.id, f"engine {r.engine!r} has no profile"))
            continue
        try:
            gpu = catalog.gpu(GPU_STAND_INS.get(r.gpu, r.gpu))
            model = catalog.model(MODEL_STAND_INS.get(r.model, r.model))
        except UnknownNameError as e:
            skipped.append((r.id, str(e).split(";")[0]))
            continue
        try:
            prec, bits = _precision(r, model)
        except ValueError as e:
            skipped.append((r.id, str(e)))
            continue
        tf = _tflops(gpu, r.weight_precision)
        if tf is None:
            skipped.append((r.id, f"gpu {gpu.id} has no cited TFLOPS"))
            continue
        if gpu.tflops_basis:  # a derived figure (catalog tflops_basis) is not evidence to fit the engines on
            skipped.append((r.id, f"gpu {gpu.id}: TFLOPS derived, not a datasheet figure ({gpu.tflops_basis[:40]}...)"))
            continue
        if not (r.tokens_per_s > 0 and r.output_tokens > 0):
            skipped.append((r.id, "no output length or throughput"))
            continue
        tp = max(r.tp, 1)
        reps = max(r.n_gpus // tp, 1)
        designs.append(Design(gpu, tp, model, prec if bits is None else "fp16", weight_bits=bits, engine=engine, tp=tp))
        keep.append(r)
        c = r.concurrency
        cols["engines"].append(engine)
        cols["replicas"].append(float(reps if math.isnan(c) else min(reps, c)))
        cols["batch"].append(math.inf if math.isnan(c) else max(c / reps, 1.0))
        cols["context"].append(r.input_tokens + r.output_tokens / 2.0)
        cols["input_share"].append(r.input_tokens / (r.input_tokens + r.output_tokens))
        cols["kv_bits"].append(r.kv_bits)
        cols["tflops"].append(tf)
        cols["moe"].append(model.moe is not None)
    arr = {k: np.array(v, dtype=object if k == "engines" else float) for k, v in cols.items()}
    p = Prepared(keep, designs, arr["engines"], arr["replicas"], arr["batch"], arr["context"], arr["input_share"],
                 arr["kv_bits"], arr["tflops"], np.array([r.tokens_per_s for r in keep], dtype=float),
                 arr["moe"].astype(bool), skipped)
    fits = predict(p, {e: dict(STARTING_POINTS[e]) for e in ENGINES}) > 0
    if not fits.all():  # weights + one sequence's KV do not fit the measured GPUs (offloading setups)
        skipped += [(r.id, "does not fit the measured GPUs in the memory model (CPU offload?)")
                    for r, f in zip(keep, fits) if not f]
        p = _subset(p, fits)
        p.skipped = skipped
    return p


def _subset(p: Prepared, mask: np.ndarray) -> Prepared:
    return Prepared([r for r, k in zip(p.rows, mask) if k], [d for d, k in zip(p.designs, mask) if k],
                    p.engines[mask], p.replicas[mask], p.batch[mask], p.context[mask], p.input_share[mask],
                    p.kv_bits[mask], p.tflops[mask], p.measured[mask], p.moe[mask], [])


def _base_inputs(p: Prepared):
    a = Assumptions(utilization=1.0, hours_per_day=24.0, cached_share=0.0)
    x = design_inputs(p.designs, a)
    kv = np.array([d.model.kv_elements_per_seq(c) for d, c in zip(p.designs, p.context)], dtype=float)
    return x.replace(context_tokens=p.context, input_share=p.input_share, kv_elements_per_seq=kv, kv_bits=p.kv_bits,
                     batch_cap=p.batch, tflops=p.tflops, prefix_cached_share=0.0)


def predict(p: Prepared, profiles: dict[str, dict[str, float]], base=None) -> np.ndarray:
    """Predicted aggregate output tokens/s of every prepared row under ``profiles``."""
    x = base if base is not None else _base_inputs(p)
    changes = {}
    for name in FITTED + ("max_batch",):
        changes[name] = np.array([profiles[e][name] for e in p.engines], dtype=float)
    e = selfhost_design(x.replace(**changes), 0.0)
    total_per_s = np.asarray(e.capacity_tokens_per_day) / 86400.0
    return total_per_s * (1.0 - p.input_share) * p.replicas


def split(rows: list[Measurement]) -> np.ndarray:
    """True for held-out rows: every other source (URL), in the order of a hash of the URL, so a
    publication is wholly in one part. Sources are taken per engine, largest first, so that every
    engine keeps rows on both sides where it has two sources or more."""
    sources_by_engine: dict[str, list[str]] = {}
    for r in rows:
        lst = sources_by_engine.setdefault(r.engine, [])
        if r.source not in lst:
            lst.append(r.source)
    side: dict[str, bool] = {}
    for engine in sorted(sources_by_engine, key=lambda e: len(sources_by_engine[e])):
        todo = sorted((s for s in sources_by_engine[engine] if s not in side),
                      key=lambda s: hashlib.sha1(s.encode()).hexdigest())
        held_now = sum(side.get(s, False) for s in sources_by_engine[engine])
        fit_now = sum(not side.get(s, True) for s in sources_by_engine[engine])
        for s in todo:  # alternate, starting with the side this engine has fewer sources on
            side[s] = held_now < fit_now
            held_now += side[s]
            fit_now += not side[s]
    return np.array([side[r.source] for r in rows], dtype=bool)


def _loss(pred, meas) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.log(np.where(pred > 0, pred, 1e-9) / meas)
    return float(np.mean(np.minimum(lr ** 2, math.log(4.0) ** 2)))


def fit_engine(p: Prepared, mask: np.ndarray, engine: str, start: dict[str, float], sweeps: int = 5) -> dict[str, float]:
    """Coordinate search of the engine's parameters minimising squared log error on ``mask`` rows."""
    rows = mask & (p.engines == engine)
    if rows.sum() < 4:
        return dict(start)
    sub = _subset(p, rows)
    base = _base_inputs(sub)
    params = dict(start)

    def loss(q):
        pull = sum(math.log((q[k] + 1e-4) / (start[k] + 1e-4)) ** 2 for k in FITTED)
        return _loss(predict(sub, {engine: q}, base), sub.measured) + REGULARIZATION * pull

    best = loss(params)
    for sweep in range(sweeps):
        for name in FITTED:
            lo, hi = BOUNDS[name]
            cur = params[name]
            span = 3.0 / (1 + sweep)
            extra = [0.0] if name.endswith("_s") else []
            cands = np.unique(np.clip(np.concatenate([extra, max(cur, 1e-6) * np.geomspace(1 / (1 + span), 1 + span, 13)]),
                                      lo, hi))
            for c in cands:
                q = dict(params, **{name: float(c)})
                v = loss(q)
                if v < best - 1e-12:
                    best, params = v, q
    return params


def calibrate(catalog: Catalog | None = None) -> dict:
    """Fit every engine on the fitting part; return profiles, predictions and the split."""
    cat = catalog or load_catalog([], include_env=False)
    p = prepare(cat, read_measurements())
    held = split(p.rows)
    profiles = {e: fit_engine(p, ~held, e, STARTING_POINTS[e]) for e in ENGINES}
    pred = predict(p, profiles)
    start_pred = predict(p, {e: dict(STARTING_POINTS[e]) for e in ENGINES})
    return {"prepared": p, "held": held, "profiles": profiles, "pred": pred, "start_pred": start_pred}


# ------------------------------------------------------------------------------------------ report

def _stats(err: np.ndarray) -> tuple[int, float, float]:
    a = np.abs(err)
    return (int(a.size), float(np.median(a)) if a.size else math.nan, float(np.max(a)) if a.size else math.nan)


def _row(label, err, extra="") -> str:
    n, med, worst = _stats(err)
    return f"| {label} | {n} | {med:.1%} | {worst:.1%} |{extra}" if n else f"| {label} | 0 | - | - |{extra}"


def report(res: dict) -> str:
    p, held, pred = res["prepared"], res["held"], res["pred"]
    err = pred / p.measured - 1.0
    single = p.batch == 1
    lines = ["| rows | n | median abs error | worst abs error |", "|---|---:|---:|---:|"]
    for part, mask in (("held-out (all)", held), ("fitting part (all)", ~held)):
        lines.append(_row(f"**{part}**", err[mask]))
    h = held
    cats = [("held-out single stream", h & single), ("held-out batched", h & ~single),
            ("held-out dense", h & ~p.moe), ("held-out MoE", h & p.moe)]
    cats += [(f"held-out engine {e}", h & (p.engines == e)) for e in ENGINES]
    gpus = sorted({d.gpu.id for d in p.designs})
    cats += [(f"held-out gpu {g}", h & np.array([d.gpu.id == g for d in p.designs])) for g in gpus]
    for label, mask in cats:
        if mask.any():
            lines.append(_row(label, err[mask]))
    within2x = float(np.mean((pred[held] / p.measured[held] <= 2) & (pred[held] / p.measured[held] >= 0.5)))
    sp = res["start_pred"]
    start_within = float(np.mean((sp[held] / p.measured[held] <= 2) & (sp[held] / p.measured[held] >= 0.5)))
    start_med = float(np.median(np.abs(sp[held] / p.measured[held] - 1)))
    worst = np.argsort(-np.abs(np.log(np.where(pred > 0, pred, 1e-9) / p.measured)) * held)[:10]
    wl = ["| row | engine | gpu x n | model | precision | conc. | in/out | measured | predicted | error |",
          "|---|---|---|---|---|---:|---|---:|---:|---:|"]
    for i in worst:
        if not held[i]:
            continue
        r = p.rows[i]
        wl.append(f"| [{r.id}]({r.source}) | {r.engine} | {r.gpu} x{r.n_gpus} | {r.model} | {r.weight_precision} | "
                  f"{'max' if math.isnan(r.concurrency) else int(r.concurrency)} | {int(r.input_tokens)}/"
                  f"{int(r.output_tokens)} | {r.tokens_per_s:,.0f} | {pred[i]:,.0f} | {err[i]:+.0%} |")
    prof = ["| engine | " + " | ".join(FITTED) + " |", "|---|" + "---:|" * len(FITTED)]
    for e, q in res["profiles"].items():
        n_fit = int(((~held) & (p.engines == e)).sum())
        prof.append(f"| {e} ({n_fit} rows) | " + " | ".join(f"{q[k]:.3g}" for k in FITTED) + " |")
    return "\n".join([
        f"Rows used: {len(p.rows)} of {len(p.rows) + len(p.skipped)} ({len(p.skipped)} skipped: no catalog entry for "
        f"the model or GPU, no cited TFLOPS, or an engine without a profile). Held-out rows: {int(held.sum())} from "
        f"{len({r.source for r, k in zip(p.rows, held) if k})} sources; fitting rows: {int((~held).sum())}. "
        f"Held-out rows within 2x: {within2x:.0%} (starting points, unfitted: {start_within:.0%}, median error "
        f"{start_med:.1%}).", "", *lines, "", "Fitted profiles:", "", *prof, "",
        "Worst held-out rows:", "", *wl])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m openvclosed.decision.validate", description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="write data/measurements/calibration.json and docs/validation.md")
    args = ap.parse_args(argv)
    res = calibrate()
    text = report(res)
    print(text)
    if args.write:
        from openvclosed.catalog.store import bundled_data_dir

        p, held, pred = res["prepared"], res["held"], res["pred"]
        err = pred / p.measured - 1.0
        summary = {k: v for k, v in zip(("n", "median_abs_error", "worst_abs_error"), _stats(err[held]))}
        out = {"generated": dt.date.today().isoformat(), "method": "decision/validate.py: coordinate search of "
               "squared log error on the fitting part; sources (URLs) split half/half, each wholly on one side",
               "profiles": res["profiles"], "held_out": summary,
               "held_out_residual_log_sd": float(np.std(np.log(np.where(pred[held] > 0, pred[held], 1e-9)
                                                               / p.measured[held])))}
        (bundled_data_dir() / "measurements" / "calibration.json").write_text(json.dumps(out, indent=2) + "\n")
        _write_doc(text, res)
    return 0


def _write_doc(table: str, res: dict) -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    doc = root / "docs" / "validation.md"
    head = doc.read_text(encoding="utf-8").split("<!-- generated -->")[0] if doc.exists() else ""
    doc.write_text(head.rstrip() + "\n\n<!-- generated -->\n" + table + "\n", encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    p, held, pred = res["prepared"], res["held"], res["pred"]
    fig, ax = plt.subplots(figsize=(7, 7))
    for mask, label, marker in ((~held, "fitting part", "o"), (held, "held out", "^")):
        ax.scatter(p.measured[mask], pred[mask], s=14, marker=marker, alpha=0.7, label=label)
    lo, hi = float(np.min(p.measured)) / 2, float(np.max(p.measured)) * 2
    ax.plot([lo, hi], [lo, hi], color="black", lw=1)
    ax.plot([lo, hi], [2 * lo, 2 * hi], color="grey", lw=0.8, ls=":")
    ax.plot([lo, hi], [lo / 2, hi / 2], color="grey", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("measured output tokens/s")
    ax.set_ylabel("predicted output tokens/s")
    ax.set_title("Throughput model vs published measurements (dotted: 2x)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(root / "docs" / "validation-throughput.png", dpi=110, metadata={"Software": None})


if __name__ == "__main__":
    sys.exit(main())
