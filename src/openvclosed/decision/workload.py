"""Workload files: schema (pydantic, unknown keys rejected), loading, defaults merging.

A file holds one or more named workloads plus optional shared ``defaults``; see
``docs/workload-file.md`` for every field, its units and default. ``ovc schema`` prints the
JSON Schema generated from these models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from openvclosed.decision.assumptions import Assumptions
from openvclosed.errors import InputError
from openvclosed.ranges import RANGES, problem
from openvclosed.units import parse_tokens
from openvclosed.yamlio import load_yaml_file

__all__ = ["Workload", "WorkloadFile", "TaskMix", "Latency", "Candidates", "load_workload_file",
           "Sensitivity", "SENSITIVITY_DEFAULT_RULES", "Deployment", "format_errors", "check_candidates",
           "field_error"]

Sensitivity = Literal["public", "internal", "confidential", "regulated"]
Deployment = Literal["closed-api", "closed-api-zdr", "hosted-open-api", "self-host", "self-host-cloud"]

SENSITIVITY_DEFAULT_RULES: dict[str, list[str]] = {
    "public": ["closed-api", "closed-api-zdr", "hosted-open-api", "self-host", "self-host-cloud"],
    "internal": ["closed-api", "closed-api-zdr", "hosted-open-api", "self-host", "self-host-cloud"],
    "confidential": ["closed-api-zdr", "self-host", "self-host-cloud"],
    "regulated": ["self-host"],
}
"""Which deployments may see data of each sensitivity class (overridable per file with
``sensitivity_rules``). ``closed-api-zdr`` = a closed API under a zero-data-retention /
private-deployment agreement, which you assert per API with ``zero_retention_apis``."""


def _tokens(v, what):
    if v is None:
        return None
    try:
        return parse_tokens(v, what)
    except InputError as e:  # as a field error, so the message gets the file and field path
        raise ValueError(str(e).split(": ", 1)[-1]) from None


def field_error(sub: str, msg: str) -> PydanticCustomError:
    """A validation error for ``sub`` (a field path below the model that raises it, such as
    ``assumptions.pue``); :func:`format_errors` appends ``sub`` to the path it prints."""
    return PydanticCustomError("ovc_field", "{msg}", {"msg": msg, "sub": sub})


_RANGED = {"tokens_per_day": "tokens_per_day", "requests_per_day": "requests_per_day",
           "input_tokens": "tokens_per_request", "output_tokens": "tokens_per_request",
           "peak_to_mean": "peak_to_mean", "growth_per_month": "growth_per_month",
           "horizon_months": "horizon_months", "api_price_decline_per_year": "api_price_decline_per_year",
           "monthly_active_users": "monthly_active_users", "monthly_revenue_usd": "monthly_revenue_usd",
           "input_share": "input_share", "cached_input_share": "cached_share",
           "requests_per_second": "requests_per_second"}
"""Workload field -> its row in the range table (:mod:`openvclosed.ranges`)."""

_DIST_VALUES = ("value", "low", "mode", "high", "median")


def _num(v):
    """``v`` if it is a number (bool included, so it is refused), the float of a numeric string
    (pydantic would coerce YAML's ``1e300``, a string in YAML 1.1), else None."""
    if isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, str):
        try:
            return float(v.strip().replace("_", ""))
        except ValueError:
            return None
    return None


def _check_ranges(data: dict) -> None:
    """Every number of one workload (fields, ``assumptions``, ``uncertainty``) against the range
    table, before pydantic sees it (booleans are refused as numbers too)."""
    for k, name in _RANGED.items():
        v = data.get(k)
        if k not in ("tokens_per_day", "requests_per_day"):  # those parse "500M": checked after
            v = _num(v)
        if isinstance(v, (bool, int, float)) and (msg := problem(name, v)):
            raise field_error(k, msg)
    a = data.get("assumptions")
    if isinstance(a, dict):
        for k, v in a.items():
            v = _num(v)
            if k in RANGES and v is not None and (msg := problem(k, v)):
                raise field_error(f"assumptions.{k}", msg)
    u = data.get("uncertainty")
    if isinstance(u, dict):
        for k, spec in u.items():
            if k not in RANGES:
                continue  # unknown names: the Monte Carlo resolver names the choices
            if not isinstance(spec, dict):
                if isinstance(spec, (bool, int, float)) and (msg := problem(k, spec)):
                    raise field_error(f"uncertainty.{k}", msg)
                continue
            relative = spec.get("relative") is True
            for p in _DIST_VALUES:
                v = _num(spec.get(p)) if p in spec else None
                if p in spec and v is None:
                    raise field_error(f"uncertainty.{k}.{p}", f"{spec[p]!r} is not a number")
                if v is None:
                    continue
                if relative:
                    if isinstance(v, bool) or not isinstance(v, (int, float)) or not -100 <= v <= 100:
                        raise field_error(f"uncertainty.{k}.{p}", f"{v!r} is not a multiple of the deterministic "
                                                                  "value in the plausible range -100..100")
                elif msg := problem(k, v):
                    raise field_error(f"uncertainty.{k}.{p}", msg)
            if "sigma" in spec and (msg := problem("lognormal_sigma", _num(spec["sigma"]))):
                raise field_error(f"uncertainty.{k}.sigma", msg)


