"""Result files of serving benchmarks, read into measured points (``ovc calibrate``, ``ovc check --measured``).

Each reader turns one tool's output into :class:`BenchPoint` rows, in the terms of the serving
function (:func:`openvclosed.engine.serving.serving_point`): requests in flight on the machine,
prompt and output tokens per request, and what was measured — the machine's output tokens per
second at steady state, the mean time to first token, the mean time per output token.

Formats (docs/calibrate.md gives an example of each):

- ``vllm bench serve --save-result`` JSON (also ``benchmarks/benchmark_serving.py``), one run per
  file, or JSON Lines of runs (``--append-result``). ``max_concurrency`` is the requests in flight;
  a run at a finite ``request_rate`` without it has its mean concurrency from Little's law
  (requests/s x mean end-to-end latency); a burst (``request_rate`` inf, no ``max_concurrency``)
  has no steady state and is skipped with a note.
- GuideLLM report JSON (``guidellm benchmark --output-path report.json``): one point per
  benchmark of the report, concurrency from ``request_concurrency``, lengths from the prompt and
  output token counts, all over successful requests.
- ``llama-bench -o json|jsonl|csv``: a ``tg`` test (``n_prompt`` 0) is one sequence decoding
  ``n_gen`` tokens (concurrency 1, output tok/s = ``avg_ts``); a ``pp`` test (``n_gen`` 0)
  prefills ``n_prompt`` tokens (time to first token = n_prompt / avg_ts); a combined ``pg``
  test gives output tok/s = n_gen x avg_ts / (n_prompt + n_gen).
- A saved scrape of a vLLM server's Prometheus ``/metrics`` (text format): the counters and
  histogram sums since the server started — mean prompt and output tokens per request, mean TTFT,
  TPOT and end-to-end latency; concurrency from ``vllm:num_requests_running`` at the scrape, or
  ``--concurrency``. Output tok/s by Little's law: C x O / E2E.

Every reader refuses a file it cannot use with one line naming the file and the field (exit 2).
I/O and parsing only; fitting lives in :mod:`openvclosed.decision.calibrate`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from openvclosed.errors import InputError

__all__ = ["BenchPoint", "read_bench_file", "read_bench_points", "TOOLS"]

TOOLS = ("vllm bench serve", "guidellm", "llama-bench", "vllm metrics")

MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class BenchPoint:
    """One measured serving point.

    ``concurrency`` is requests in flight on the whole machine (None: the file does not say,
    ``--concurrency`` must); lengths are tokens per request; ``output_tokens_per_s`` [tok/s] is
    the machine's output rate at steady state, ``ttft_ms`` and ``tpot_ms`` are means [ms].
    ``model``, ``gpu`` and ``bits`` are what the file names, if anything (hints for the flags)."""

    file: str
    tool: str
    label: str
    concurrency: float | None
    input_tokens: float
    output_tokens: float
    output_tokens_per_s: float | None = None
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    model: str | None = None
    gpu: str | None = None
    bits: float | None = None
    e2e_ms: float | None = None
    """Mean end-to-end latency of a request [ms], where the file gives it (a /metrics scrape)."""


def _bad(path, field: str, what: str) -> InputError:
    return InputError(f"{path}: {field}: {what}")


def _finite(v) -> float | None:
    """A finite number (a number or a numeric string; bools are not numbers here), else None."""
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        return None
    try:
        f = float(v)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def _pos(v) -> float | None:
    """A finite number > 0, else None."""
    f = _finite(v)
    return f if f is not None and f > 0 else None


def _num0(v) -> float | None:
    """A finite number >= 0, else None."""
    f = _finite(v)
    return f if f is not None and f >= 0 else None


# ---- vllm bench serve -------------------------------------------------------------------------

def _vllm_run(path: str, d: dict, where: str) -> tuple[BenchPoint | None, str | None]:
    """One ``vllm bench serve`` result: the point, or None and why it was skipped."""
    done = _pos(d.get("completed"))
    if done is None:
        raise _bad(path, f"{where}completed", "must be a number > 0 (requests completed)")
    tin, tout = _num0(d.get("total_input_tokens")), _pos(d.get("total_output_tokens"))
    if tin is None or tout is None:
        raise _bad(path, f"{where}total_input_tokens/total_output_tokens", "must be numbers (tokens of the run)")
    i, o = tin / done, tout / done
    rate = d.get("request_rate")
    rate_f = math.inf if rate in ("inf", None) or (isinstance(rate, float) and math.isinf(rate)) else _pos(rate)
    conc = _pos(d.get("max_concurrency"))
    thr = _pos(d.get("output_throughput"))
    if thr is None:
        raise _bad(path, f"{where}output_throughput", "must be a number > 0 (output tokens/s)")
    ttft, tpot = _pos(d.get("mean_ttft_ms")), _pos(d.get("mean_tpot_ms"))
    failed = _num0(d.get("failed")) or 0.0
    label = f"concurrency {conc:g}" if conc else (f"rate {rate_f:g} req/s" if rate_f else "burst")
    if conc is None:
        if rate_f is None or math.isinf(rate_f):
            n = d.get("num_prompts", done)
            return None, (f"{path}: {where.rstrip(': .') or 'run'}: every request sent at once (request_rate inf, "
                          f"no max_concurrency, {n} prompts): a burst has no steady state; run with --max-concurrency")
        e2e = _pos(d.get("mean_e2el_ms"))
        if e2e is None and ttft is not None and tpot is not None:
            e2e = ttft + (o - 1.0) * tpot  # a request's life: first token, then O - 1 more
        rps = _pos(d.get("request_throughput"))
        if e2e is None or rps is None:
            raise _bad(path, f"{where}max_concurrency", "missing, and request_throughput x mean_e2el_ms cannot "
                       "give the concurrency (pass --concurrency)")
        conc = rps * e2e / 1000.0
        label = f"rate {rate_f:g} req/s (Little's law)"
    if failed:
        label += f", {failed:g} failed requests"
    model = d.get("model_id") if isinstance(d.get("model_id"), str) else None
    return BenchPoint(path, "vllm bench serve", label, conc, i, o, thr, ttft, tpot, model=model), None


# ---- GuideLLM --------------------------------------------------------------------------------

def _stat(metrics: dict, name: str) -> float | None:
    """``metrics[name]`` as GuideLLM writes it: ``{"successful": {"mean": ...}}`` (0.4-0.8
    reports) or ``{"mean": ...}``."""
    m = metrics.get(name)
    if not isinstance(m, dict):
        return None
    s = m.get("successful", m)
    if isinstance(s, dict):
        return _num0(s.get("mean"))
    return None


def _guidellm(path: str, data: dict) -> tuple[list[BenchPoint], list[str]]:
    benches = data.get("benchmarks")
    if not isinstance(benches, list) or not benches:
        raise _bad(path, "benchmarks", "must be a non-empty list (a GuideLLM report)")
    out, notes = [], []
    for k, b in enumerate(benches):
        where = f"benchmarks[{k}]"
        m = b.get("metrics") if isinstance(b, dict) else None
        if not isinstance(m, dict):
            raise _bad(path, f"{where}.metrics", "missing (a GuideLLM report lists metrics per benchmark)")
        thr = _stat(m, "output_tokens_per_second")
        conc = _stat(m, "request_concurrency")
        i, o = _stat(m, "prompt_token_count"), _stat(m, "output_token_count")
        if thr is None or not thr > 0 or i is None or not o:
            raise _bad(path, f"{where}.metrics", "needs output_tokens_per_second, prompt_token_count and "
                       "output_token_count (successful.mean)")
        if conc is None or not conc > 0:
            notes.append(f"{path}: {where}: no request_concurrency; skipped")
            continue
        ttft, tpot = _stat(m, "time_to_first_token_ms"), _stat(m, "time_per_output_token_ms")
        strategy = _strategy(b)
        label = f"{strategy}, concurrency {conc:.2f}" if strategy else f"concurrency {conc:.2f}"
        model = _guidellm_model(b)
        out.append(BenchPoint(path, "guidellm", label, conc, i, o, thr, ttft or None, tpot or None, model=model))
    return out, notes


def _dig(d, *keys):
    """``d[k1][k2]...``, or None where a level is missing or not a mapping."""
    for key in keys:
        d = d.get(key) if isinstance(d, dict) else None
    return d


def _strategy(b: dict) -> str | None:
    """The scheduling strategy of a GuideLLM benchmark ("synchronous", "concurrent 4" ...)."""
    for parent in ("scheduler", "args", "config"):
        s = _dig(b, parent, "strategy")
        if isinstance(s, dict) and isinstance(s.get("type_"), str):
            streams = s.get("streams")
            return f"{s['type_']} {streams}" if isinstance(streams, int) and streams else s["type_"]
    return None


def _guidellm_model(b: dict) -> str | None:
    for keys in (("worker", "backend_model"), ("config", "requests", "model"), ("benchmarker", "requests", "model"),
                 ("request_loader", "processor")):
        v = _dig(b, *keys)
        if isinstance(v, str):
            return v
    return None


# ---- llama-bench -----------------------------------------------------------------------------

_LLAMA_FIELDS = ("n_prompt", "n_gen", "avg_ts")


def _llama_rows(path: str, rows: list[dict]) -> tuple[list[BenchPoint], list[str]]:
    out, notes = [], []
    for k, r in enumerate(rows):
        where = f"row {k + 1}"
        if not all(f in r for f in _LLAMA_FIELDS):
            raise _bad(path, where, f"a llama-bench row needs {', '.join(_LLAMA_FIELDS)}")
        n_p, n_g, ts = _num0(r["n_prompt"]), _num0(r["n_gen"]), _pos(r["avg_ts"])
        if n_p is None or n_g is None or ts is None:
            raise _bad(path, f"{where}: n_prompt/n_gen/avg_ts", "must be numbers (avg_ts > 0)")
        depth = _num0(r.get("n_depth")) or 0.0
        size, params = _pos(r.get("model_size")), _pos(r.get("model_n_params"))
        bits = 8.0 * size / params if size and params else None
        model = r.get("model_type") if isinstance(r.get("model_type"), str) else None
        gpu = r.get("gpu_info") if isinstance(r.get("gpu_info"), str) and r.get("gpu_info") else None
        if n_g == 0 and n_p > 0:
            out.append(BenchPoint(path, "llama-bench", f"pp{n_p:g}" + (f" @ d{depth:g}" if depth else ""), 1.0,
                                  n_p + depth, 1.0, None, 1e3 * n_p / ts, None, model, gpu, bits))
        elif n_p == 0 and n_g > 0:
            out.append(BenchPoint(path, "llama-bench", f"tg{n_g:g}" + (f" @ d{depth:g}" if depth else ""), 1.0,
                                  depth, n_g, ts, None, 1e3 / ts, model, gpu, bits))
        elif n_p > 0 and n_g > 0:
            out.append(BenchPoint(path, "llama-bench", f"pp{n_p:g}+tg{n_g:g}", 1.0, n_p + depth, n_g,
                                  n_g * ts / (n_p + n_g), None, None, model, gpu, bits))
        else:
            notes.append(f"{path}: {where}: n_prompt and n_gen both 0; skipped")
    return out, notes


def _is_llama(d) -> bool:
    return isinstance(d, dict) and "avg_ts" in d and "n_gen" in d


# ---- vLLM /metrics ---------------------------------------------------------------------------

_PROM = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def _vllm_metrics(path: str, text: str) -> tuple[list[BenchPoint], list[str]]:
    vals: dict[str, float] = {}
    model = None
    for line in text.splitlines():
        if not line.startswith("vllm:"):
            continue
        m = _PROM.match(line)
        if not m:
            continue
        name, labels, v = m.group(1), m.group(2) or "", m.group(3)
        if name.endswith("_bucket"):
            continue
        try:
            f = float(v)
        except ValueError:
            continue
        vals[name] = vals.get(name, 0.0) + f  # summed over label sets (engines, finish reasons)
        mm = re.search(r'model_name="([^"]*)"', labels)
        if mm and model is None:
            model = mm.group(1)

    def mean(base: str) -> float | None:
        s, c = vals.get(base + "_sum"), vals.get(base + "_count")
        return s / c if s is not None and c else None

    i, o = mean("vllm:request_prompt_tokens"), mean("vllm:request_generation_tokens")
    if i is None or not o:
        raise _bad(path, "vllm:request_prompt_tokens / vllm:request_generation_tokens",
                   "the scrape has no completed requests (scrape after a load test)")
    ttft = mean("vllm:time_to_first_token_seconds")
    tpot = mean("vllm:time_per_output_token_seconds") or mean("vllm:inter_token_latency_seconds") \
        or mean("vllm:request_time_per_output_token_seconds")
    e2e = mean("vllm:e2e_request_latency_seconds")
    if e2e is None and ttft is not None and tpot is not None:
        e2e = ttft + (o - 1.0) * tpot
    if e2e is None:
        raise _bad(path, "vllm:e2e_request_latency_seconds", "missing, and no TTFT and TPOT histograms to derive it")
    running = _pos(vals.get("vllm:num_requests_running"))
    label = f"{vals.get('vllm:request_success_total', 0):g} requests since start"
    p = BenchPoint(path, "vllm metrics", label, running, i, o, None,
                   ttft * 1e3 if ttft else None, tpot * 1e3 if tpot else None, model=model, e2e_ms=e2e * 1e3)
    return [p], []


def with_concurrency(p: BenchPoint) -> BenchPoint:
    """A /metrics point once its concurrency is known: output tok/s by Little's law, C x O / E2E."""
    if p.tool != "vllm metrics" or p.concurrency is None or p.output_tokens_per_s is not None:
        return p
    e2e_s = (p.e2e_ms if p.e2e_ms else (p.ttft_ms or 0.0) + (p.output_tokens - 1.0) * (p.tpot_ms or 0.0)) / 1e3
    return replace(p, output_tokens_per_s=p.concurrency * p.output_tokens / e2e_s if e2e_s > 0 else None,
                   label=p.label + f", concurrency {p.concurrency:g}")


