"""Calibrate the serving-engine profiles on published benchmarks, held out by document family.

``python -m openvclosed.decision.validate_report`` prints the report; ``--write`` also writes
``data/measurements/calibration.json`` (the fitted profiles the product uses) and
``docs/validation.md`` (with the predicted-vs-measured plot when matplotlib is installed).

Every published row becomes the ``ovc fit`` arguments a user would type to describe the same
benchmark (:func:`fit_args`: model, ``NxGPU``, engine, precision, KV bits, ``--tp``,
``--concurrency``, ``--input-tokens``, ``--output-tokens``); the predicted figure is
``rows[0].serving.output_tokens_per_s`` of that command. The fit itself evaluates the same
inputs vectorized (:func:`openvclosed.decision.fit.fit_inputs`, the function the command builds
them with), and the report runs the command itself on every row (decision/validate_report.py),
checking that both agree.

Rows are grouped by *document family* (:func:`family`: one GitHub repository, or one blog, at
any commit). Each family is held out in turn: the profiles are fitted on every other family and
predict the held-out one. Held-out statistics weight rows so that no family is more than
:data:`FAMILY_CAP` of them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from openvclosed.catalog import Catalog
from openvclosed.catalog.measurements import ENGINE_OF, GPU_STAND_INS, MODEL_STAND_INS, Measurement
from openvclosed.decision.assumptions import Assumptions
from openvclosed.decision.designs import native_label
from openvclosed.decision.fit import Serving, fit_inputs
from openvclosed.engine.design import TP_CANDIDATES, DesignInputs, selfhost_design
from openvclosed.engine.profiles import PROFILE_KEYS, profile_key, starting_point
from openvclosed.errors import UnknownNameError

__all__ = ["bounds", "KEY_BOUNDS", "LINK_KINDS", "LINK_BOUNDS", "fit_links", "link_info", "start_links", "with_links", "Case", "prepare", "fit_args", "family", "stack", "predict", "fit_engine", "evaluate", "cross_validate",
           "family_weights", "FITTED", "BOUNDS", "EXCLUDED_SOURCES", "ENGINE_STAND_INS", "MARGIN", "FAMILY_CAP"]

from openvclosed.decision.validate_bounds import (ADP_MARKERS, BATCH_MARKERS, BOUNDS, BURST_MARKERS,  # noqa: E402,F401
                                                 ENGINE_STAND_INS, OUT_OF_SCOPE_MARKERS, EXCLUDED_SOURCES, FAMILY_CAP, FITTED, KEY_BOUNDS, LINK_BOUNDS,
                                                 LINK_EFF_MAX, LINK_KINDS, LOSS_SCALE, MARGIN, REGULARIZATION,
                                                 bounds, link_bounds, link_info, start_links, with_links)


def family(url: str) -> str:
    """Document family of a source URL: ``owner/repo`` on GitHub (any commit, file or PR), else the
    host and first path segment (one blog).

    >>> family("https://github.com/NVIDIA/TensorRT-LLM/blob/abc/docs/perf.md"), family("https://blogs.oracle.com/cloud-infrastructure/post/x")
    ('NVIDIA/TensorRT-LLM', 'blogs.oracle.com/cloud-infrastructure')
    """
    m = re.match(r"https?://github\.com/([^/]+/[^/#?]+)", url)
    if m:
        return m.group(1)
    m = re.match(r"https?://([^/]+)(/[^/#?]*)?", url)
    return (m.group(1) + (m.group(2) or "")) if m else url


@dataclass(frozen=True)
class Case:
    """One published row as ``ovc fit`` takes it."""

    row: Measurement
    family: str
    engine: str
    model_id: str
    gpu_id: str
    precision: str | None        # --quant, or None with ``bits``
    bits: float | None           # --bits
    serving: Serving
    note: str = ""               # stand-ins used, if any
    key: str = ""                # the profile it is predicted with (engine, or engine@unified)
    batch: int | None = None     # --batch: the engine's own cap on sequences when the source states it
    trainable: bool = True       # False: predicted, never fitted on (a derived TFLOPS figure)

    def argv(self) -> list[str]:
        r, s = self.row, self.serving
        out = ["--model", self.model_id, "--gpu", f"{r.n_gpus}x{self.gpu_id}", "--engine", self.engine,
               "--kv-bits", f"{r.kv_bits:g}"]
        out += ["--quant", self.precision] if self.precision else ["--bits", f"{self.bits:g}"]
        if s.tp is not None:
            out += ["--tp", str(s.tp)]
        if s.pp > 1:
            out += ["--pp", str(s.pp)]
        if s.attention_dp:
            out += ["--attention-dp"]
        if s.concurrency is not None:
            out += ["--concurrency", f"{s.concurrency:g}"]
        if self.batch is not None:
            out += ["--batch", str(self.batch)]
        out += ["--input-tokens", f"{s.input_tokens:g}", "--output-tokens", f"{s.output_tokens:g}"]
        return out


def _precision(m: Measurement, model) -> tuple[str | None, float | None]:
    p = m.weight_precision.lower()
    if p in ("bf16", "fp16", "f16"):
        return "fp16", None
    if p in ("fp8", "int8-w8a8"):
        return "fp8", None
    if p == "mxfp4" and native_label(model) == "mxfp4":
        return "mxfp4", None
    if p == "nvfp4":
        return "nvfp4", None
    if math.isnan(m.weight_bits):
        raise ValueError(f"no bits for precision {m.weight_precision!r}")
    return None, float(m.weight_bits)


def _engine(r: Measurement) -> tuple[str | None, str]:
    e = ENGINE_OF.get(r.engine)
    if e:
        return e, ""
    v = r.engine_version.lower()
    for key, (prof, why) in ENGINE_STAND_INS.items():
        if key in v:
            return prof, why
    return None, ""


MIN_WAVES = 4
"""A run of N requests at concurrency C holds C in flight for about N / C "waves"; the first and
the last wave (ramp-up, drain) run below C. With fewer than 4 waves they are half the run or more,
so it measures a burst, not the steady state serving_point predicts (assumption)."""


def _waves(r: Measurement) -> float | None:
    """N / C for a row whose source_detail states the request count N (None when it does not)."""
    m = re.search(r"(\d[\d,]*) (?:requests|prompts)\b", r.source_detail)
    if not m or math.isnan(r.concurrency) or r.concurrency <= 0:
        return None
    return int(m.group(1).replace(",", "")) / r.concurrency


def fit_args(catalog: Catalog, r: Measurement) -> Case | str:
    """The ``ovc fit`` request describing row ``r``, or the reason it cannot be modelled."""
    why = next((w for k, w in EXCLUDED_SOURCES.items() if k in r.source), None)
    if why:
        return why
    engine, note = _engine(r)
    if engine is None:
        return f"engine {r.engine!r} ({r.engine_version}) has no profile"
    try:
        gpu = catalog.gpu(GPU_STAND_INS.get(r.gpu, r.gpu))
        model = catalog.model(MODEL_STAND_INS.get(r.model, r.model))
    except UnknownNameError as e:
        return str(e).split(";")[0]
    try:
        prec, bits = _precision(r, model)
    except ValueError as e:
        return str(e)
    # a derived TFLOPS figure (catalog tflops_basis) is not evidence to fit the engines on: the row is
    # predicted (held out like every row) but never trained on
    trainable = not gpu.tflops_basis
    if not (r.tokens_per_s > 0 and r.output_tokens > 0):
        return "no output length or throughput"
    burst = next((w for k, w in (BURST_MARKERS | OUT_OF_SCOPE_MARKERS).items() if k in r.source_detail.lower()), None)
    if burst:
        return burst
    waves = _waves(r)
    if waves is not None and waves < MIN_WAVES:
        return (f"burst-like: {waves * r.concurrency:,.0f} requests at {r.concurrency:g} in flight is {waves:.1f} waves; "
                f"ramp-up and tail dominate a run of fewer than {MIN_WAVES} waves (bursts are out of scope, "
                f"engine/serving.py)")
    tp, pp = max(r.tp, 1), max(r.pp, 1)
    if engine == "llamacpp" and pp == 1 and r.n_gpus > tp:
        pp = r.n_gpus // tp  # llama.cpp's default --split-mode layer: the GPUs hold consecutive layers
        note = (note + "; " if note else "") + f"llama.cpp layer split over {r.n_gpus} GPUs = --pp {pp}"
    if tp not in TP_CANDIDATES or r.n_gpus % (tp * pp):
        return f"tensor parallelism {tp} x pipeline {pp} on {r.n_gpus} GPUs"
    conc = None if math.isnan(r.concurrency) else float(r.concurrency)
    adp = model.moe is not None and any(k in r.source_detail.lower() for k in ADP_MARKERS)
    s = Serving(tp=tp, pp=pp, concurrency=conc, input_tokens=float(r.input_tokens),
                output_tokens=float(r.output_tokens), attention_dp=adp)
    batch = None
    for k, (cap, why) in BATCH_MARKERS.items():
        if k in r.source_detail and conc is None:
            batch, note = cap, (note + "; " if note else "") + why
    if not trainable:
        note = (note + "; " if note else "") + f"{gpu.id}: TFLOPS derived, predicted but not fitted on"
    return Case(r, family(r.source), engine, model.id, gpu.id, prec, bits, s, note,
                profile_key(engine, gpu.segment, gpu.vendor), batch, trainable)


def prepare(catalog: Catalog, rows: list[Measurement]) -> tuple[list[Case], list[tuple[str, str]]]:
    """Cases for the rows that can be modelled; the others as (row id, reason)."""
    cases, skipped = [], []
    for r in rows:
        c = fit_args(catalog, r)
        (cases.append(c) if isinstance(c, Case) else skipped.append((r.id, c)))
    return cases, skipped


def case_inputs(catalog: Catalog, c: Case) -> DesignInputs:
    """The engine inputs ``ovc fit <c.argv()>`` evaluates (the command's own builder)."""
    s = c.serving
    a = Assumptions(kv_bits=c.row.kv_bits, engine=c.engine, context_tokens=s.context_tokens())
    _, x, _, _, _ = fit_inputs(catalog.model(c.model_id), catalog.gpu(c.gpu_id), a, counts=[c.row.n_gpus],
                               precisions=[c.precision] if c.precision else None, weight_bits=c.bits, serving=s,
                               batch=c.batch)
    return x


def stack(xs: list[DesignInputs]) -> DesignInputs:
    """One :class:`DesignInputs` of many single-design inputs (each field concatenated)."""
    out = {}
    for name in DesignInputs.names():
        vals = [np.atleast_1d(np.asarray(getattr(x, name))) for x in xs]
        out[name] = np.concatenate([np.broadcast_to(v, (1,)) if v.size == 1 else v for v in vals])
    return DesignInputs(**out)


def evaluate(x: DesignInputs, engines: np.ndarray, profiles: dict[str, dict[str, float]], links=None, info=None):
    """The engine's evaluation of every stacked case under ``profiles`` (profile key -> parameters),
    as :func:`openvclosed.decision.designs.design_inputs` sets them (NVFP4 rows keep ``low_bit_eff`` 1).
    ``max_batch`` is not fitted: it stays as the command set it (the profile's, or ``--batch``)."""
    changes = {k: np.array([profiles[e][k] for e in engines], dtype=float) for k in FITTED}
    changes["low_bit_eff"] = np.where(np.asarray(x.low_bit_eff) == 1.0, 1.0, changes["low_bit_eff"])
    return selfhost_design(with_links(x, links, info).replace(**changes), 0.0)


def predict(x: DesignInputs, engines: np.ndarray, profiles: dict[str, dict[str, float]], links=None,
            info=None) -> np.ndarray:
    """Machine output tokens/s of every stacked case under ``profiles`` (:func:`evaluate`)."""
    e = evaluate(x, engines, profiles, links, info)
    return np.where(e.fits, e.output_tokens_per_s, 0.0)


def _log_err(pred, meas):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.where(pred > 0, pred, 1e-9) / meas)


