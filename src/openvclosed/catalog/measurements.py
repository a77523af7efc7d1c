"""Published throughput measurements (``data/measurements/throughput.csv``): reading and matching.

Each row is one published figure: GPU and count, tensor-parallel degree, model, weight and KV
precision, serving engine, concurrency, input and output tokens per request, the measured
aggregate output tokens/s, and where it was published (URL, table). I/O only; predicting and
fitting live in :mod:`openvclosed.decision.validate`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass

from openvclosed.catalog.store import bundled_data_dir

__all__ = ["Measurement", "read_measurements", "MODEL_STAND_INS", "GPU_STAND_INS", "ENGINE_OF"]

MODEL_STAND_INS = {
    "llama-3-8b": "llama-3.1-8b",      # same architecture (32 layers, 8 KV heads, 128 head dim); 8K context
    "llama-3-70b": "llama-3.1-70b",
    "nemotron-nano-30b": "nemotron-3-nano-30b-a3b",
    "deepseek-r1": "deepseek-r1-0528",
}
"""Measured model -> catalog model with the same architecture (weights, layers, KV shape)."""

GPU_STAND_INS = {
    "ryzen-ai-max-395": "strix-halo-128",
    "m4-max": "m4-max-128",
    "m3-ultra": "m3-ultra-512",
}
"""Measured GPU name -> catalog entry of the same chip (bandwidth and compute)."""

ENGINE_OF = {"vllm": "vllm", "sglang": "sglang", "trtllm": "trtllm", "llamacpp": "llamacpp", "mlx": "mlx"}


@dataclass(frozen=True)
class Measurement:
    id: str
    gpu: str
    n_gpus: int
    tp: int
    model: str
    weight_precision: str
    weight_bits: float
    kv_bits: float
    engine: str
    engine_version: str
    concurrency: float  # nan = offline maximum load (the engine picks its batch)
    input_tokens: float
    output_tokens: float
    tokens_per_s: float
    source: str
    source_detail: str
    published: str
    pp: int = 1         # pipeline stages (llama.cpp's default layer split over several GPUs is pp = n_gpus / tp)

    @property
    def single(self) -> bool:
        return self.concurrency == 1


def _num(v: str, default: float = math.nan) -> float:
    try:
        return float(v) if v not in ("", None) else default
    except ValueError:
        return default


def read_measurements(path=None) -> list[Measurement]:
    """Every row of the measurement file (bundled by default) whose metric is aggregate output tokens/s."""
    p = path or bundled_data_dir() / "measurements" / "throughput.csv"
    out = []
    with open(p, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r.get("metric") != "output_tok_s":
                continue
            n = int(_num(r["n_gpus"], 1))
            out.append(Measurement(
                id=r["id"], gpu=r["gpu"], n_gpus=n, tp=int(_num(r["tp"], n)), model=r["model"],
                weight_precision=r["weight_precision"], weight_bits=_num(r["weight_bits"]),
                kv_bits=_num(r["kv_bits"], 16.0), engine=r["engine"], engine_version=r.get("engine_version", ""),
                concurrency=_num(r["concurrency"]), input_tokens=_num(r["input_tokens"], 0.0),
                output_tokens=_num(r["output_tokens"]), tokens_per_s=_num(r["tokens_per_s"]), source=r["source"],
                source_detail=r.get("source_detail", ""), published=r.get("published", ""),
                pp=int(_num(r.get("pp", ""), 1))))
    return out