MAX_WORKLOADS_PER_FILE = 200
"""Most workloads one file may hold: each is decided over every catalog option, so the work is
bounded (split a larger portfolio into several files)."""


from openvclosed.decision.workload_parts import _M, Candidates, Latency, TaskMix  # noqa: E402


class Workload(_M):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str | None = None
    tokens_per_day: float | None = Field(None, gt=0, le=1e15, allow_inf_nan=False,
                                         description="Input + output tokens per day (5e8, 500M, ...), 0 < x <= 1e15.")
    requests_per_day: float | None = Field(None, gt=0, le=1e12, allow_inf_nan=False,
                                           description="Requests per day (with input_tokens, output_tokens), 0 < x <= 1e12.")
    input_tokens: float | None = Field(None, ge=0, le=1e8, allow_inf_nan=False,
                                       description="Mean input tokens per request, 0..1e8.")
    output_tokens: float | None = Field(None, ge=0, le=1e8, allow_inf_nan=False,
                                        description="Mean output tokens per request, 0..1e8.")
    input_share: float | None = Field(None, ge=0, le=1, description="Input tokens / all tokens (with tokens_per_day).")
    cached_input_share: float = Field(0.0, ge=0, le=1, description="Share of input tokens served from prompt cache.")
    peak_to_mean: float = Field(1.0, ge=1, le=1000, allow_inf_nan=False, description="Peak hour load / mean load; self-hosting is sized for the peak.")
    requests_per_second: float | None = Field(None, gt=0, le=1e7, allow_inf_nan=False, description=(
        "Requests per second at the busy hour; with the request lengths it sets the peak load "
        "(instead of peak_to_mean) that self-hosted designs are sized for."))
    growth_per_month: float = Field(0.0, ge=-0.5, le=2, allow_inf_nan=False, description="Volume growth per month (0.05 = 5%).")
    horizon_months: int = Field(12, ge=1, le=120)
    sensitivity: Sensitivity = "internal"
    site: Literal["office", "datacenter", "colocation"] | None = Field(
        None, description="Where owned hardware runs (default: datacenter for regulated and confidential data, "
                          "else office for consumer and unified-memory machines, datacenter for the rest); "
                          "consumer GeForce cards are excluded from datacenter and colocation sites (driver licence).")
    task_mix: TaskMix = Field(default_factory=TaskMix)
    fine_tune: bool = Field(False, description="The model must be trained on proprietary data.")
    latency: Latency = Field(default_factory=Latency)
    uptime: float | None = Field(None, gt=0, lt=1, description="Availability target, e.g. 0.999.")
    monthly_active_users: int | None = Field(None, ge=0, le=10**11)
    engine: Literal["vllm", "sglang", "trtllm", "llamacpp", "mlx"] | None = Field(None, description="Serving engine whose calibrated profile models self-hosted throughput (default: by hardware).")
    monthly_revenue_usd: float | None = Field(None, ge=0, le=1e13, description="Checked against licence revenue clauses (Kimi, Mistral's modified MIT).")
    candidates: Candidates = Field(default_factory=Candidates)
    zero_retention_apis: list[str] = Field(default_factory=list, description="API ids you have a zero-data-retention agreement for.")
    assumptions: dict = Field(default_factory=dict, description="Overrides of the named assumptions (ovc breakeven --help).")
    api_price_decline_per_year: float = Field(0.0, ge=0, lt=1, description="Expected yearly fall of API prices (0.3 = 30%).")
    uncertainty: dict = Field(default_factory=dict, description="Monte Carlo distribution overrides by input name (docs/uncertainty.md).")
    min_capability: float | None = Field(None, ge=0, le=100, allow_inf_nan=False, description=(
        "Lowest score on the capability scale (AA Intelligence Index v4.1) an option's model must have, "
        "on top of the tier floors; unrated models are excluded unless vouched for in `capability`."))
    capability: dict[str, float] = Field(default_factory=dict, description=(
        "Scores you vouch for, by model or API id, on the AA Intelligence Index v4.1 scale (e.g. from your "
        "own evaluation); they replace the catalog's score for this workload and are printed as vouched."))

    @field_validator("capability")
    @classmethod
    def _capability_range(cls, v):
        for k, x in v.items():
            if isinstance(x, bool) or not (0 <= x <= 100):
                raise field_error(repr(k), f"{x!r}: a score on the 0-100 index scale")
        return v

    @model_validator(mode="before")
    @classmethod
    def _ranges(cls, data):
        if isinstance(data, dict):
            _check_ranges(data)
        return data

    @field_validator("tokens_per_day", "requests_per_day", mode="before")
    @classmethod
    def _parse_counts(cls, v, info):
        return _tokens(v, info.field_name)

    @field_validator("tokens_per_day", "requests_per_day", mode="after")
    @classmethod
    def _count_range(cls, v, info):  # "500M" and friends are numbers only after parsing
        if v is not None and (msg := problem(info.field_name, v)):
            raise ValueError(msg)
        return v

    @model_validator(mode="after")
    def _volume(self):
        if self.tokens_per_day is None:
            if self.requests_per_day is None or self.input_tokens is None or self.output_tokens is None:
                raise ValueError("give tokens_per_day, or requests_per_day with input_tokens and output_tokens")
            if self.input_tokens + self.output_tokens <= 0:
                raise ValueError("input_tokens + output_tokens must be > 0")
            total = self.requests_per_day * (self.input_tokens + self.output_tokens)
            if problem("tokens_per_day", total):
                raise field_error("requests_per_day", f"requests_per_day x (input_tokens + output_tokens) = "
                                                      f"{total:.3g} tokens/day is outside the plausible range "
                                                      f"{RANGES['tokens_per_day'].text()}")
        elif self.requests_per_day is not None:
            raise ValueError("give tokens_per_day or requests_per_day, not both")
        try:
            Assumptions(**self.assumptions)
        except ValidationError as e:
            err = e.errors()[0]
            raise field_error(f"assumptions.{err['loc'][0]}" if err["loc"] else "assumptions", err["msg"]) from None
        return self

    @property
    def total_tokens_per_day(self) -> float:
        if self.tokens_per_day is not None:
            return self.tokens_per_day
        return self.requests_per_day * (self.input_tokens + self.output_tokens)

    @property
    def effective_input_share(self) -> float:
        if self.tokens_per_day is not None:
            return self.input_share if self.input_share is not None else Assumptions().input_share
        return self.input_tokens / (self.input_tokens + self.output_tokens)

    def resolved_assumptions(self) -> Assumptions:
        base = dict(self.assumptions)
        base.setdefault("input_share", self.effective_input_share)
        if self.engine:
            base.setdefault("engine", self.engine)
        site = self.site or ("datacenter" if self.sensitivity in ("regulated", "confidential") else None)
        if site:
            base.setdefault("site", site)
        base.setdefault("cached_share", self.cached_input_share)
        if self.input_tokens is not None and self.output_tokens is not None and "context_tokens" not in base:
            base["context_tokens"] = max(1, int(self.input_tokens + self.output_tokens / 2))
        return Assumptions(**base)