def _robust(lr) -> float:
    z = lr / LOSS_SCALE
    return float(np.mean(2.0 * (np.sqrt(1.0 + z * z) - 1.0)))


def fit_engine(x: DesignInputs, engines: np.ndarray, meas: np.ndarray, mask: np.ndarray, engine: str,
               start: dict[str, float], sweeps: int = 4, links=None, info=None) -> dict[str, float]:
    """Coordinate search of ``engine``'s parameters inside :data:`BOUNDS`, minimising the soft-L1
    loss of log error on the ``mask`` rows of that engine (starting point with fewer than 4 rows)."""
    rows = mask & (engines == engine)
    if rows.sum() < 4:
        return dict(start)
    idx = np.flatnonzero(rows)
    sub, eng, m = with_links(x, links, info).take(idx), engines[idx], meas[idx]
    params = {k: (float(np.clip(v, *bounds(engine, k))) if k in FITTED else v) for k, v in start.items()}

    def loss(q):
        pull = sum(math.log((q[k] + 1e-6) / (start[k] + 1e-6)) ** 2 for k in FITTED if not k.endswith("_s"))
        return _robust(_log_err(predict(sub, eng, {engine: q}), m)) + REGULARIZATION * pull

    best = loss(params)
    for sweep in range(sweeps):
        for name in FITTED:
            lo, hi = bounds(engine, name)
            cur = params[name]
            span = 2.0 / (1 + sweep)
            grid = max(cur, 1e-5) * np.geomspace(1 / (1 + span), 1 + span, 9)
            cands = np.unique(np.clip(np.concatenate([[lo] if name.endswith("_s") else [], grid]), lo, hi))
            for c in cands:
                q = dict(params, **{name: float(c)})
                v = loss(q)
                if v < best - 1e-12:
                    best, params = v, q
    return params


