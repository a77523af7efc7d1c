"""The parts of a workload: task mix, latency targets, candidates (decision/workload.py holds the rest)."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["TaskMix", "Latency", "Candidates"]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskMix(_M):
    """Shares of the work by capability tier; must sum to 1."""

    simple: float = Field(0.0, ge=0, le=1, description="Extraction, formatting, classification.")
    standard: float = Field(1.0, ge=0, le=1, description="Summaries, standard code, translation, RAG answers.")
    frontier: float = Field(0.0, ge=0, le=1, description="Long multi-step reasoning, agentic work, hard code.")

    @model_validator(mode="after")
    def _sums_to_one(self):
        total = self.simple + self.standard + self.frontier
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"shares must sum to 1 (simple + standard + frontier = {total:g})")
        return self


class Latency(_M):
    """What the users tolerate at the busy hour; self-hosted designs are sized to meet it (docs/sizing.md)."""

    min_tokens_per_s: float | None = Field(None, gt=0, le=10_000, allow_inf_nan=False,
                                           description="Minimum per-stream decode speed [tokens/s] (= a TPOT target of 1000 / x ms).")
    max_ttft_s: float | None = Field(None, gt=0, le=3600, allow_inf_nan=False,
                                     description="Maximum time to first token [s] (= ttft_p95_ms x 1000).")
    ttft_p95_ms: float | None = Field(None, ge=1, le=3_600_000, allow_inf_nan=False,
                                      description="95th-percentile time to first token at the busy hour [ms], queueing included.")
    tpot_p95_ms: float | None = Field(None, ge=0.1, le=60_000, allow_inf_nan=False,
                                      description="95th-percentile time per output token [ms].")

    @model_validator(mode="after")
    def _one_of_each(self):
        if self.max_ttft_s is not None and self.ttft_p95_ms is not None:
            raise ValueError("give max_ttft_s or ttft_p95_ms (the same target), not both")
        if self.min_tokens_per_s is not None and self.tpot_p95_ms is not None:
            raise ValueError("give min_tokens_per_s or tpot_p95_ms (the same target), not both")
        return self

    @property
    def ttft_target_ms(self) -> float | None:
        return self.ttft_p95_ms if self.ttft_p95_ms is not None else (
            self.max_ttft_s * 1000.0 if self.max_ttft_s is not None else None)

    @property
    def tpot_target_ms(self) -> float | None:
        return self.tpot_p95_ms if self.tpot_p95_ms is not None else (
            1000.0 / self.min_tokens_per_s if self.min_tokens_per_s is not None else None)


class Candidates(_M):
    apis: list[str] | None = Field(None, description="API ids to consider (default: every catalog API).")
    models: list[str] | None = Field(None, description="Open model ids for self-hosting (default: every catalog model).")
    hardware: list[str] | None = Field(None, description="Hardware specs per replica, e.g. 2x4090, 8xH100.")
    deployment: list[Literal["owned", "rented"]] = Field(default_factory=lambda: ["owned", "rented"])
    precisions: list[Literal["fp16", "fp8", "int8", "mxfp4", "int4"]] | None = None
