"""``ovc sweep``: break-even frontier over a grid of volumes x hardware x models x precisions x APIs."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from openvclosed.commands.options import (EPILOG, AsOfOpt, CatalogOpt, FormatOpt, JsonOpt, MaxAgeOpt,  # noqa: F401
                                          assumptions, emit_findings, load_catalog, out_format, catalog_inputs,
                                          parse_as_of)

from openvclosed.errors import InputError

MAX_SCENARIOS = 1_000_000_000


def parse_token_grid(text: str, max_points: int = MAX_SCENARIOS, allocate: bool = True):
    """``LO:HI:N`` (N log-spaced volumes) or a comma list (``1e8,5e8,2B``) -> sorted array of tokens/day.

    With ``allocate=False`` only the number of volumes (validated, nothing allocated)."""
    import numpy as np

    from openvclosed.commands.options import volume
    from openvclosed.engine.sweep import LogGrid

    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise InputError(f"--tokens: {text!r} is not LO:HI:N, e.g. 1e6:1e10:50")
        lo, hi = volume(parts[0], "--tokens"), volume(parts[1], "--tokens")
        try:
            n = int(float(parts[2]))
        except ValueError:
            raise InputError(f"--tokens: {parts[2]!r} is not a number of points") from None
        if not (0 < lo < hi) or n < 2:
            raise InputError(f"--tokens: {text!r} needs 0 < LO < HI and N >= 2")
        if float(parts[2]) != n:
            raise InputError(f"--tokens: {parts[2]!r} is not a whole number of points")
        if n > max_points:  # before allocating the grid
            raise InputError(f"--tokens: {n:,} volumes is more than {max_points:,} scenarios "
                             "(--max-scenarios raises the cap)")
        return LogGrid(lo, hi, n) if allocate else n  # np.geomspace's values, computed block by block
    vals = sorted({volume(x, "--tokens") for x in text.split(",") if x.strip()})
    if len(vals) > max_points:
        raise InputError(f"--tokens: {len(vals):,} volumes is more than {max_points:,} scenarios "
                         "(--max-scenarios raises the cap)")
    if not vals:
        raise InputError("--tokens: give LO:HI:N or a comma list of volumes")
    return np.array(vals, dtype=float) if allocate else len(vals)


def _split(values: list[str] | None) -> list[str]:
    return [x.strip() for v in values or [] for x in v.split(",") if x.strip()]


def build_designs(cat, gpus: list[str], models: list[str], quants: list[str], a, rented: bool):
    """Every (hardware spec, model, precision) the user asked for, and their per-replica evaluation."""
    from openvclosed.decision.designs import Design, evaluate, precisions_for
    from openvclosed.decision.selection import check_precision, choose_default_model
    from openvclosed.units import parse_hw_spec

    for q in quants:
        check_precision(q)
    designs = []
    for spec in gpus:
        hw = parse_hw_spec(spec)
        gpu = cat.gpu(hw.gpu_name)
        if models == ["all"]:
            mods = list(cat.models.values())
        elif models:
            mods = [cat.model(m) for m in models]
        else:
            mods = [choose_default_model(cat, gpu, hw.n_gpus, a)[0]]
        for m in mods:
            for p in (quants or precisions_for(m)):
                if p not in precisions_for(m):
                    continue  # never above the released precision
                designs.append(Design(gpu, hw.n_gpus, m, p, rented))
    if not designs:
        raise InputError("no (gpu, model, precision) combination to sweep: a model is never run above its "
                         "released precision; check --quant")
    return designs, evaluate(designs, a)


def register(app: typer.Typer) -> None:

    @app.command(epilog=EPILOG)
    def sweep(
        tokens: Annotated[str, typer.Option("--tokens", "-t", help="Volumes: LO:HI:N (N log-spaced tokens/day) or a comma list.")] = "1e6:1e10:50",
        gpu: Annotated[Optional[list[str]], typer.Option("--gpu", "-g", help="Hardware specs (repeatable or comma list) [default 2x4090].", show_default=False)] = None,
        model: Annotated[Optional[list[str]], typer.Option("--model", "-m", help="Models (repeatable or comma list; 'all' = the whole catalog) [default: the strongest that fits each spec].", show_default=False)] = None,
        quant: Annotated[Optional[list[str]], typer.Option("--quant", "-q", help="Precisions (repeatable or comma list) [default: each model's released precision and lower].", show_default=False)] = None,
        api: Annotated[Optional[list[str]], typer.Option("--api", "-a", help="APIs (repeatable or comma list; 'all' = every catalog API) [default: flagship + small per provider + hosted offers].", show_default=False)] = None,
        rent: Annotated[bool, typer.Option("--rent", help="Rent cloud GPUs instead of buying them.")] = False,
        input_share: Annotated[Optional[float], typer.Option("--input-share", help="Input tokens / all tokens [default 0.75].", show_default=False)] = None,
        utilization: Annotated[Optional[float], typer.Option("--utilization", "-u", help="Mean load / capacity [default 0.5].", show_default=False)] = None,
        electricity_usd_kwh: Annotated[Optional[float], typer.Option("--electricity-usd-kwh", help="Electricity price [default 0.15].", show_default=False)] = None,
        ops_usd_month: Annotated[Optional[float], typer.Option("--ops-usd-month", help="People cost per replica [default 1000 USD/month].", show_default=False)] = None,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the frontier summary (one row per design x API) to FILE.csv (or .parquet with pyarrow).", show_default=False)] = None,
        full: Annotated[Optional[Path], typer.Option("--full", help="Also write every scenario to FILE.csv/.parquet (large: one row per scenario).", show_default=False)] = None,
        chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Scenarios per chunk (memory bound).")] = 1 << 19,
        rows: Annotated[int, typer.Option("--rows", min=1, help="Frontier rows to print.")] = 30,
        catalog: CatalogOpt = None,
        force: Annotated[bool, typer.Option("--force", help="Replace existing --output/--full files.")] = False,
        max_scenarios: Annotated[int, typer.Option("--max-scenarios", min=1, help="Refuse grids larger than this (volumes x designs x APIs); raise it for a bigger sweep.")] = MAX_SCENARIOS,
        as_of: AsOfOpt = None,
        as_json: JsonOpt = False,
        fmt: FormatOpt = None,
    ):
        """Break-even frontier over a grid: for each hardware/model/precision, the volume where it beats each API.

        \b
        Examples:
          ovc sweep --tokens 1e6:1e10:50 --gpu 2x4090,h100,8xh100 --model llama-3.1-8b,llama-3.3-70b
          ovc sweep -t 1e6:1e10:100000 -g 4090,2x4090 -m all --api all -o frontier.csv
          ovc sweep -t 1e7:1e9:20 -g h100 --rent --full scenarios.csv --json
        """
        import sys
        import time

        import numpy as np

        from openvclosed.decision.selection import default_apis
        from openvclosed.engine.sweep import sweep_summary
        from openvclosed.units import parse_share

        out = out_format(fmt, as_json)
        for name, v in (("--input-share", input_share), ("--utilization", utilization)):
            if v is not None:
                parse_share(v, name)
        a = assumptions(input_share=input_share, utilization=utilization,
                                  electricity_usd_kwh=electricity_usd_kwh, ops_usd_month=ops_usd_month)
        for path, what in ((output, "--output"), (full, "--full")):
            if path is not None and path.suffix.lower() not in (".csv", ".parquet"):
                raise InputError(f"{what}: {str(path)!r} must end in .csv or .parquet")
        if output is not None and full is not None and _same_path(output, full):
            raise InputError(f"--output and --full are the same file {str(output)!r}; give two paths")
        cat = load_catalog(catalog)
        when = parse_as_of(as_of)
        if when is not None:  # the prices valid then (APIs by their history, GPUs by their price records)
            cat = cat.at(when)
            a = a.model_copy(update={"as_of": when})
        n_volumes = parse_token_grid(tokens, max_scenarios, allocate=False)
        designs, ev = build_designs(cat, _split(gpu) or ["2x4090"], _split(model), _split(quant), a, rent)
        names = _split(api)
        if names == ["all"]:
            apis = list(cat.apis.values())
        elif names:
            apis = [cat.api(x) for x in names]
        else:
            seen: dict[str, object] = {}
            for d in designs:
                for x in default_apis(cat, d.model):
                    seen.setdefault(x.id, x)
            apis = list(seen.values())
        n = len(designs) * len(apis) * n_volumes
        if n > max_scenarios:  # before the grid is allocated
            raise InputError(f"--tokens: {n_volumes:,} volumes x {len(designs):,} designs x {len(apis):,} APIs = {n:,} "
                             f"scenarios is more than {max_scenarios:,} (--max-scenarios raises the cap)")
        t = parse_token_grid(tokens, max_scenarios)
        from openvclosed.decision.apiprice import api_price

        prices = np.array([api_price(x, a) for x in apis])
        cap = np.asarray(ev.capacity_tokens_per_day, dtype=float)
        f = np.asarray(ev.replica_usd_per_day, dtype=float)
        from contextlib import ExitStack

        from openvclosed.fileio import check_write_target, write_stream_atomic

        inputs = catalog_inputs(catalog)
        if output is not None:
            check_write_target(output, force=force, inputs=inputs)  # fail before the work, not after
        stack = ExitStack()
        writer = None
        if full is not None:  # temp file + rename: a killed run leaves the old file, never half a new one
            fh = stack.enter_context(write_stream_atomic(full, force=force, inputs=inputs, what="--full",
                                                         binary=True))
            writer = _FullWriter(full, fh)
        t0 = time.perf_counter()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        err = Console(stderr=True)
        with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err,
                      transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("sweep", total=n)
            with stack:
                s = sweep_summary(t, cap, f, prices, days_per_month=a.days_per_month, chunk_size=chunk_size,
                                  fixed_usd_per_day=np.asarray(ev.fixed_usd_per_day, dtype=float),
                                  progress=lambda done, total: bar.update(task, completed=done),
                                  on_chunk=writer.write if writer else None)
                if writer:
                    writer.close()
        elapsed = time.perf_counter() - t0
        frontier = []
        for i in range(len(s["design"])):
            j = int(s["design"][i])
            d, x = designs[j], apis[s["api"][i]]
            frontier.append({
                "design_id": j, "api_id": int(s["api"][i]), "gpu": d.gpu.id, "n_gpus": d.n_gpus,
                "model": d.model.id, "quant": d.precision, "mode": d.mode, "fits": bool(ev.fits[j]),
                "capacity_tokens_per_day": float(cap[j]),
                "replica_usd_per_month": float(f[j]) * a.days_per_month, "api": x.id, "api_kind": x.kind,
                "api_usd_per_mtok": float(prices[s["api"][i]]),
                "breakeven_tokens_per_day": float(s["breakeven_tokens_per_day"][i]),
                "first_win_tokens_per_day": float(s["first_win_tokens_per_day"][i]),
                "last_loss_tokens_per_day": float(s["last_loss_tokens_per_day"][i]),
                "win_share": float(s["win_share"][i]),
                "max_saving_usd_per_month": float(s["max_saving_usd_per_month"][i])})
        if output is not None:
            _write_table(output, frontier, force=force, inputs=[*inputs, *([full] if full else [])])
        from openvclosed.report.emit import emit
        from openvclosed.results.sweep import SweepResult

        result = SweepResult(scenarios=n, seconds=round(elapsed, 3),
                             tokens_per_day={"min": float(t[0]), "max": float(t[-1]), "points": int(t.size)},
                             frontier=frontier, output=str(output) if output else None,
                             full=str(full) if full else None)
        typer.echo(emit(result, out, **({"rows": rows} if out == "table" else {})), nl=False)
        if out == "table" and output is None and len(frontier) > rows:
            sys.stderr.write(f"ovc: note: {len(frontier) - rows} more frontier rows; write them all with -o FILE.csv\n")


def _same_path(a: Path, b: Path) -> bool:
    import os

    return os.path.abspath(a) == os.path.abspath(b) or (a.exists() and b.exists() and os.path.samefile(a, b))


def _write_table(path: Path, rows: list[dict], *, force: bool = False, inputs=()) -> None:
    """The frontier as CSV (cells guarded against formula injection) or Parquet, atomically."""
    import csv
    import math

    from openvclosed.fileio import write_stream_atomic
    from openvclosed.report.escape import csv_cell

    cols = list(rows[0]) if rows else []
    if path.suffix.lower() == ".parquet":
        pa, pq = _arrow()
        with write_stream_atomic(path, force=force, inputs=inputs, binary=True) as fh:
            pq.write_table(pa.table({c: [r[c] for r in rows] for c in cols}), fh)
        return
    with write_stream_atomic(path, force=force, inputs=inputs, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            # empty where JSON has null: never (inf) and none (nan), docs/json.md
            w.writerow({k: ("" if isinstance(v, float) and not math.isfinite(v) else csv_cell(v)) for k, v in r.items()})


def _arrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("writing .parquet needs pyarrow (pip install pyarrow); or write .csv") from None
    return pa, pq


class _FullWriter:
    """Per-scenario rows, chunk by chunk (CSV, or Parquet with pyarrow), into an open binary
    handle from :func:`openvclosed.fileio.write_stream_atomic` (the caller commits or discards it)."""

    COLS = ("design_id", "api_id", "tokens_per_day", "selfhost_usd_per_month", "api_usd_per_month",
            "saving_usd_per_month", "selfhost_cheaper")

    def __init__(self, path: Path, fh):
        self.path = path
        self.fh = fh
        self.parquet = path.suffix.lower() == ".parquet"
        if self.parquet:
            self.pa, self._pq = _arrow()
            self.pq_writer = None
        else:
            fh.write((",".join(self.COLS) + "\n").encode())

    def write(self, ch: dict) -> None:
        import numpy as np

        cols = [ch["design"], ch["api"], ch["tokens_per_day"], ch["selfhost_usd_per_month"], ch["api_usd_per_month"],
                ch["saving_usd_per_month"], ch["selfhost_cheaper"].astype(np.int8)]
        if self.parquet:  # not finite (no self-hosting design serves it) -> null, as the CSV's empty cell
            cols = [self.pa.array(c, mask=~np.isfinite(c)) if c.dtype.kind == "f" else c for c in cols]
            table = self.pa.table(dict(zip(self.COLS, cols)))
            if self.pq_writer is None:
                self.pq_writer = self._pq.ParquetWriter(self.fh, table.schema)
            self.pq_writer.write_table(table)
        else:
            import io

            buf = io.BytesIO()
            np.savetxt(buf, np.column_stack(cols), fmt=["%d", "%d", "%.6g", "%.6g", "%.6g", "%.6g", "%d"],
                       delimiter=",")
            data = buf.getvalue()
            if b"inf" in data or b"nan" in data:  # %.6g never writes these letters for a finite number
                data = data.replace(b"-inf", b"").replace(b"inf", b"").replace(b"nan", b"")
            self.fh.write(data)

    def close(self) -> None:
        if self.parquet and self.pq_writer is not None:
            self.pq_writer.close()