# ---- dispatch --------------------------------------------------------------------------------

def _read_text(path: Path) -> str:
    from openvclosed.fileio import read_input_text

    return read_input_text(path, "a benchmark result file (JSON, JSON Lines, CSV or a Prometheus scrape)",
                           MAX_BYTES).removeprefix("\ufeff")


def read_bench_file(path: str | Path) -> tuple[list[BenchPoint], list[str]]:
    """The measured points of one result file and notes on what was skipped (format detected
    from the content). Raises :class:`InputError` naming the file and field when unusable."""
    p = Path(path)
    name = str(path)
    text = _read_text(p)
    stripped = text.lstrip()
    if not stripped:
        raise InputError(f"{name}: empty file")
    if re.search(r"^llamacpp:", text, re.M):
        raise InputError(f"{name}: a llama.cpp server /metrics scrape holds lifetime averages without the "
                         "concurrency they ran at; measure with llama-bench (-o json) instead")
    if re.search(r"^vllm:", text, re.M):
        return _vllm_metrics(name, text)
    if stripped[0] in "[{":
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
            lines = [ln for ln in text.splitlines() if ln.strip()]
            try:
                records = [json.loads(ln) for ln in lines]
            except json.JSONDecodeError as e:
                raise InputError(f"{name}: line {e.lineno}: not valid JSON or JSON Lines ({e.msg})") from None
            return _records(name, records, jsonl=True)
        if isinstance(data, dict) and "benchmarks" in data:
            return _guidellm(name, data)
        return _records(name, data if isinstance(data, list) else [data], jsonl=False)
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as e:
        raise InputError(f"{name}: not CSV ({e})") from None
    if rows and all(f in rows[0] for f in _LLAMA_FIELDS):
        return _llama_rows(name, rows)
    raise InputError(f"{name}: not a result file of {', '.join(TOOLS)} (JSON, JSON Lines, llama-bench CSV or a "
                     "Prometheus scrape)")


