"""Rich tables (for people) and JSON (for machines) from the shared result objects."""

from __future__ import annotations

import datetime as dt
import math

from rich import box
from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from openvclosed.report.findings import finding_lines
from openvclosed.report.layout import Col, fit_table
from openvclosed.report.text import cell, fmt_months, fmt_tokens, render_text, term, terminal_width, usd
from openvclosed.decision.assumptions import BASIS
from openvclosed.results import BreakevenResult, FitResult

__all__ = ["render_breakeven", "render_fit", "render_catalog", "render_json", "usd", "fmt_months"]


_render = render_text  # the one plain-text renderer (report/text.py)


def render_json(result) -> str:
    from openvclosed.report.escape import json_text

    return json_text(result.model_dump_json(indent=2)) + "\n"


def render_breakeven(r: BreakevenResult, width: int | None = None) -> str:
    s = r.selfhost
    lines = [
        f"model            {term(s.model_name)}{'' if s.model_name == s.model else f' [{term(s.model)}]'} at {s.quant} ({s.weight_bits:.3g} bits/weight)",
        f"hardware         {s.n_gpus} x {term(s.gpu_name)} per replica, {s.mode}; {term(s.price_basis)}",
        f"layout           {s.instances} instance{'s' if s.instances != 1 else ''} x tensor parallel {s.tp} on "
        f"{s.engine}" + (f" ({s.layout_reason})" if s.layout_reason else ""),
        f"fits             {'yes' if s.fits else 'NO'}: weights {s.weights_gb:.1f} GB, KV {s.kv_gb_per_seq:.2f} GB per "
        f"sequence, {s.usable_vram_gb:.1f} GB usable -> {s.max_concurrent_seqs:.0f} concurrent sequences",
        f"decode           {s.decode_tokens_per_s_single:,.0f} tok/s single stream, {s.decode_tokens_per_s:,.0f} tok/s "
        f"aggregate; prefill {s.prefill_tokens_per_s:,.0f} tok/s "
        f"({'measured' if s.throughput_source == 'measured' else 'calibrated model, docs/validation.md'})",
        f"capacity         {fmt_tokens(s.capacity_tokens_per_day)} tokens/day per replica at "
        f"{r.assumptions['utilization']:.0%} utilisation -> {fmt_replicas(s.replicas)} for "
        f"{fmt_tokens(r.tokens_per_day)} tokens/day",
        f"cost             {usd(s.usd_per_month)}/month ({usd(s.usd_per_mtok, 3)} per 1M tokens); "
        + ", ".join(f"{k} {usd(v)}" for k, v in s.cost_breakdown_usd_per_month.items())
        + (f"; capex {usd(s.capex_usd)}" if s.capex_usd else ""),
        f"licence          {term(s.license.name)}; commercial use {'yes' if s.license.commercial_use else 'NO'}"
        + (f"; MAU limit {s.license.mau_limit:,}" + (f" ({s.license.mau_basis.replace('_', ' ')})"
                                                     if s.license.mau_basis else "") if s.license.mau_limit else "")
        + ("; conditions: " + ", ".join(sorted({c['kind'].replace('_', ' ') for c in s.license.conditions
                                                 if c['kind'] != 'mau_limit'})) if s.license.conditions else ""),
        "openness         " + ", ".join(f"{k.replace('_', ' ')} {'yes' if v else 'no'}" for k, v in s.openness.items()),
    ]
    panel = Panel(Text("\n".join(lines)), title=f"Self-hosted: {cell(s.model)} on {s.n_gpus}x{cell(s.gpu)}", box=box.ROUNDED,
                  title_align="left")
    width = width or terminal_width()
    cols = [Col("API"), Col("kind", drop=5), Col("tier", drop=6), Col("$/month", "right"),
            Col("$/1M tok", "right", drop=3), Col("break-even tok/day", "right"), Col("payback mo", "right", drop=4),
            Col("cheaper"), Col("by $/month", "right")]
    rows = []
    for a in r.apis:
        rows.append([cell(a.api), cell(a.kind), cell(a.tier), usd(a.usd_per_month), usd(a.usd_per_mtok, 3),
                     fmt_tokens(a.breakeven_tokens_per_day) if a.breakeven_tokens_per_day else "never",
                     fmt_months(a.payback_months), "self-host" if a.cheaper == "selfhost" else "API",
                     usd(abs(a.saving_usd_per_month))])
    t, note = fit_table(cols, rows, width, title=f"APIs at {fmt_tokens(r.tokens_per_day)} tokens/day "
                                                 f"({fmt_tokens(r.tokens_per_month)}/month)")
    keys = ["input_share", "cached_share", "context_tokens", "kv_bits", "utilization", "electricity_usd_kwh", "pue",
            "power_draw_share", "ops_usd_month", "amortize_years", "residual_share", "rate", "host_usd_per_gpu"]
    assum = "  ".join(f"{k}={_v(r.assumptions[k])}" for k in keys if r.assumptions.get(k) is not None)
    wins = [Text(x) for x in win_interval_lines(r.apis)]
    parts = [panel, t] + ([note] if note else []) + wins + [
        Text(term(r.summary)), Text("assumptions: " + assum + "  (see --help; `ovc catalog` for sources)", style="dim")]
    parts += [Text(x) for x in finding_lines(r.findings)]
    return _render(Group(*parts), width)


