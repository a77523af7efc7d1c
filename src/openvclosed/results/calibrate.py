"""The result of ``ovc calibrate`` (JSON contract: docs/json.md, "calibrate")."""

from __future__ import annotations

from openvclosed.results.base import SCHEMA_VERSION, Finding, ResultModel

__all__ = ["CalibrateResult", "CalibratedPoint", "CalibratedParameter"]


class CalibratedPoint(ResultModel):
    """One measured point with the serving function's prediction before and after the fit.
    Throughput is the machine's output tokens/s; TTFT and TPOT are means in milliseconds."""

    file: str
    tool: str
    label: str
    concurrency: float
    input_tokens: float
    output_tokens: float
    measured_tokens_per_s: float | None
    measured_ttft_ms: float | None
    measured_tpot_ms: float | None
    before_tokens_per_s: float
    after_tokens_per_s: float
    before_ttft_ms: float | None
    after_ttft_ms: float | None
    error_before: float | None
    """(predicted - measured) / measured of the throughput, else of the TTFT."""
    error_after: float | None


class CalibratedParameter(ResultModel):
    name: str
    before: float
    after: float
    lower: float
    upper: float
    at_bound: str | None = None
    """"lower" or "upper" when the fit stopped at a physical bound."""


class CalibrateResult(ResultModel):
    schema_version: int = SCHEMA_VERSION
    deployment: str
    model: str
    gpu: str
    n_gpus: int
    engine: str
    precision: str | None
    bits: float | None
    tp: int | None
    profile_key: str
    """The profile the correction replaces: the engine's, on a hardware class (engine@unified, engine@amd)."""
    points: list[CalibratedPoint]
    parameters: list[CalibratedParameter]
    median_abs_error_before: float | None
    median_abs_error_after: float | None
    profile_file: str | None = None
    findings: list[Finding]