def _records(name: str, records: list, jsonl: bool) -> tuple[list[BenchPoint], list[str]]:
    if not records or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{name}: expected JSON objects (a vllm bench serve result or llama-bench rows)")
    if all(_is_llama(r) for r in records):
        return _llama_rows(name, records)
    out, notes = [], []
    for k, r in enumerate(records):
        where = f"line {k + 1}: " if jsonl else (f"[{k}]." if len(records) > 1 else "")
        if "output_throughput" not in r:
            raise InputError(f"{name}: {where or ''}output_throughput: missing; not a vllm bench serve result "
                             f"(nor llama-bench rows or a GuideLLM report)")
        pt, note = _vllm_run(name, r, where)
        (out.append(pt) if pt else notes.append(note))
    return out, notes


def read_bench_points(paths, concurrency: float | None = None) -> tuple[list[BenchPoint], list[str]]:
    """The points of every file (``concurrency`` fills in where a file has none, e.g. a /metrics
    scrape taken while the server was idle) and the notes on skipped runs."""
    points, notes = [], []
    for path in paths:
        pts, ns = read_bench_file(path)
        notes += ns
        for pt in pts:
            if concurrency is not None and (pt.concurrency is None or pt.tool == "vllm metrics"):
                pt = replace(pt, concurrency=float(concurrency))
            if pt.concurrency is None:
                raise InputError(f"{pt.file}: vllm:num_requests_running is 0 at the scrape: the concurrency the "
                                 "averages ran at is unknown; pass --concurrency (requests in flight during the load)")
            points.append(with_concurrency(pt))
    if not points:
        raise InputError("no usable measured point in " + ", ".join(map(str, paths)) + (
            " (" + "; ".join(notes) + ")" if notes else ""))
    return points, notes