class WorkloadFile(_M):
    version: Literal[1] = 1
    defaults: dict = Field(default_factory=dict, description="Fields applied to every workload unless it sets them.")
    sensitivity_rules: dict[Sensitivity, list[Deployment]] = Field(default_factory=dict)
    workloads: list[Workload] = Field(min_length=1, max_length=MAX_WORKLOADS_PER_FILE,
                                      description="The workloads (at most MAX_WORKLOADS_PER_FILE = 200 per file).")
    policy: dict | None = Field(None, description="Budgets and rules for `ovc check` (see docs/ci.md).")
    profile: str | list[str] | None = Field(None, description=(
        "Serving profile file(s) written by `ovc calibrate -o`, applied to every workload of the file (paths "
        "relative to this file; --profile adds more). See docs/calibrate.md."))
    _source: str = PrivateAttr("workload file")
    _profile_paths: list = PrivateAttr(default_factory=list)

    @property
    def profile_paths(self) -> list:
        """The ``profile:`` files, resolved against the workload file's directory and checked."""
        return list(self._profile_paths)
    """The file it was read from (for messages that name file and field)."""

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data):
        if isinstance(data, dict) and isinstance(data.get("defaults"), dict) and isinstance(data.get("workloads"), list):
            d = data["defaults"]
            merged = []
            for w in data["workloads"]:
                if isinstance(w, dict):
                    m = {**d, **w}
                    if isinstance(d.get("assumptions"), dict) and isinstance(w.get("assumptions"), dict):
                        m["assumptions"] = {**d["assumptions"], **w["assumptions"]}
                    merged.append(m)
                else:
                    merged.append(w)
            data = {**data, "workloads": merged}
        return data

    @model_validator(mode="after")
    def _unique_names(self):
        names = [w.name for w in self.workloads]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"workload names must be unique; repeated: {', '.join(sorted(dup))}")
        return self

    def rules(self) -> dict[str, list[str]]:
        return {**SENSITIVITY_DEFAULT_RULES, **self.sensitivity_rules}