def fit_links(x: DesignInputs, engines: np.ndarray, meas: np.ndarray, mask: np.ndarray, profiles: dict,
              info, start: dict[str, dict[str, float]], sweeps: int = 3,
              kinds_fitted=LINK_KINDS) -> dict[str, dict[str, float]]:
    """Coordinate search of the collective model (efficiency and latency per link kind) on the
    ``mask`` rows with tensor parallelism, every engine at ``profiles`` (soft-L1 on log error);
    the kinds not in ``kinds_fitted`` keep their starting values."""
    tp = np.asarray(x.tp, dtype=float)
    links = {k: dict(v) for k, v in start.items()}
    kinds = info[0]
    for kind in kinds_fitted:
        rows = mask & (tp > 1) & (kinds == kind)
        if rows.sum() < 4:
            continue
        idx = np.flatnonzero(rows)
        sub, eng, m = x.take(idx), engines[idx], meas[idx]
        sub_info = (kinds[idx], info[1][idx])

        def loss(q):
            return _robust(_log_err(predict(sub, eng, profiles, {kind: q}, sub_info), m))

        best = loss(links[kind])
        for sweep in range(sweeps):
            for name in ("collective_eff", "latency_s"):
                lo, hi = link_bounds(kind, name)
                span = 2.0 / (1 + sweep)
                grid = links[kind][name] * np.geomspace(1 / (1 + span), 1 + span, 9)
                for c in np.unique(np.clip(grid, lo, hi)):
                    q = dict(links[kind], **{name: float(c)})
                    v = loss(q)
                    if v < best - 1e-12:
                        best, links[kind] = v, q
    return links


