"""Calibrate and validate the roofline decode model against published measurements.

Usage::

    python scripts/calibrate.py            # fit + validate, print only
    python scripts/calibrate.py --write    # also regenerate docs/validation.md and
                                           # data/measurements/calibration.json
    python scripts/calibrate.py --check    # exit 1 if the validation median |error| is more
                                           # than 1 percentage point above calibration.json

Input: ``data/measurements/throughput.csv`` (one published tokens/s figure per row).
Every row is predicted with the engine's own functions (``openvclosed.engine``:
``decode_step_s``, ``weights_gb``, ``kv_gb_per_token``) and the catalog GPU's peak figures,
so the numbers here are the numbers the calculator uses. Nothing under ``src/`` or ``data/``
is modified except ``data/measurements/calibration.json`` (with ``--write``).

Modelling rules (also written into docs/validation.md):

* ``decode_single`` rows are predicted at batch 1, ``decode_aggregate`` rows at the stated
  batch; aggregate rows without a stated batch are excluded.
* KV context per sequence = input_tokens + output_tokens / 2 (mean cache length while
  decoding); 1024 tokens where the lengths are not given (flagged ``ctx?``).
* Peak compute: the catalog ``fp8_tflops`` when weight_bits == 8 and the card has an FP8
  figure (every 8-bit row in the CSV is an FP8 checkpoint run by an engine that computes in
  FP8 on FP8-capable cards: TensorRT-LLM/NIM FP8, vLLM FP8); otherwise ``fp16_tflops``
  (16-bit rows, 4-bit llama.cpp/AWQ/GPTQ which dequantize to fp16 for the matmul, and FP8
  weight-only on A100, which has no FP8 tensor cores).
* ``pp`` rows (llama.cpp layer split) are sequential: each GPU holds a share of the layers and
  waits for the previous one, so one token's step time is the sum of the shares, i.e. the
  whole model read at ONE GPU's bandwidth: predicted with n_gpus = 1, no tensor-parallel term.
* ``tp`` rows use n_gpus and the tensor-parallel overhead of the card's interconnect
  (``Assumptions.tp_overhead``: nvlink/sxm/infinity-fabric/nvswitch -> nvlink figure, else pcie).
"""


import argparse
import csv
import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from openvclosed.decision.assumptions import Assumptions
from openvclosed.catalog import load_catalog
from openvclosed.engine import decode_step_s, kv_gb_per_token, prefill_tokens_per_s, weights_gb

ROOT = Path(__file__).resolve().parents[1]
CSV_PATH = ROOT / "data" / "measurements" / "throughput.csv"
JSON_PATH = ROOT / "data" / "measurements" / "calibration.json"
DOC_PATH = ROOT / "docs" / "validation.md"
PLOT_PATH = ROOT / "docs" / "validation-throughput.png"
COMMAND = "python scripts/calibrate.py --write"

DEFAULT_CONTEXT = 1024
"""KV context [tokens] assumed where a row gives no input/output lengths (flagged)."""

CHECK_TOLERANCE_PP = 1.0
"""--check fails when the validation median |error| exceeds the stored figure by more than this."""

# grids searched (inclusive); the objective is the median |log(pred/measured)| over the
# calibration rows, ties broken by the mean |log error|, then by the smaller value.
GRID_BANDWIDTH_EFF = np.round(np.arange(0.20, 1.0 + 1e-9, 0.005), 3)
GRID_DECODE_MFU = np.round(np.arange(0.02, 1.0 + 1e-9, 0.005), 3)
GRID_TP_OVERHEAD = np.round(np.arange(0.0, 0.50 + 1e-9, 0.005), 3)

FAST_INTERCONNECTS = {"nvlink", "sxm", "infinity-fabric", "nvswitch"}  # as Assumptions.tp_overhead


@dataclass
class Row:
    """One usable measurement with everything the roofline needs."""

    id: str
    gpu: str            # catalog id after alias resolution
    gpu_csv: str        # as written in the CSV
    n_gpus: int
    parallelism: str
    model: str
    params_b: float
    active_params_b: float
    kv_elements: float
    weight_bits: float
    kv_bits: float
    runtime: str
    metric: str
    batch: float
    context: float
    measured: float
    source: str
    source_detail: str
    bandwidth_gb_s: float
    tflops: float
    tflops_kind: str    # "fp8" or "fp16"
    interconnect: str
    input_tokens: float | None = None
    output_tokens: float | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def n_eff(self) -> int:
        """GPUs that share one step's work: n for tensor parallel, 1 for single and pp."""
        return self.n_gpus if self.parallelism == "tp" else 1

    @property
    def fast_link(self) -> bool:
        return self.interconnect.lower() in FAST_INTERCONNECTS

    @property
    def is_tp(self) -> bool:
        return self.n_eff > 1


def _num(s: str) -> float | None:
    s = (s or "").strip()
    return float(s) if s else None