def win_interval_lines(apis) -> list[str]:
    """A line per API where self-hosting also wins on volumes below its break-even (the staircase
    crosses the API's line more than once): the break-even column is where it wins at every volume."""
    out = []
    for a in apis:
        if not a.win_intervals:
            continue
        shown = ", ".join(f"{fmt_tokens(lo)}-{fmt_tokens(hi)}" for lo, hi in a.win_intervals[:3])
        more = a.win_intervals_total - min(3, len(a.win_intervals))
        out.append(f"{term(a.api)}: self-hosting is also cheaper at {shown}{f' and {more} more interval(s)' if more > 0 else ''} "
                   f"tokens/day; at every volume above {fmt_tokens(a.breakeven_tokens_per_day)}")
    if out:
        out.insert(0, "break-even = the volume above which self-hosting is cheaper at every volume; below it:")
    return out


def fmt_replicas(n: float) -> str:
    if not math.isfinite(n):
        return "no replica fits"
    return f"{n:.0f} replica" + ("s" if n != 1 else "")


def _v(x) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def render_fit(r: FitResult, width: int | None = None) -> str:
    width = width or terminal_width()
    batch = r.max_batch
    cols = [Col("GPUs", "right"), Col("quant"), Col("fits"), Col("weights GB", "right"),
            Col("used GB", "right"), Col("batch", "right", drop=1),
            Col("free GB", "right"), Col("max seqs", "right"), Col("tok/s single", "right", drop=3),
            Col("tok/s aggregate", "right"), Col("quality risk", wrap=True, drop=2)]
    if batch is None:
        cols[5] = Col("batch", "right", drop=9)
    rows = []
    for row in r.rows:
        running = (min(batch, int(row.max_concurrent_seqs))
                   if batch is not None and row.fits and math.isfinite(row.max_concurrent_seqs) else None)
        if running is not None and row.serving is not None:
            running = int(row.serving.batch_per_instance)  # --concurrency spreads over the instances
        rows.append([str(row.n_gpus), cell(row.quant), "yes" if row.fits else "no", f"{row.weights_gb:.1f}",
                     f"{row.vram_used_gb:.1f}" if row.fits else "-",
                     str(running) if row.fits and running is not None else "-",
                     f"{row.vram_free_gb:.1f}" if row.fits else f"short {-row.vram_free_gb:.1f}",
                     f"{row.max_concurrent_seqs:.0f}", f"{row.decode_tokens_per_s_single:,.0f}" if row.fits else "-",
                     f"{row.decode_tokens_per_s_aggregate:,.0f}" if row.fits else "-", cell(row.quality_risk or "-")])
    if batch is None:
        cols, rows = cols[:5] + cols[6:], [x[:5] + x[6:] for x in rows]
    t, note = fit_table(cols, rows, width, title=f"{cell(r.model_name)} on {cell(r.gpu_name)} "
                                                 f"(context {r.context_tokens:,} tokens/sequence)")
    parts = [t] + ([note] if note else [])
    if batch is not None:
        parts.append(Text(f"used GB and aggregate tok/s are at the running batch = min(max seqs, "
                          f"--batch {batch}); max seqs = sequences that fit in memory", style="dim"))
    sp = next((row.serving for row in r.rows if row.fits and row.serving is not None), None)
    if sp is not None and sp.concurrency is not None:
        parts.append(Text(f"serving: {sp.concurrency:g} requests in flight, {sp.input_tokens:g} in / "
                          f"{sp.output_tokens:g} out per request; aggregate = output tok/s of the machine with "
                          f"prompts prefilled in the same steps (--json: serving.tpot_ms, ttft_ms)", style="dim"))
    parts += [Text(term(s)) for s in r.suggestions] + [Text(x) for x in finding_lines(r.findings)]
    return _render(Group(*parts), width)