def format_errors(err: ValidationError, label: str, data) -> str:
    """One line naming the file, the field path (workload by name) and what is allowed."""
    e = err.errors()[0]
    loc = list(e["loc"])
    parts = []
    for i, p in enumerate(loc):
        if loc[:1] == ["workloads"] and i == 1 and isinstance(p, int):
            try:
                parts[-1] = f"workloads[{data['workloads'][p].get('name', p)}]"
                continue
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
        parts.append(str(p) if not isinstance(p, int) else f"[{p}]")
    path = ".".join(parts).replace(".[", "[")
    msg = e["msg"]
    if e["type"] == "ovc_field":
        path = f"{path}.{e['ctx']['sub']}" if path else e["ctx"]["sub"]
        msg = e["ctx"]["msg"]
    elif e["type"] == "literal_error":
        msg = "must be one of " + e["ctx"]["expected"]
    elif e["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling; see `ovc schema`)"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    more = len(err.errors()) - 1
    return f"{label}: {path or '(top level)'}: {msg}" + (f" (+{more} more)" if more else "")


def load_workload_file(path: str | Path) -> WorkloadFile:
    """Read and validate a workload file; errors name file, field path and allowed values."""
    label = str(path)
    data = load_yaml_file(path)
    if not isinstance(data, dict):
        raise InputError(f"{label}: top level must be a mapping with a `workloads:` list (see `ovc init`)")
    try:
        wf = WorkloadFile.model_validate(data)
    except ValidationError as e:
        raise InputError(format_errors(e, label, data)) from None
    except InputError as e:  # token parsing inside validators
        raise InputError(f"{label}: {e}") from None
    wf._source = label
    if wf.profile:
        from openvclosed.decision.calibrate import load_profile_file

        names = [wf.profile] if isinstance(wf.profile, str) else list(wf.profile)
        for k, name in enumerate(names):
            where = "profile" if isinstance(wf.profile, str) else f"profile[{k}]"
            target = Path(name) if Path(name).is_absolute() else Path(path).parent / name
            try:
                load_profile_file(target)
            except InputError as e:
                raise InputError(f"{label}: {where}: {e}") from None
            wf._profile_paths.append(target)
    return wf


def _model_or_api(catalog):
    def lookup(name):
        try:
            return catalog.model(name)
        except InputError:
            try:
                return catalog.api(name)
            except InputError:
                raise InputError("neither a model nor an API of the catalog (`ovc catalog models` and "
                                 "`ovc catalog apis` list them)") from None
    return lookup


def check_candidates(wf: WorkloadFile, catalog) -> None:
    """Every name in each workload's ``candidates`` resolves in
    ``catalog``; else one line naming the file and the field path (never a flag)."""
    from openvclosed.units import parse_hw_spec

    for w in wf.workloads:
        c = w.candidates
        fields = (("candidates.hardware", c.hardware, None), ("candidates.models", c.models, catalog.model),
                  ("candidates.apis", c.apis, catalog.api), ("capability", list(w.capability), _model_or_api(catalog)))
        for field, items, lookup in fields:
            for i, x in enumerate(items or []):
                at = repr(x) if field == "capability" else i  # a mapping: the key, escaped
                where = f"{wf._source}: workloads[{w.name}].{field}[{at}]"
                try:
                    if field == "candidates.hardware":
                        catalog.gpu(parse_hw_spec(x, where).gpu_name)
                    elif lookup is not None:
                        lookup(x)
                except InputError as e:
                    msg = str(e)
                    raise InputError(msg if msg.startswith(where) else f"{where}: {msg}") from None