def load_rows(csv_path: Path = CSV_PATH, catalog=None) -> tuple[list[Row], list[tuple[str, str]]]:
    """Read the CSV; return (usable rows, [(id, reason excluded)])."""
    catalog = catalog or load_catalog(include_env=False)
    usable: list[Row] = []
    excluded: list[tuple[str, str]] = []
    with open(csv_path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rid, metric = r["id"], r["metric"].strip()
            flags: list[str] = []
            if metric not in ("decode_single", "decode_aggregate"):
                excluded.append((rid, f"metric '{metric}' is not modelled"))
                continue
            batch = _num(r["batch"])
            if metric == "decode_single":
                if batch not in (None, 1.0):
                    flags.append(f"csv batch {batch:g} ignored")
                batch = 1.0
            elif batch is None:
                excluded.append((rid, "decode_aggregate without a stated batch (the scheduler's "
                                      "running batch is not published), so the roofline cannot be evaluated"))
                continue
            try:
                gpu = catalog.gpu(r["gpu"])
            except Exception as e:  # noqa: BLE001 - report, do not crash
                excluded.append((rid, f"GPU not in catalog: {e}"))
                continue
            if gpu.id != r["gpu"].strip():
                flags.append(f"gpu '{r['gpu']}' -> {gpu.id} (alias; form factor unconfirmed)")
            arch = {k: _num(r[k]) for k in ("params_b", "active_params_b", "layers", "kv_heads", "head_dim")}
            kv_elements = (2 * arch["layers"] * arch["kv_heads"] * arch["head_dim"]
                           if None not in (arch["layers"], arch["kv_heads"], arch["head_dim"]) else None)
            if None in arch.values():
                try:
                    m = catalog.model(r["model"])
                except Exception as e:  # noqa: BLE001
                    excluded.append((rid, f"architecture columns empty and model not in catalog: {e}"))
                    continue
                for k in arch:
                    if arch[k] is None:
                        arch[k] = float(getattr(m, k))
                if kv_elements is None:
                    kv_elements = float(m.kv_elements_per_token)
                flags.append("arch from catalog")
            wbits, kvbits = _num(r["weight_bits"]), _num(r["kv_bits"])
            if wbits is None:
                excluded.append((rid, "weight_bits empty"))
                continue
            if kvbits is None:
                kvbits = 16.0
                flags.append("kv_bits? (16 assumed)")
            inp, out = _num(r["input_tokens"]), _num(r["output_tokens"])
            if inp is None or out is None:
                context = float(DEFAULT_CONTEXT)
                flags.append(f"ctx? ({DEFAULT_CONTEXT} assumed)")
            else:
                context = inp + out / 2.0
            if wbits == 8 and gpu.fp8_tflops:
                tflops, kind = float(gpu.fp8_tflops), "fp8"
            else:
                tflops, kind = float(gpu.fp16_tflops), "fp16"
            parallelism = r["parallelism"].strip() or "single"
            n = int(_num(r["n_gpus"]) or 1)
            if parallelism == "pp" and n > 1:
                flags.append(f"pp x{n}: sequential, 1-GPU bandwidth")
            usable.append(Row(
                id=rid, gpu=gpu.id, gpu_csv=r["gpu"].strip(), n_gpus=n, parallelism=parallelism,
                model=r["model"].strip(), params_b=arch["params_b"], active_params_b=arch["active_params_b"],
                kv_elements=float(kv_elements), weight_bits=wbits, kv_bits=kvbits, runtime=r["runtime"].strip(),
                metric=metric, batch=batch, context=context, measured=float(r["tokens_per_s"]),
                source=r["source"].strip(), source_detail=r["source_detail"].strip(),
                bandwidth_gb_s=float(gpu.bandwidth_gb_s), tflops=tflops, tflops_kind=kind,
                interconnect=gpu.interconnect or "", input_tokens=inp, output_tokens=out, flags=flags))
    return usable, excluded


def _arrays(rows: list[Row]) -> dict[str, np.ndarray]:
    a = lambda f: np.array([f(r) for r in rows], dtype=float)  # noqa: E731
    w = weights_gb(a(lambda r: r.params_b), a(lambda r: r.weight_bits))
    kv_seq = kv_gb_per_token(a(lambda r: r.kv_elements), a(lambda r: r.kv_bits)) * a(lambda r: r.context)
    return dict(batch=a(lambda r: r.batch), weights_gb=w, active_share=a(lambda r: r.active_params_b / r.params_b),
                kv_gb_per_seq=kv_seq, active_params_b=a(lambda r: r.active_params_b), n_gpus=a(lambda r: r.n_eff),
                bandwidth_gb_s=a(lambda r: r.bandwidth_gb_s), tflops=a(lambda r: r.tflops),
                fast=np.array([r.fast_link for r in rows], dtype=bool), measured=a(lambda r: r.measured),
                input_tokens=a(lambda r: r.input_tokens if r.input_tokens is not None else 0.0),
                output_tokens=a(lambda r: r.output_tokens if r.output_tokens is not None else 1.0))


def predict(rows: list[Row], bandwidth_eff, decode_mfu, tp_overhead_pcie, tp_overhead_nvlink, *,
            e2e: bool = False, prefill_mfu: float = 0.5) -> np.ndarray:
    """Predicted tokens/s of each row (decode_single: per stream; decode_aggregate: batch / step).

    The factors may be arrays shaped ``(G, 1)`` to evaluate a grid at once (result ``(G, n_rows)``).
    ``e2e=True`` is a DIAGNOSTIC variant (not the engine's decode rate): the rate over a whole
    static-batch run, ``B x out / (B x in / prefill_rate + out x t_step)``, for sources whose figure
    includes prompt processing (rows without lengths get in = 0).
    """
    x = _arrays(rows)
    tp_o = np.where(x["fast"], np.asarray(tp_overhead_nvlink, dtype=float), np.asarray(tp_overhead_pcie, dtype=float))
    step = decode_step_s(x["batch"], x["weights_gb"], x["active_share"], x["kv_gb_per_seq"], x["active_params_b"],
                         x["n_gpus"], x["bandwidth_gb_s"], x["tflops"], bandwidth_eff, decode_mfu, tp_o)
    if not e2e:
        return x["batch"] / step
    pre = prefill_tokens_per_s(x["active_params_b"], x["n_gpus"], x["tflops"], prefill_mfu, tp_o)
    out = x["output_tokens"]
    return x["batch"] * out / (x["batch"] * x["input_tokens"] / pre + out * step)


def bound(rows: list[Row], f: dict) -> list[str]:
    """'mem' or 'cmp': which roofline term sets each row's step time at factors ``f``."""
    x = _arrays(rows)
    w_read = x["weights_gb"] * (1.0 - np.power(1.0 - x["active_share"], x["batch"]))
    t_mem = (w_read + x["batch"] * x["kv_gb_per_seq"]) / (x["n_gpus"] * x["bandwidth_gb_s"] * f["bandwidth_eff"])
    t_cmp = 2.0 * x["active_params_b"] * 1e9 * x["batch"] / (x["n_gpus"] * x["tflops"] * 1e12 * f["decode_mfu"])
    return ["cmp" if c > m else "mem" for m, c in zip(t_mem, t_cmp)]


def implied_bandwidth_eff(rows: list[Row], f: dict) -> np.ndarray:
    """Bandwidth efficiency that would make the memory term alone match the measurement."""
    x = _arrays(rows)
    tp_o = np.where(x["fast"], f["tp_overhead_nvlink"], f["tp_overhead_pcie"])
    w_read = x["weights_gb"] * (1.0 - np.power(1.0 - x["active_share"], x["batch"]))
    step_meas = x["batch"] / x["measured"]
    tpf = 1.0 + tp_o * (x["n_gpus"] - 1.0)
    return (w_read + x["batch"] * x["kv_gb_per_seq"]) * tpf / (x["n_gpus"] * x["bandwidth_gb_s"] * step_meas)


def log_err(pred, measured) -> np.ndarray:
    return np.abs(np.log(np.asarray(pred) / np.asarray(measured)))


def pct_err(pred, measured) -> np.ndarray:
    return (np.asarray(pred) / np.asarray(measured) - 1.0) * 100.0


def split(rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """Deterministic halves: stratify by (metric, single-GPU vs tensor-parallel), sort by id,
    alternate (1st, 3rd, ... -> calibration; 2nd, 4th, ... -> validation)."""
    cal, val = [], []
    strata: dict[tuple[str, bool], list[Row]] = {}
    for r in rows:
        strata.setdefault((r.metric, r.is_tp), []).append(r)
    for key in sorted(strata):
        for i, r in enumerate(sorted(strata[key], key=lambda r: r.id)):
            (cal if i % 2 == 0 else val).append(r)
    return sorted(cal, key=lambda r: r.id), sorted(val, key=lambda r: r.id)


def _grid_best(rows: list[Row], grid: np.ndarray, make_factors, e2e: bool = False) -> tuple[float, float, tuple[float, float]]:
    """Best grid value for one factor: (value, median |log err|, (lo, hi) of values with that median)."""
    meas = np.array([r.measured for r in rows])
    g = grid.reshape(-1, 1)
    le = log_err(predict(rows, **make_factors(g), e2e=e2e), meas)
    med = np.round(np.median(le, axis=1), 12)
    mean = np.round(np.mean(le, axis=1), 12)
    order = np.lexsort((grid, mean, med))  # primary: median, then mean, then smaller value
    best = order[0]
    ties = grid[np.isclose(med, med[best], rtol=0, atol=1e-9)]
    return float(grid[best]), float(med[best]), (float(ties.min()), float(ties.max()))


def fit(cal: list[Row], defaults: Assumptions | None = None, e2e: bool = False) -> tuple[dict, dict]:
    """Staged grid search on the calibration rows; returns (factors, fit notes)."""
    d = defaults or Assumptions()
    f = dict(bandwidth_eff=d.bandwidth_eff, decode_mfu=d.decode_mfu,
             tp_overhead_pcie=d.tp_overhead_pcie, tp_overhead_nvlink=d.tp_overhead_nvlink)
    notes: dict[str, dict] = {}

    # 1. bandwidth_eff from single-stream rows on one GPU (or pp = sequential, one GPU's bandwidth)
    s1 = [r for r in cal if r.metric == "decode_single" and not r.is_tp]
    v, m, ties = _grid_best(s1, GRID_BANDWIDTH_EFF, lambda g: {**f, "bandwidth_eff": g}, e2e)
    f["bandwidth_eff"] = v
    notes["bandwidth_eff"] = dict(rows=len(s1), median_abs_log=m, ties=ties, fitted=True,
                                  on="decode_single rows, 1 GPU or pp")

    # 2. tensor-parallel overhead per interconnect from multi-GPU tp single-stream rows
    for key, fast in (("tp_overhead_nvlink", True), ("tp_overhead_pcie", False)):
        s2 = [r for r in cal if r.is_tp and r.fast_link == fast and r.metric == "decode_single"]
        if len(s2) >= 2:
            v, m, ties = _grid_best(s2, GRID_TP_OVERHEAD, lambda g, key=key: {**f, key: g}, e2e)
            f[key] = v
            notes[key] = dict(rows=len(s2), median_abs_log=m, ties=ties, fitted=True,
                              on="decode_single tensor-parallel rows")
        else:
            notes[key] = dict(rows=len(s2), fitted=False,
                              on=f"kept at the default: {len(s2)} calibration row(s) (need >= 2)")

    # 3. decode_mfu from aggregate (batched) rows, the other factors fixed
    s3 = [r for r in cal if r.metric == "decode_aggregate"]
    v, m, ties = _grid_best(s3, GRID_DECODE_MFU, lambda g: {**f, "decode_mfu": g}, e2e)
    f["decode_mfu"] = v
    notes["decode_mfu"] = dict(rows=len(s3), median_abs_log=m, ties=ties, fitted=True,
                               on="decode_aggregate rows")
    return f, notes


def _stats(rows: list[Row], f: dict, e2e: bool = False) -> dict:
    if not rows:
        return dict(n=0, median_abs_pct=float("nan"), worst_abs_pct=float("nan"), worst_id=None)
    e = np.abs(pct_err(predict(rows, **f, e2e=e2e), [r.measured for r in rows]))
    i = int(np.argmax(e))
    return dict(n=len(rows), median_abs_pct=float(np.median(e)), worst_abs_pct=float(e[i]), worst_id=rows[i].id)


def _fixed_overhead_diagnostic(cal: list[Row], val: list[Row], f: dict) -> dict:
    """NOT part of the engine: would a fixed per-step time t0 explain the batch-1 misses?

    t_step = roofline + t0, with t0 (grid 0-10 ms) and bandwidth_eff fitted jointly on the
    calibration decode_single rows; scored on the validation decode_single rows."""
    s_cal = [r for r in cal if r.metric == "decode_single"]
    s_val = [r for r in val if r.metric == "decode_single"]

    def pred(rows, bw, t0):
        x = _arrays(rows)
        return x["batch"] / (x["batch"] / predict(rows, **{**f, "bandwidth_eff": bw}) + t0)

    best = None
    for bw in np.round(np.arange(0.30, 1.0 + 1e-9, 0.01), 2):
        for t0 in np.round(np.arange(0.0, 0.0100001, 0.0001), 4):
            med = float(np.median(log_err(pred(s_cal, bw, t0), [r.measured for r in s_cal])))
            if best is None or med < best[0] - 1e-12:
                best = (med, bw, t0)
    _, bw, t0 = best
    med = lambda rows, p: float(np.median(np.abs(pct_err(p, [r.measured for r in rows]))))  # noqa: E731
    return dict(t0_ms=t0 * 1e3, bandwidth_eff=bw, cal_median_abs_pct=med(s_cal, pred(s_cal, bw, t0)),
                val_median_abs_pct=med(s_val, pred(s_val, bw, t0)),
                val_median_abs_pct_without=med(s_val, predict(s_val, **f)))


FAST_MEMORY_GB_S = 1500.0
"""Diagnostic split of GPUs by peak bandwidth: below = GDDR cards (RTX 3090/4090, L40S), above = HBM."""


def _bandwidth_class_diagnostic(cal: list[Row], val: list[Row], f: dict) -> dict:
    """NOT part of the engine: one bandwidth_eff per memory class (GDDR < 1.5 TB/s <= HBM),
    each fitted on the calibration decode_single rows of its class, scored on validation."""
    out = {}
    fitted = {}
    for label, hbm in (("gddr", False), ("hbm", True)):
        rows = [r for r in cal if r.metric == "decode_single" and (r.bandwidth_gb_s >= FAST_MEMORY_GB_S) == hbm]
        v, _, _ = _grid_best(rows, GRID_BANDWIDTH_EFF, lambda g: {**f, "bandwidth_eff": g})
        fitted[hbm] = v
        out[f"bandwidth_eff_{label}"] = v
        out[f"n_cal_{label}"] = len(rows)
    s_val = [r for r in val if r.metric == "decode_single"]
    x = _arrays(s_val)
    be = np.where(x["bandwidth_gb_s"] >= FAST_MEMORY_GB_S, fitted[True], fitted[False])
    p = predict(s_val, **{**f, "bandwidth_eff": be})
    e = np.abs(pct_err(p, x["measured"]))
    out["val_median_abs_pct"] = float(np.median(e))
    out["val_worst_abs_pct"] = float(np.max(e))
    out["val_median_abs_pct_without"] = float(np.median(np.abs(pct_err(predict(s_val, **f), x["measured"]))))
    return out


def _e2e_diagnostic(cal: list[Row], val: list[Row], d: Assumptions) -> dict:
    """NOT part of the engine: refit with prefill time included in the predicted rate
    (``predict(..., e2e=True)``, prefill at the default prefill_mfu)."""
    f, notes = fit(cal, d, e2e=True)
    agg = lambda rows: [r for r in rows if r.metric == "decode_aggregate"]  # noqa: E731
    return dict(factors=f, notes=notes, prefill_mfu=d.prefill_mfu, cal=_stats(cal, f, True),
                val=_stats(val, f, True), val_agg=_stats(agg(val), f, True), cal_agg=_stats(agg(cal), f, True))


def _classes(rows: list[Row], f: dict) -> list[tuple[str, int, float, float]]:
    """(class, n, median signed % error, median implied bandwidth_eff) over all usable rows."""
    pe = pct_err(predict(rows, **f), [r.measured for r in rows])
    ib = implied_bandwidth_eff(rows, f)
    size = lambda r: "<=10B" if r.params_b <= 10 else ("10-40B" if r.params_b <= 40 else ">40B")  # noqa: E731
    bits = lambda r: "4-5 bit" if r.weight_bits < 8 else ("8 bit" if r.weight_bits == 8 else "16 bit")  # noqa: E731
    rt = lambda r: r.runtime.split()[0]  # noqa: E731
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        for label in (f"metric={r.metric}", f"runtime={rt(r)}", f"weights={bits(r)}", f"model size {size(r)}",
                      f"{r.metric}, {size(r)}", f"{r.metric}, {rt(r)}, {bits(r)}",
                      "parallelism=" + ("tp" if r.is_tp else ("pp" if r.parallelism == "pp" else "1 GPU")),
                      f"peak bandwidth {'>=' if r.bandwidth_gb_s >= FAST_MEMORY_GB_S else '<'} 1.5 TB/s",
                      f"{r.metric}, peak bandwidth {'>=' if r.bandwidth_gb_s >= FAST_MEMORY_GB_S else '<'} 1.5 TB/s"):
            groups.setdefault(label, []).append(i)
    out = [(k, len(v), float(np.median(pe[v])), float(np.median(ib[v]))) for k, v in groups.items()]
    return sorted(out, key=lambda t: t[0])


def run(csv_path: Path = CSV_PATH) -> dict:
    """Whole calibration; returns a dict with everything printed or written."""
    catalog = load_catalog(include_env=False)
    rows, excluded = load_rows(csv_path, catalog)
    cal, val = split(rows)
    d = Assumptions()
    defaults = dict(bandwidth_eff=d.bandwidth_eff, decode_mfu=d.decode_mfu,
                    tp_overhead_pcie=d.tp_overhead_pcie, tp_overhead_nvlink=d.tp_overhead_nvlink)
    f, notes = fit(cal, d)
    res = dict(rows=rows, excluded=excluded, cal=cal, val=val, factors=f, defaults=defaults, notes=notes,
               cal_stats=_stats(cal, f), val_stats=_stats(val, f),
               val_stats_defaults=_stats(val, defaults), cal_stats_defaults=_stats(cal, defaults),
               by_metric={(name, m): _stats([r for r in rs if r.metric == m], f)
                          for name, rs in (("calibration", cal), ("validation", val))
                          for m in ("decode_single", "decode_aggregate")},
               classes=_classes(rows, f), overhead=_fixed_overhead_diagnostic(cal, val, f),
               bwclass=_bandwidth_class_diagnostic(cal, val, f), e2e=_e2e_diagnostic(cal, val, d),
               generated=dt.date.today().isoformat())
    return res


def summary(res: dict) -> dict:
    f, v = res["factors"], res["val_stats"]
    return {"bandwidth_eff": f["bandwidth_eff"], "decode_mfu": f["decode_mfu"],
            "tp_overhead_pcie": f["tp_overhead_pcie"], "tp_overhead_nvlink": f["tp_overhead_nvlink"],
            "validation_median_abs_pct_error": round(v["median_abs_pct"], 2),
            "validation_worst_abs_pct_error": round(v["worst_abs_pct"], 2),
            "n_calibration": len(res["cal"]), "n_validation": len(res["val"]),
            "generated": res["generated"]}


# ----------------------------------------------------------------------------- output

def _table_rows(rows: list[Row], f: dict) -> list[dict]:
    pred = predict(rows, **f)
    ib = implied_bandwidth_eff(rows, f)
    bd = bound(rows, f)
    out = []
    for r, p, b, i in zip(rows, pred, bd, ib):
        out.append(dict(row=r, gpu=f"{r.gpu}" + (f" x{r.n_gpus} {r.parallelism}" if r.n_gpus > 1 else ""),
                        bits=f"{r.weight_bits:g}/{r.kv_bits:g}", batch=f"{r.batch:g}", ctx=f"{r.context:g}",
                        measured=r.measured, predicted=float(p), err=float(pct_err(p, r.measured)),
                        bound=b, implied=float(i), tflops=r.tflops_kind))
    return out


def _fmt_num(x: float) -> str:
    return f"{x:,.0f}" if x >= 1000 else (f"{x:.1f}" if x >= 10 else f"{x:.2f}")


def render_text(res: dict) -> str:
    f, d, n = res["factors"], res["defaults"], res["notes"]
    L = []
    L.append(f"usable rows: {len(res['rows'])} (calibration {len(res['cal'])}, validation {len(res['val'])}); "
             f"excluded: {len(res['excluded'])}")
    L.append("fitted factors (default -> fitted):")
    for k in ("bandwidth_eff", "decode_mfu", "tp_overhead_nvlink", "tp_overhead_pcie"):
        note = n[k]
        how = (f"fitted on {note['rows']} {note['on']}, equal-median range {note['ties'][0]:g}-{note['ties'][1]:g}"
               if note["fitted"] else note["on"])
        L.append(f"  {k:20s} {d[k]:.3f} -> {f[k]:.3f}   ({how})")
    for name in ("cal", "val"):
        s, s0 = res[f"{name}_stats"], res[f"{name}_stats_defaults"]
        L.append(f"{'calibration' if name == 'cal' else 'validation':11s}: median |err| {s['median_abs_pct']:.1f}% "
                 f"worst {s['worst_abs_pct']:.1f}% ({s['worst_id']}); with the shipped defaults "
                 f"{s0['median_abs_pct']:.1f}% / {s0['worst_abs_pct']:.1f}%")
    for (name, m), s in res["by_metric"].items():
        if s["n"]:
            L.append(f"  {name:11s} {m:16s} n={s['n']:2d} median |err| {s['median_abs_pct']:.1f}% "
                     f"worst {s['worst_abs_pct']:.1f}%")
    L.append("")
    L.append("VALIDATION rows (error = predicted / measured - 1):")
    hdr = f"{'id':36s} {'gpu':22s} {'model':15s} {'bits':7s} {'batch':>5s} {'ctx':>6s} {'meas':>8s} {'pred':>8s} {'err%':>7s}  bound impl.bw flags"
    L.append(hdr)
    L.append("-" * len(hdr))
    for t in _table_rows(res["val"], f):
        r = t["row"]
        L.append(f"{r.id:36s} {t['gpu']:22s} {r.model:15s} {t['bits']:7s} {t['batch']:>5s} {t['ctx']:>6s} "
                 f"{_fmt_num(t['measured']):>8s} {_fmt_num(t['predicted']):>8s} {t['err']:+7.1f}  "
                 f"{t['bound']:5s} {t['implied']:6.2f}  {'; '.join(r.flags)}")
    L.append("")
    L.append("class diagnostics over all usable rows (median signed error, median implied bandwidth_eff):")
    for k, cnt, med, ib in res["classes"]:
        L.append(f"  {k:50s} n={cnt:2d} {med:+7.1f}%  impl.bw {ib:.2f}")
    o = res["overhead"]
    L.append(f"diagnostic (not in the engine): roofline + fixed {o['t0_ms']:.1f} ms/step with bandwidth_eff "
             f"{o['bandwidth_eff']:.2f} -> decode_single validation median |err| {o['val_median_abs_pct']:.1f}% "
             f"(pure roofline: {o['val_median_abs_pct_without']:.1f}%)")
    b = res["bwclass"]
    L.append(f"diagnostic (not in the engine): bandwidth_eff per memory class GDDR {b['bandwidth_eff_gddr']:.3f} "
             f"(n={b['n_cal_gddr']}) / HBM {b['bandwidth_eff_hbm']:.3f} (n={b['n_cal_hbm']}) -> decode_single "
             f"validation median |err| {b['val_median_abs_pct']:.1f}% (one value: {b['val_median_abs_pct_without']:.1f}%)")
    e = res["e2e"]
    ef = e["factors"]
    L.append(f"diagnostic (not in the engine): prefill-inclusive refit (prefill_mfu {e['prefill_mfu']:g}) -> "
             f"bandwidth_eff {ef['bandwidth_eff']:.3f}, decode_mfu {ef['decode_mfu']:.3f} (equal-median range "
             f"{e['notes']['decode_mfu']['ties'][0]:g}-{e['notes']['decode_mfu']['ties'][1]:g}), tp_overhead_nvlink "
             f"{ef['tp_overhead_nvlink']:.3f}; validation median |err| {e['val']['median_abs_pct']:.1f}% worst "
             f"{e['val']['worst_abs_pct']:.1f}% ({e['val']['worst_id']}); validation aggregate rows median "
             f"{e['val_agg']['median_abs_pct']:.1f}%")
    L.append("excluded rows:")
    for rid, why in res["excluded"]:
        L.append(f"  {rid}: {why}")
    return "\n".join(L)


def _md_escape(s: str) -> str:
    return s.replace("|", "\\|")


def _md_table(rows: list[Row], f: dict) -> list[str]:
    L = ["| id | GPU | model | bits w/kv | peak | batch | ctx | measured tok/s | predicted tok/s | error % | bound | implied bw_eff | flags |",
         "|---|---|---|---|---|---:|---:|---:|---:|---:|---|---:|---|"]
    for t in _table_rows(rows, f):
        r = t["row"]
        L.append(f"| [{r.id}]({r.source}) | {t['gpu']} | {r.model} | {t['bits']} | {t['tflops']} | {t['batch']} | "
                 f"{t['ctx']} | {_fmt_num(t['measured'])} | {_fmt_num(t['predicted'])} | {t['err']:+.1f} | "
                 f"{t['bound']} | {t['implied']:.2f} | {_md_escape('; '.join(r.flags))} |")
    return L


def render_markdown(res: dict) -> str:
    f, d, n = res["factors"], res["defaults"], res["notes"]
    cs, vs = res["cal_stats"], res["val_stats"]
    o = res["overhead"]
    L = [
        "# Validation of the roofline decode model",
        "",
        f"<!-- GENERATED FILE: do not edit by hand. Regenerate with `{COMMAND}` "
        f"(last run {res['generated']}). -->",
        "",
        f"> This page is generated by `scripts/calibrate.py`; regenerate it with `{COMMAND}`, "
        "which also rewrites `data/measurements/calibration.json`. "
        "`python scripts/calibrate.py --check` fails if the validation error has drifted by more than "
        f"{CHECK_TOLERANCE_PP:g} percentage point from that file.",
        "",
        "## Method",
        "",
        "Each row of `data/measurements/throughput.csv` is one published decode rate. The script predicts it "
        "with the engine's own functions (`openvclosed.engine.decode_step_s`, `weights_gb`, `kv_gb_per_token`) "
        "and the catalog GPU's peak figures (`data/gpus.yaml`):",
        "",
        "```",
        "t_mem  = (W x (1-(1-active_share)^B) + B x kv_seq) / (n x bandwidth x bandwidth_eff)",
        "t_cmp  = 2 x active_params x B / (n x tflops x decode_mfu)",
        "t_step = max(t_mem, t_cmp) x (1 + tp_overhead x (n - 1))",
        "decode_single    -> predicted = 1 / t_step at B = 1",
        "decode_aggregate -> predicted = B / t_step at the stated batch B",
        "```",
        "",
        "* **Weights** `W = params x weight_bits / 8` with the CSV's effective bits (e.g. 4.85 for llama.cpp "
        "Q4_K_M, 4.5 for Q4_0, 4.25 for AWQ/GPTQ). **KV** per sequence = `kv_gb_per_token(2 x layers x kv_heads x "
        "head_dim, kv_bits) x context`.",
        f"* **Context** per sequence = `input_tokens + output_tokens / 2` (mean cache length while decoding); "
        f"where the source gives no lengths, {DEFAULT_CONTEXT} tokens are assumed and the row is flagged `ctx?`.",
        "* **Architecture** comes from the CSV; empty columns would be filled from `catalog.model(id)` "
        "(flagged `arch from catalog`).",
        "* **GPU**: `catalog.gpu(name)`; the CSV's `h100` (form factor not confirmed by the source) resolves "
        "through the alias to `h100-sxm` and is flagged.",
        "* **Peak compute rule**: `fp8_tflops` when `weight_bits == 8` and the card has an FP8 figure "
        "(every 8-bit row here is an FP8 checkpoint run by TensorRT-LLM/NIM or vLLM, which compute in FP8 on "
        "FP8 cards); otherwise `fp16_tflops` (16-bit rows; 4-bit llama.cpp/AWQ/GPTQ rows, which dequantize to "
        "fp16 for the matmuls; FP8 weight-only on A100, which has no FP8 tensor cores). Column `peak`.",
        "* **Multi-GPU pipeline rows (`pp`, llama.cpp layer split)** are modelled as sequential: each GPU holds "
        "a share of the layers and a token passes through them one after another, so the step time is the sum "
        "of each GPU's share, i.e. the whole model read at ONE GPU's bandwidth (`n = 1`, no tensor-parallel "
        "term, no speed-up from the extra cards; the small hop between cards is ignored).",
        "* **Tensor-parallel rows (`tp`)** use `n` GPUs and the overhead of the card's interconnect "
        "(nvlink/sxm/infinity-fabric/nvswitch -> `tp_overhead_nvlink`, otherwise `tp_overhead_pcie`), as "
        "`Assumptions.tp_overhead` does.",
        "* **Split**: usable rows are stratified by (metric, tensor-parallel or not), sorted by id within each "
        "stratum and alternated: 1st, 3rd, ... -> calibration; 2nd, 4th, ... -> validation.",
        "* **Fit** (calibration half only), a staged grid search minimising the median `|log(predicted / "
        "measured)|` (ties broken by the mean, then by the smaller value):",
        "  1. `bandwidth_eff` (grid 0.20-1.00, step 0.005) on the `decode_single` rows on one GPU or `pp` "
        "(batch 1 is memory-bound);",
        "  2. `tp_overhead_nvlink` / `tp_overhead_pcie` (grid 0-0.5, step 0.005) on the `decode_single` "
        "tensor-parallel rows of that interconnect, if there are at least 2, else the default is kept;",
        "  3. `decode_mfu` (grid 0.02-1.00, step 0.005) on the `decode_aggregate` rows.",
        "* **Error** reported = `predicted / measured - 1` in %, so positive = the model is optimistic.",
        "* `implied bw_eff` = the bandwidth efficiency at which the memory term alone would reproduce the "
        "measurement (with the fitted tp overhead) - a per-row reading of how far the hardware got from peak.",
        "",
        "## Fitted factors",
        "",
        "| factor | shipped default | fitted | calibration rows | median &#124;log err&#124; | values giving the same median |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for k in ("bandwidth_eff", "decode_mfu", "tp_overhead_nvlink", "tp_overhead_pcie"):
        note = n[k]
        if note["fitted"]:
            L.append(f"| `{k}` | {d[k]:.3f} | **{f[k]:.3f}** | {note['rows']} ({note['on']}) | "
                     f"{note['median_abs_log']:.3f} | {note['ties'][0]:g} - {note['ties'][1]:g} |")
        else:
            L.append(f"| `{k}` | {d[k]:.3f} | {f[k]:.3f} (not fitted) | {note['rows']} | - | {note['on']} |")
    agg_bounds = bound([r for r in res["rows"] if r.metric == "decode_aggregate"], f)
    n_cmp = agg_bounds.count("cmp")
    L += [
        "",
        f"Of the {len(agg_bounds)} usable `decode_aggregate` rows, {n_cmp} are compute-bound at the fitted "
        "factors (column `bound`); on memory-bound rows `decode_mfu` has no effect, so its fitted value rests "
        f"on {n_cmp} row(s) and the range above shows how loosely it is pinned down.",
        "",
        "## Errors",
        "",
        "| set | rows | median &#124;error&#124; | worst &#124;error&#124; | worst row | same set, shipped defaults (median / worst) |",
        "|---|---:|---:|---:|---|---|",
        f"| calibration | {cs['n']} | {cs['median_abs_pct']:.1f}% | {cs['worst_abs_pct']:.1f}% | {cs['worst_id']} | "
        f"{res['cal_stats_defaults']['median_abs_pct']:.1f}% / {res['cal_stats_defaults']['worst_abs_pct']:.1f}% |",
        f"| **validation** | {vs['n']} | **{vs['median_abs_pct']:.1f}%** | **{vs['worst_abs_pct']:.1f}%** | "
        f"{vs['worst_id']} | {res['val_stats_defaults']['median_abs_pct']:.1f}% / "
        f"{res['val_stats_defaults']['worst_abs_pct']:.1f}% |",
    ]
    for (name, m), s in res["by_metric"].items():
        if s["n"]:
            L.append(f"| {name}, {m} | {s['n']} | {s['median_abs_pct']:.1f}% | {s['worst_abs_pct']:.1f}% | "
                     f"{s['worst_id']} | |")
    L += ["", "## Predicted vs measured", "",
          "![predicted vs measured decode tokens/s, log-log, calibration and validation halves]"
          "(validation-throughput.png)", "",
          "Log-log scatter of every usable row (filled: validation half; open: calibration half; circles: "
          "single stream; squares: batched), with the 1:1 line and the +-50% band. Drawn by the same "
          "`--write` run when matplotlib is installed (`pip install \".[plot]\"`).", ""]
    L += ["", "## Validation rows", "", "Each id links to its source (see the CSV's `source_detail` for the exact "
          "table and row).", ""]
    L += _md_table(res["val"], f)
    L += ["", "## Calibration rows", "", "Shown with the fitted factors (in-sample).", ""]
    L += _md_table(res["cal"], f)
    L += ["", "## Where the roofline misses", "",
          "Median signed error (positive = model too optimistic) and median implied bandwidth efficiency by "
          "class, over all usable rows (calibration + validation) at the fitted factors:", "",
          "| class | rows | median error % | median implied bw_eff |", "|---|---:|---:|---:|"]
    for k, cnt, med, ib in res["classes"]:
        L.append(f"| {k} | {cnt} | {med:+.1f} | {ib:.2f} |")
    L += ["", f"Fixed per-step overhead check (diagnostic only, not in the engine): adding a constant "
          f"`t0` to every step, fitted jointly with bandwidth_eff on the calibration `decode_single` rows, gives "
          f"t0 = {o['t0_ms']:.1f} ms with bandwidth_eff = {o['bandwidth_eff']:.2f}; validation `decode_single` "
          f"median |error| {o['val_median_abs_pct']:.1f}% vs {o['val_median_abs_pct_without']:.1f}% for the pure "
          f"roofline.", ""]
    b, e = res["bwclass"], res["e2e"]
    ef = e["factors"]
    L += [f"Bandwidth efficiency per memory class (diagnostic only): fitting one `bandwidth_eff` for GPUs below "
          f"{FAST_MEMORY_GB_S / 1000:g} TB/s peak (GDDR: RTX 3090/4090, L40S) and one for the HBM cards on the "
          f"calibration `decode_single` rows gives {b['bandwidth_eff_gddr']:.3f} (n={b['n_cal_gddr']}) and "
          f"{b['bandwidth_eff_hbm']:.3f} (n={b['n_cal_hbm']}); validation `decode_single` median |error| "
          f"{b['val_median_abs_pct']:.1f}% (worst {b['val_worst_abs_pct']:.1f}%) vs "
          f"{b['val_median_abs_pct_without']:.1f}% with the single fitted value.", "",
          f"Prefill-inclusive refit (diagnostic only): several sources time the whole run, prompt processing "
          f"included. Predicting `B x out / (B x in / prefill_rate + out x t_step)` (engine "
          f"`prefill_tokens_per_s` at the default prefill_mfu {e['prefill_mfu']:g}) and refitting the same way gives "
          f"bandwidth_eff {ef['bandwidth_eff']:.3f}, decode_mfu {ef['decode_mfu']:.3f} (any value in "
          f"{e['notes']['decode_mfu']['ties'][0]:g}-{e['notes']['decode_mfu']['ties'][1]:g} gives the same calibration "
          f"median, i.e. the aggregate rows no longer pin it down), tp_overhead_nvlink {ef['tp_overhead_nvlink']:.3f}; "
          f"validation median |error| {e['val']['median_abs_pct']:.1f}% (worst {e['val']['worst_abs_pct']:.1f}%, "
          f"{e['val']['worst_id']}), aggregate validation rows {e['val_agg']['median_abs_pct']:.1f}%.", ""]
    L += DIAGNOSIS_MD(res)
    L += ["", "### Reading", "", READING]
    L += ["", "## Excluded rows", "", "| id | reason |", "|---|---|"]
    for rid, why in res["excluded"]:
        L.append(f"| {rid} | {_md_escape(why)} |")
    L += ["", "## Reproduce", "", "```", "python scripts/calibrate.py          # print only",
          f"{COMMAND}  # regenerate this page and data/measurements/calibration.json",
          "python scripts/calibrate.py --check  # CI: fail on > 1 pp drift of the validation median",
          "```", ""]
    return "\n".join(L)


def DIAGNOSIS_MD(res: dict) -> list[str]:  # noqa: N802 - a section builder
    """Plain-language reading of the numbers (computed, so it stays true when the data change)."""
    f = res["factors"]
    rows = res["rows"]
    pe = pct_err(predict(rows, **f), [r.measured for r in rows])
    worst = sorted(zip(rows, pe), key=lambda t: -abs(t[1]))[:6]
    L = ["### Worst rows (all usable rows)", ""]
    for r, e in worst:
        L.append(f"* `{r.id}` ({r.runtime}, {r.gpu}, {r.model}, {r.weight_bits:g}-bit, batch {r.batch:g}): "
                 f"{e:+.0f}% ([source]({r.source}))")
    return L


READING = """\
Written against the numbers above (2026-11-25); re-read it when the CSV changes.

* **Batch 1 is not one efficiency.** The implied bandwidth efficiency of single-stream rows runs from
  about 0.3 to 0.9. GDDR cards (RTX 3090/4090, L40S: < 1.5 TB/s) reach 0.6-0.9 of peak, so the single
  fitted value under-predicts them by roughly 30% (16-bit llama.cpp rows and the `pp` rows are the
  largest misses in that direction); HBM cards (A100, H100, MI300X) reach about 0.5, and much less when
  the step is short: small 4-bit models at batch 1 on A100/H100 (llama.cpp Q4_K_M 8B, vLLM AWQ/GPTQ 7B)
  reach only 0.30-0.36 and are over-predicted by 54-84%. That is the signature of per-step costs that do
  not scale with bytes (kernel launches, dequantisation, sampling) - but a single fixed overhead per step
  does not fix it across this set (the fixed-t0 check above makes validation worse), because the 16-bit
  GDDR rows point the other way. Treat batch-1 predictions for small quantized models on HBM cards as
  optimistic by up to ~2x.
* **What ships** (`src/openvclosed/assumptions.py`): the fitted `bandwidth_eff` 0.55 (what batch 1
  reaches), but `decode_mfu` 0.40 and `tp_overhead_nvlink` 0.05 stay named assumptions, because the
  fitted 0.135 / 0.0 absorb prompt time and bandwidth loss in 3-4 whole-run rows. The "shipped
  defaults" column above shows that this set validates at least as well as the fitted one.
* **decode_mfu is weakly determined.** Most usable aggregate rows are memory-bound at the fitted
  factors, and the three that are not (the two static-batch 128/128 TensorRT-LLM runs and the MI300X
  batch-64 run) are whole-run figures that include prompt processing, so the fitted decode_mfu
  absorbs prefill time and comes out low (0.135; 0.10-0.185 fit the calibration rows equally). With prefill modelled
  (diagnostic above) the same rows no longer constrain it. Aggregate rows are the weakest part of the
  validation: 7 usable rows, 3 in validation.
* **Batched TensorRT-LLM reads memory more efficiently than batch 1** (implied 0.74-0.78 on the
  128/2048 rows), so memory-bound aggregate rows are under-predicted by 25-30% with the batch-1 value.
* **MI300X + vLLM (ROCm, Oct 2024) is slow** against its 5.3 TB/s x 8 peak: implied efficiency
  0.34 at batch 1 and 0.18 at batch 64 (both including prefill); it is the worst validation row.
* **Tensor parallel**: two of the three calibration TP rows (NIM 2xH100, Qwen 4xA100) imply ~0.56, the
  fitted batch-1 value, so the fit finds no per-GPU overhead beyond what bandwidth_eff already
  absorbs (the third, MI300X, is slow for other reasons). Three rows cannot separate the two; read
  0.0 as "not measurable here", not as "free". There are no PCIe tensor-parallel rows, so
  tp_overhead_pcie is the unfitted default.
* **Pipeline rows** (`pp`, llama.cpp layer split over 2-8 consumer GPUs) imply 0.76-0.91 of ONE GPU's
  bandwidth, consistent with the sequential model (no speed-up from more cards, small hop cost).
* **MoE**: no MoE rows in the CSV, so the MoE weight-read term is not validated at all.
* **Not tuned to look better**: no row is excluded for fitting badly; the only exclusions are aggregate
  rows whose batch is not published.
"""


def write_plot(res: dict, path: Path) -> bool:
    """Predicted vs measured, log-log, both halves; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    f = res["factors"]
    fig, ax = plt.subplots(figsize=(6.5, 6), dpi=110)
    lo, hi = 1e9, 0.0
    for rows, filled, label in ((res["cal"], False, "calibration"), (res["val"], True, "validation")):
        pred = predict(rows, **f)
        for metric, marker in (("decode_single", "o"), ("decode_aggregate", "s")):
            idx = [i for i, r in enumerate(rows) if r.metric == metric]
            if not idx:
                continue
            x = [rows[i].measured for i in idx]
            y = [float(pred[i]) for i in idx]
            lo, hi = min(lo, *x, *y), max(hi, *x, *y)
            ax.scatter(x, y, marker=marker, s=36, facecolors="C0" if filled else "none",
                       edgecolors="C0" if metric == "decode_single" else "C3",
                       label=f"{label}, {metric.replace('decode_', '')}")
    line = [lo * 0.8, hi * 1.25]
    ax.plot(line, line, "k-", lw=1, label="predicted = measured")
    ax.fill_between(line, [v / 1.5 for v in line], [v * 1.5 for v in line], color="0.85", zorder=0, label="+-50%")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("measured decode tokens/s (published)")
    ax.set_ylabel("predicted decode tokens/s (ovc roofline)")
    vs = res["val_stats"]
    ax.set_title(f"ovc roofline vs {len(res['cal']) + len(res['val'])} published measurements\n"
                 f"validation median |error| {vs['median_abs_pct']:.1f}%", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def check(res: dict, json_path: Path = JSON_PATH) -> tuple[bool, str]:
    if not json_path.exists():
        return False, f"{json_path} not found; run `{COMMAND}` first"
    stored = json.loads(json_path.read_text(encoding="utf-8"))["validation_median_abs_pct_error"]
    now = res["val_stats"]["median_abs_pct"]
    ok = now <= stored + CHECK_TOLERANCE_PP
    return ok, (f"validation median |error| {now:.2f}% vs stored {stored:.2f}% "
                f"(limit {stored + CHECK_TOLERANCE_PP:.2f}%): {'OK' if ok else 'FAIL'}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--write", action="store_true", help="regenerate docs/validation.md and calibration.json")
    p.add_argument("--check", action="store_true",
                   help=f"exit 1 if the validation median error exceeds calibration.json by > {CHECK_TOLERANCE_PP:g} pp")
    a = p.parse_args(argv)
    res = run()
    print(render_text(res))
    print()
    print(json.dumps(summary(res), indent=2))
    rc = 0
    if a.check:
        ok, msg = check(res)
        print(msg)
        rc = 0 if ok else 1
    if a.write:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(render_markdown(res), encoding="utf-8")
        JSON_PATH.write_text(json.dumps(summary(res), indent=2) + "\n", encoding="utf-8")
        if write_plot(res, PLOT_PATH):
            print(f"wrote {PLOT_PATH.relative_to(ROOT)}")
        else:
            print("matplotlib not installed: plot not redrawn (pip install '.[plot]')")
        print(f"wrote {DOC_PATH.relative_to(ROOT)} and {JSON_PATH.relative_to(ROOT)}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