def family_weights(families: list[str], cap: float = FAMILY_CAP) -> np.ndarray:
    """Row weights (sum = rows) such that no family weighs more than ``cap`` of the total.

    Families above the cap are scaled down to it, the others keep weight 1 (repeated until no
    family is above: a family may rise above the cap as others shrink); with fewer than 1/cap
    families every family weighs the same.

    >>> w = family_weights(["a"] * 6 + ["b", "c", "d", "e"])
    >>> round(float(w[:6].sum() / w.sum()), 3)
    0.25
    """
    fam = np.array(families, dtype=object)
    names = sorted(set(families))
    w = np.ones(len(families))
    if len(names) * cap < 1.0:
        for f in names:
            w[fam == f] = 1.0 / (fam == f).sum()
        return w * len(families) / w.sum()
    capped: set[str] = set()  # families held at the cap, all at the same weight
    for _ in range(len(names)):
        free = sum(w[fam == f].sum() for f in names if f not in capped)
        each = w[fam == next(iter(capped))].sum() if capped else 0.0
        total = free + len(capped) * each
        over = {f for f in names if f not in capped and w[fam == f].sum() > cap * total + 1e-12}
        if not over:
            break
        capped |= over
        free = sum(w[fam == f].sum() for f in names if f not in capped)
        target = cap * free / (1.0 - cap * len(capped))  # each capped family = cap x the new total
        for f in capped:
            w[fam == f] *= target / w[fam == f].sum()
    return w * len(families) / w.sum()


def cross_validate(x: DesignInputs, engines: np.ndarray, meas: np.ndarray, families: list[str],
                   starts: dict[str, dict[str, float]], info=None, links0=None,
                   kinds_fitted=LINK_KINDS, trainable=None) -> tuple[np.ndarray, dict[str, dict]]:
    """Leave one document family out: fit on the others (the collective model first when
    ``info`` is given, engines at their starting points; then every engine present in the
    family), predict it. Returns the held-out predictions and, per family, the profiles that
    predicted it (with ``"@links"``)."""
    fam = np.array(families, dtype=object)
    pred = np.zeros(len(meas))
    used = {}
    for f in sorted(set(families)):
        held = fam == f
        train = ~held if trainable is None else (~held & trainable)
        links = (fit_links(x, engines, meas, train, starts, info, links0, kinds_fitted=kinds_fitted)
                 if info is not None and kinds_fitted else links0)
        prof = {e: (fit_engine(x, engines, meas, train, e, starts[e], links=links, info=info)
                    if (held & (engines == e)).any() else dict(starts[e])) for e in PROFILE_KEYS}
        idx = np.flatnonzero(held)
        sub_info = None if info is None else (info[0][idx], info[1][idx])
        pred[idx] = predict(x.take(idx), engines[idx], prof, links, sub_info)
        used[f] = dict(prof, **({"@links": links} if links else {}))
    return pred, used


def starting_points() -> dict[str, dict[str, float]]:
    return {k: starting_point(k) for k in PROFILE_KEYS}

