"""Accelerator and system entries: memory as the driver reports it, dense TFLOPS, interconnect,
power, purchase prices with their basis and rent per provider, each dated."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Literal

from pydantic import Field, field_validator, model_validator

from openvclosed.catalog.base import _Entry, _Strict
from openvclosed.units import normalize_name

__all__ = ["Interconnect", "PriceBasis", "GpuPrice", "GpuRent", "GpuEntry"]


class Interconnect(_Strict):
    kind: str = "pcie"  # nvlink | pcie | infinity_fabric | ethernet | unified | none
    link_gb_s: float | None = Field(None, gt=0)
    p2p: bool | None = None

    @property
    def fast(self) -> bool:
        return self.kind.lower() in {"nvlink", "nvswitch", "infinity_fabric", "infinity-fabric", "sxm"}


class PriceBasis(_Strict):
    condition: Literal["new", "used", "refurbished"] | None = None
    unit: Literal["card", "module", "system"] | None = None
    server_included: bool | None = None
    kind: Literal["list", "street", "msrp", "market", "quote", "estimate"] | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _lower(cls, v):
        return v.lower() if isinstance(v, str) else v
    gpus_in_unit: int | None = Field(None, gt=0)


class GpuPrice(_Strict):
    usd: float = Field(gt=0, description="Per GPU (a system price is divided by gpus_in_unit).")
    valid_from: dt.date
    basis: PriceBasis = Field(default_factory=PriceBasis)
    source: str = ""
    note: str | None = None

    def describe(self) -> str:
        b = self.basis
        parts = [b.condition, b.unit, b.kind]
        words = " ".join(p for p in parts if p) or "basis not stated"
        if b.server_included:
            words += ", server included"
        elif b.server_included is False:
            words += ", server not included"
        return f"{words}, {self.valid_from}"


class GpuRent(_Strict):
    provider: str
    usd_per_gpu_hour: float = Field(gt=0)
    valid_from: dt.date
    source: str = ""
    note: str | None = None


class GpuEntry(_Entry):
    """One accelerator or system. Memory in GiB as the driver reports it (or the GPU's share of unified memory)."""

    name: str
    vendor: str
    segment: Literal["consumer", "workstation", "datacenter", "unified"] | None = None
    aliases: list[str] = Field(default_factory=list)
    memory_gib: float = Field(gt=0)
    memory_gb_marketed: float | None = Field(None, gt=0)
    memory_basis: str | None = None
    bandwidth_gb_s: float = Field(gt=0)
    fp16_tflops: float | None = Field(None, gt=0, description="Dense FP16/BF16 tensor TFLOPS.")
    tflops_basis: str | None = Field(None, description="Where fp16_tflops comes from: datasheet (default when "
                                     "absent), 'derived: <formula, sources>' or 'prefill_measured: <source>'.")
    fp8_tflops: float | None = Field(None, gt=0)
    fp4_tflops: float | None = Field(None, gt=0)
    int8_tops: float | None = Field(None, gt=0)
    tdp_w: float | None = Field(None, gt=0)
    system_w_per_gpu: float | None = Field(None, gt=0, description="Whole-system power rating per GPU [W].")
    interconnect: Interconnect = Field(default_factory=Interconnect)
    prices: list[GpuPrice] = Field(default_factory=list)
    rent: list[GpuRent] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, d):
        """Old flat fields (vram_gb, purchase_usd, cloud_usd_per_hour, interconnect as a word) still load."""
        if not isinstance(d, dict):
            return d
        d = dict(d)
        if "vram_gb" in d:
            d["memory_gib"] = d.pop("vram_gb")  # the old name of the same figure; it overrides
        if isinstance(d.get("interconnect"), str):
            d["interconnect"] = {"kind": d["interconnect"]}
        if d.get("interconnect") is None:
            d.pop("interconnect", None)
        _legacy_record(d, "purchase_usd", "price", "prices", lambda usd: {"usd": usd})
        _legacy_record(d, "cloud_usd_per_hour", "cloud", "rent",
                       lambda usd: {"provider": "catalog", "usd_per_gpu_hour": usd})
        return d

    @field_validator("aliases")
    @classmethod
    def _norm_aliases(cls, v: list[str]) -> list[str]:
        return [normalize_name(str(a)) for a in v]

    # --- prices valid at a date -------------------------------------------------------------
    def price_at(self, when: dt.date | None = None, basis: str = "new") -> GpuPrice | None:
        """The purchase price that applies at ``when`` (default: the newest) on one ``basis`` of
        condition (``new`` by default: new street/list prices; ``used`` is a named alternative).
        Among prices valid then, a whole-server price per GPU first (what a deployable GPU costs),
        else the newest. Prices without a stated condition count as new; when no price of that
        basis exists the other prices are used (the returned record's ``basis`` says which)."""
        valid = [p for p in self.prices if when is None or p.valid_from <= when]
        if not valid:
            return None
        same = [p for p in valid if (p.basis.condition or "new") == basis]
        valid = same or valid
        latest = max(p.valid_from for p in valid)
        recent = [p for p in valid if (latest - p.valid_from).days <= 365]
        server = [p for p in recent if p.basis.server_included]
        pool = server or recent
        return max(pool, key=lambda p: (p.valid_from, -p.usd))

    def rent_at(self, when: dt.date | None = None) -> tuple[float, list[GpuRent]] | None:
        """Median on-demand $/GPU-hour over the providers' newest quotes valid at ``when``."""
        newest: dict[str, GpuRent] = {}
        for r in self.rent:
            if when is not None and r.valid_from > when:
                continue
            cur = newest.get(r.provider)
            if cur is None or r.valid_from > cur.valid_from:
                newest[r.provider] = r
        if not newest:
            return None
        quotes = list(newest.values())
        return float(statistics.median(q.usd_per_gpu_hour for q in quotes)), quotes

    # --- compatibility accessors -------------------------------------------------------------
    @property
    def tflops_source(self) -> str:
        """``datasheet``, or the derivation / measurement the FP16 figure rests on (none: no figure)."""
        if self.fp16_tflops is None:
            return "none"
        return self.tflops_basis or "datasheet"

    @property
    def vram_gb(self) -> float:  # GiB, the historical name
        return self.memory_gib

    @property
    def purchase_usd(self) -> float | None:
        p = self.price_at()
        return p.usd if p else None

    @property
    def price_as_of(self) -> dt.date | None:
        p = self.price_at()
        return p.valid_from if p else None

    @property
    def cloud_usd_per_hour(self) -> float | None:
        r = self.rent_at()
        return r[0] if r else None

    @property
    def cloud_as_of(self) -> dt.date | None:
        r = self.rent_at()
        return min(q.valid_from for q in r[1]) if r else None

    @property
    def power_w_per_gpu(self) -> float | None:
        return self.system_w_per_gpu


def _legacy_record(d: dict, value_key: str, prefix: str, target: str, record) -> None:
    """Move an old flat price (``value_key`` with ``{prefix}_as_of``, ``_source``, ``_note``) in
    place into the dated list ``target`` (first, before any dated records); the flat fields go
    even when the value is missing."""
    usd = d.pop(value_key, None)
    when = d.pop(f"{prefix}_as_of", None) or d.get("as_of")
    src = d.pop(f"{prefix}_source", None) or ""
    note = d.pop(f"{prefix}_note", None)
    if usd is not None:
        d[target] = [{**record(usd), "valid_from": when, "source": src, "note": note}] + list(d.get(target) or [])