def render_catalog(kind: str, entries: list, today: dt.date, max_age_days: int, width: int | None = None) -> str:
    width = width or terminal_width()

    def age(d):
        if d is None:
            return "-"
        days = (today - d).days
        return f"{days}d" + (" STALE" if days > max_age_days else "")

    rows = []
    if kind == "apis":
        cols = [Col("id"), Col("kind", drop=3), Col("tier", drop=4), Col("in $/1M", "right"),
                Col("out $/1M", "right"), Col("cached $/1M", "right", drop=2), Col("batch", "right", drop=5),
                Col("context", "right", drop=6), Col("as_of", drop=7), Col("age", wrap=True, drop=1),
                Col("avail", drop=8), Col("tok/ref", "right", drop=9), Col("AA v4.1", "right", drop=10)]
        for e in entries:
            cap = getattr(e, "capability", None)
            rows.append([cell(e.id), cell(e.kind), cell(e.tier or f"({e.serves_model})"), f"{e.input_usd_per_mtok:g}",
                         f"{e.output_usd_per_mtok:g}", _opt(e.cached_input_usd_per_mtok), f"{e.batch_discount:.0%}",
                         _opt(e.context_tokens), str(e.as_of), age(e.as_of), e.availability,
                         _opt(e.tokens_per_reference_token), _opt(cap.score) if cap else "-"])
    elif kind == "gpus":
        cols = [Col("id"), Col("memory GiB", "right"), Col("GB/s", "right", drop=6), Col("FP16 TF", "right", drop=7),
                Col("FP8 TF", "right", drop=8), Col("FP4 TF", "right", drop=9), Col("link", drop=10),
                Col("TDP W", "right", drop=5), Col("buy $/GPU", "right"), Col("basis", wrap=True, drop=3),
                Col("price age", wrap=True, drop=2), Col("$/GPU-h", "right"), Col("cloud age", wrap=True, drop=4)]
        for e in entries:
            p = e.price_at()
            basis = (p.basis.unit or "?") + (" +server" if p.basis.server_included else "") if p else "-"  # literals
            rows.append([cell(e.id), f"{e.memory_gib:g}", f"{e.bandwidth_gb_s:g}", _opt(e.fp16_tflops),
                         _opt(e.fp8_tflops), _opt(e.fp4_tflops), cell(e.interconnect.kind), _opt(e.tdp_w),
                         _opt(e.purchase_usd), cell(basis), age(e.price_as_of), _opt(e.cloud_usd_per_hour),
                         age(e.cloud_as_of)])
    else:
        cols = [Col("id"), Col("params B", "right"), Col("active B", "right", drop=4), Col("layers", "right", drop=8),
                Col("attention", drop=9), Col("bits", "right", drop=7), Col("licence", wrap=True),
                Col("commercial"), Col("conditions", wrap=True, drop=3), Col("data", drop=5), Col("code", drop=6),
                Col("tiers", wrap=True, drop=2), Col("AA index", "right", drop=1)]
        for e in entries:
            att = "+".join(f"{g.layers}{g.type[0]}" for g in e.attention)
            conds = ", ".join(sorted({c.kind for c in e.license.conditions})) or "-"
            rows.append([cell(e.id), f"{e.params_b:g}", f"{e.active_params_b:g}", str(e.layers), att,
                         f"{e.native_weight_bits:.3g}", cell(e.license.spdx or e.license.name),
                         "yes" if e.license.commercial_use else "NO", cell(conds),
                         "yes" if e.openness.training_data.open else "no",
                         "yes" if e.openness.training_code.open else "no",
                         ", ".join(e.tier_list), "-" if math.isnan(e.quality_score) else f"{e.quality_score:g}"])
    t, note = fit_table(cols, rows, width, title=f"{kind} ({len(entries)})")
    users = sorted({e.catalog for e in entries} - {"bundled"})
    notes = ([note] if note else []) + [Text(
        f"sources: `ovc catalog {kind} --json` lists every entry's source"
        + ("; data/code = training data / training code published" if kind == "models" else ""))]
    if users:
        notes.append(Text("entries from user catalogs: " + ", ".join(
            f"{term(e.id)} ({term(e.catalog)})" for e in entries if e.catalog != "bundled")))
    return _render(Group(t, *notes), width)


def _opt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, int) and v >= 10000:
        return f"{v:,}"
    return f"{v:g}"


__all__ += ["BASIS"]


def render_breakeven_full(r: BreakevenResult, width: int | None = None) -> str:
    """The breakeven tables, plus the horizon / Monte Carlo / sensitivity sections when they were run."""
    text = render_breakeven(r, width)
    if r.horizon is not None:
        from openvclosed.report.plots import render_uncertainty

        text += render_uncertainty(r, width)
    return text


def render_catalog_result(r, width: int | None = None) -> str:
    """``ovc catalog KIND`` as a table (a :class:`~openvclosed.results.catalog.CatalogResult`)."""
    return render_catalog(r.kind, r.entries, dt.date.fromisoformat(r.today), r.max_age_days, width)


def render_catalog_json(r) -> str:
    """``{"schema_version": N, "<kind>": [entry, ...]}`` (docs/json.md)."""
    import json

    from openvclosed.report.escape import json_text

    return json_text(json.dumps({"schema_version": r.schema_version, r.kind: [e.model_dump(mode="json") for e in r.entries]},
                                indent=2)) + "\n"
