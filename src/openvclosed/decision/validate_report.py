"""The validation run: fit, leave-one-family-out predictions through ``ovc fit`` itself, report.

``python -m openvclosed.decision.validate [--write]``. Every held-out figure in the report is
``rows[0].serving.output_tokens_per_s`` of ``ovc fit <the row's flags> --json`` run in this
process (the CLI's own entry point) under the profiles fitted without the row's family; the
vectorized predictions the fit used are checked against it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import math

import numpy as np

from openvclosed.catalog import Catalog, load_catalog
from openvclosed.catalog.measurements import read_measurements
from openvclosed.decision.calibration import using_profiles
from openvclosed.decision.validate import (LINK_KINDS, BOUNDS, FAMILY_CAP, FITTED, MARGIN, Case, case_inputs, cross_validate,
                                           family_weights, fit_engine, fit_links, link_info, predict, prepare, stack,
                                           start_links, starting_points)
from openvclosed.engine.profiles import ENGINES, PROFILE_KEYS

__all__ = ["run", "via_cli", "categories", "report", "main"]


def via_cli(c: Case, catalog_files: list[str] | None = None) -> float:
    """``ovc fit <c.argv()> --json``, in process: the row's predicted machine output tokens/s."""
    from openvclosed.cli import main as cli

    argv = ["fit", *c.argv(), "--json"]
    for f in catalog_files or []:
        argv += ["--catalog", f]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            cli(argv)
        except SystemExit as e:
            if e.code not in (0, None):
                raise RuntimeError(f"ovc {' '.join(argv)} exited {e.code}") from None
    row = json.loads(buf.getvalue())["rows"][0]
    return float(row["serving"]["output_tokens_per_s"]) if row["fits"] else 0.0


def _wmed(v: np.ndarray, w: np.ndarray) -> float:
    if v.size == 0:
        return math.nan
    o = np.argsort(v)
    c = np.cumsum(w[o])
    return float(v[o][min(np.searchsorted(c, c[-1] / 2.0), v.size - 1)])


def run(catalog: Catalog | None = None, *, through_cli: bool = True) -> dict:
    """Fit, cross-validate by family, choose what ships, and predict every row through the CLI."""
    cat = catalog or load_catalog([], include_env=False)
    cases, skipped = prepare(cat, read_measurements())
    starts = starting_points()
    links0 = start_links()
    with using_profiles(dict(starts, **{"@links": links0})):
        x = stack([case_inputs(cat, c) for c in cases])
    eng = np.array([c.key for c in cases], dtype=object)
    meas = np.array([c.row.tokens_per_s for c in cases], dtype=float)
    fams = [c.family for c in cases]
    w = family_weights(fams)
    info = link_info(cat, cases)
    tp_rows = np.array([c.serving.tp > 1 for c in cases])
    trainable = np.array([c.trainable for c in cases], dtype=bool)
    cv_a, used_a = cross_validate(x, eng, meas, fams, starts, trainable=trainable)
    cv_b, used_b = cross_validate(x, eng, meas, fams, starts, info, links0, trainable=trainable)

    def tp_err(cv, rows):
        return _wmed(np.abs(cv[rows] / meas[rows] - 1.0), w[rows]) if rows.any() else math.nan

    # the collective model is fitted per link kind: a kind's fit ships only if it beats the assumed values
    # on the held-out tensor-parallel rows over that kind of link by the margin
    per_kind = {}
    for k in LINK_KINDS:
        rows = tp_rows & (info[0] == k)
        per_kind[k] = {"rows": int(rows.sum()), "held_out_fitted": tp_err(cv_b, rows),
                       "held_out_start": tp_err(cv_a, rows)}
        per_kind[k]["fitted"] = bool(rows.any() and per_kind[k]["held_out_fitted"] <= per_kind[k]["held_out_start"] - MARGIN)
    chosen = tuple(k for k in LINK_KINDS if per_kind[k]["fitted"])
    if chosen == LINK_KINDS:
        cv, used = cv_b, used_b
    elif chosen:
        cv, used = cross_validate(x, eng, meas, fams, starts, info, links0, kinds_fitted=chosen, trainable=trainable)
    else:
        cv, used = cv_a, {f: dict(q, **{"@links": links0}) for f, q in used_a.items()}
    err_a, err_b = tp_err(cv_a, tp_rows), tp_err(cv, tp_rows)
    links_ok = bool(chosen)
    everything = trainable  # the shipped fit: every row it may be fitted on
    links = fit_links(x, eng, meas, everything, starts, info, links0, kinds_fitted=chosen) if links_ok else links0
    start_pred = predict(x, eng, starts)
    shipped, decision = {}, {"@links": {"rows": int(tp_rows.sum()), "held_out_fitted": err_b,
                                        "held_out_start": err_a, "fitted": bool(links_ok), "kinds": per_kind}}
    for e in PROFILE_KEYS:
        m = eng == e
        fitted_err = _wmed(np.abs(cv[m] / meas[m] - 1.0), w[m])
        start_err = _wmed(np.abs(start_pred[m] / meas[m] - 1.0), w[m])
        ok = bool(m.any()) and fitted_err <= start_err - MARGIN
        shipped[e] = (fit_engine(x, eng, meas, everything, e, starts[e], links=links, info=info) if ok
                      else dict(starts[e]))
        decision[e] = {"rows": int(m.sum()), "held_out_fitted": fitted_err, "held_out_start": start_err,
                       "fitted": ok}
        if not ok:  # the starting point ships: its rows are held out under it too
            for f in used:
                used[f][e] = dict(starts[e])
    held = np.array([predict(x.take([i]), eng[[i]], used[fams[i]], used[fams[i]]["@links"],
                             (info[0][[i]], info[1][[i]]))[0] for i in range(len(cases))])
    cli = None
    if through_cli:
        cli = np.zeros(len(cases))
        for i, c in enumerate(cases):
            with using_profiles(used[c.family]):
                cli[i] = via_cli(c)
    return {"cases": cases, "skipped": skipped, "measured": meas, "weights": w, "engines": eng,
            "held": cli if cli is not None else held, "vectorized": held, "start": start_pred,
            "profiles": shipped, "links": links, "decision": decision, "catalog": cat}


def categories(res: dict) -> list[tuple[str, np.ndarray]]:
    cases, cat = res["cases"], res["catalog"]
    conc = np.array([c.serving.concurrency if c.serving.concurrency is not None else math.nan for c in cases])
    single = conc == 1
    moe = np.array([cat.model(c.model_id).moe is not None for c in cases])
    tp = np.array([c.serving.tp * c.serving.pp for c in cases])
    nodes = np.array([c.row.n_gpus > 8 or c.serving.pp > 1 for c in cases])
    per_inst = np.array([(c.serving.concurrency or math.inf) / max(c.row.n_gpus // (c.serving.tp * c.serving.pp), 1)
                         for c in cases])
    fam = np.array([_gpu_family(cat.gpu(c.gpu_id)) for c in cases], dtype=object)
    out = [("all", np.ones(len(cases), dtype=bool)), ("single stream (concurrency 1)", single),
           ("concurrent (incl. offline max load)", ~single), ("dense", ~moe), ("MoE", moe),
           ("MoE, concurrent", moe & ~single)]
    engine = np.array([c.engine for c in cases], dtype=object)
    out += [(f"engine {e}", engine == e) for e in ENGINES]
    out += [(f"GPU family {g}", fam == g) for g in sorted(set(fam))]
    out += [("TP x PP 1", (tp == 1) & ~nodes), ("TP x PP 2-8, one node", (tp > 1) & ~nodes),
            ("multi-node or pipeline", nodes)]
    out += [("batch/instance 1", per_inst == 1), ("batch/instance 2-16", (per_inst > 1) & (per_inst <= 16)),
            ("batch/instance 17-128", (per_inst > 16) & (per_inst <= 128)),
            ("batch/instance >128", (per_inst > 128) & np.isfinite(per_inst)),
            ("offline max load (engine's batch)", ~np.isfinite(per_inst))]
    return [(k, m) for k, m in out if m.any()]


def _gpu_family(g) -> str:
    i = g.id
    if (g.vendor or "").lower() == "apple":
        return "Apple"
    for key, name in (("b200", "Blackwell DC"), ("gb200", "Blackwell DC"), ("b300", "Blackwell DC"),
                      ("h100", "Hopper"), ("h200", "Hopper"), ("gh200", "Hopper"), ("h20", "Hopper"),
                      ("a100", "Ampere DC"), ("a40", "Ampere DC"), ("l40s", "Ada DC"), ("mi3", "AMD CDNA"),
                      ("rtx-pro-6000", "Blackwell workstation"), ("dgx-spark", "unified (Spark)"),
                      ("strix", "unified (Strix Halo)"), ("rx7900", "Radeon"), ("radeon", "Radeon")):
        if key in i:
            return name
    if i.startswith("rtx") and (g.vendor or "").lower() == "nvidia" and g.segment == "consumer":
        return "GeForce"
    return g.segment or "other"


def _stats(err: np.ndarray, w: np.ndarray) -> tuple[int, float, float, float]:
    if err.size == 0:
        return 0, math.nan, math.nan, math.nan
    return (int(err.size), _wmed(np.abs(err), w), _wmed(err, w), float(np.sum(w * (np.abs(err) <= 0.2)) / np.sum(w)))


def report(res: dict) -> str:
    meas, w, pred, start = res["measured"], res["weights"], res["held"], res["start"]
    err = pred / meas - 1.0
    serr = start / meas - 1.0
    lines = ["| held-out rows | n | median abs error | bias (median error) | within 20% | starting point: median abs error |",
             "|---|---:|---:|---:|---:|---:|"]
    for label, m in categories(res):
        n, med, bias, w20 = _stats(err[m], w[m])
        s_med = _stats(serr[m], w[m])[1]
        lines.append(f"| {label} | {n} | {med:.1%} | {bias:+.1%} | {w20:.0%} | {s_med:.1%} |")
    prof = ["| engine | rows | held-out error fitted / start | ships | " + " | ".join(FITTED) + " |",
            "|---|---:|---|---|" + "---:|" * len(FITTED)]
    for e, q in res["profiles"].items():
        d = res["decision"][e]
        if not d["rows"]:
            continue
        prof.append(f"| {e} | {d['rows']} | {d['held_out_fitted']:.1%} / {d['held_out_start']:.1%} | "
                    f"{'fitted' if d['fitted'] else 'starting point'} | " + " | ".join(f"{q[k]:.3g}" for k in FITTED)
                    + " |")
    dl = res["decision"]["@links"]
    links = [f"Collective model (two ring all-reduces per layer), fitted per link kind: a kind's fit ships only if it "
             f"beats the assumed values on the held-out tensor-parallel rows over that link by {MARGIN:.0%} points "
             f"(all {dl['rows']} tensor-parallel rows: {dl['held_out_fitted']:.1%} as shipped, {dl['held_out_start']:.1%} "
             f"with the assumed values).", "",
             "| link | rows | held-out error fitted / assumed | ships | collective efficiency (of the catalog figure) | all-reduce latency |",
             "|---|---:|---|---|---:|---:|"]
    kinds = dl.get("kinds", {})
    for k, q in res["links"].items():
        d = kinds.get(k, {})
        shown = (f"{d['held_out_fitted']:.1%} / {d['held_out_start']:.1%}" if d.get("rows") else "no rows")
        links.append(f"| {k} | {d.get('rows', 0)} | {shown} | {'fitted' if d.get('fitted') else 'assumption'} | "
                     f"{q['collective_eff']:.3g} | {q['latency_s'] * 1e6:.1f} us |")
    bounds = ["| parameter | bounds |", "|---|---|"] + [f"| {k} | {lo:g} - {hi:g} |" for k, (lo, hi) in BOUNDS.items()]
    order = np.argsort(-np.abs(np.log(np.where(pred > 0, pred, 1e-9) / meas)))[:15]
    worst = ["| row | family | `ovc fit` flags | measured | predicted | error |", "|---|---|---|---:|---:|---:|"]
    for i in order:
        c = res["cases"][i]
        worst.append(f"| {c.row.id} | {c.family} | `{' '.join(c.argv())}` | {meas[i]:,.0f} | {pred[i]:,.0f} | "
                     f"{err[i]:+.0%} |")
    skipped = {}
    for rid, why in res["skipped"]:
        skipped.setdefault(why, []).append(rid)
    sk = ["| reason | rows | examples |", "|---|---:|---|"] + [
        f"| {why} | {len(ids)} | {', '.join(ids[:3])} |" for why, ids in sorted(skipped.items(), key=lambda t: -len(t[1]))]
    fams = {}
    for c, wi in zip(res["cases"], w):
        fams.setdefault(c.family, [0, 0.0])
        fams[c.family][0] += 1
        fams[c.family][1] += wi
    fl = ["| family | rows | weight share |", "|---|---:|---:|"] + [
        f"| {f} | {n} | {s / w.sum():.1%} |" for f, (n, s) in sorted(fams.items(), key=lambda t: -t[1][0])]
    gap = float(np.max(np.abs(res["held"] - res["vectorized"]) / np.maximum(res["vectorized"], 1e-9)))
    notes = [c for c in res["cases"] if c.note]
    return "\n".join([
        f"Rows predicted: {len(res['cases'])} of {len(res['cases']) + len(res['skipped'])} "
        f"({len(res['skipped'])} left out, each with its reason below) from {len(fams)} document families. "
        f"Every figure is `ovc fit <flags> --json` → `rows[0].serving.output_tokens_per_s`, each family "
        f"predicted by profiles fitted without it; statistics weight rows so that no family is above "
        f"{FAMILY_CAP:.0%} (largest gap between the command and the fit's vectorized evaluation: {gap:.1e}).",
        "", *lines, "", "Profiles (an engine's fit ships only if it beats its starting point on the held-out "
        f"rows by at least {MARGIN:.0%} points of median error):", "", *prof, "", *links, "", "Parameter bounds:", "",
        *bounds,
        "", "Worst held-out rows:", "", *worst, "", "Rows left out:", "", *sk, "", "Document families:", "", *fl, "",
        f"Stand-ins: {len(notes)} rows use a stand-in engine or layout ("
        + "; ".join(sorted({c.note for c in notes})) + ")." if notes else ""])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m openvclosed.decision.validate",
                                 description="calibrate the engine profiles; report held-out errors by family")
    ap.add_argument("--write", action="store_true", help="write data/measurements/calibration.json and docs/validation.md")
    args = ap.parse_args(argv)
    res = run()
    text = report(res)
    print(text)
    if args.write:
        _write(res, text)
    return 0


def _write(res: dict, text: str) -> None:
    from pathlib import Path

    from openvclosed.catalog.store import bundled_data_dir

    meas, pred, w = res["measured"], res["held"], res["weights"]
    # the spread of the rows the model predicts (an unpredicted row has no error to spread: it is
    # counted in the report as unpredicted, and counting it as 1e-9 tok/s made the log sd 3.1)
    ok = np.isfinite(pred) & (pred > 0)
    lr, w_ok = np.log(pred[ok] / meas[ok]), np.asarray(w)[ok]
    out = {"generated": dt.date.today().isoformat(),
           "method": "decision/validate.py: soft-L1 loss on log error inside physical bounds; leave one document "
                     "family out; an engine's fit ships only if it beats its starting point on held-out rows",
           "profiles": res["profiles"], "links": res["links"],
           "held_out": {"n": int(meas.size), "median_abs_error": _wmed(np.abs(pred / meas - 1), w)},
           "held_out_residual_log_sd": float(np.sqrt(np.average((lr - np.average(lr, weights=w_ok)) ** 2,
                                                                weights=w_ok)))}
    (bundled_data_dir() / "measurements" / "calibration.json").write_text(json.dumps(out, indent=2) + "\n")
    root = Path(__file__).resolve().parents[3]
    doc = root / "docs" / "validation.md"
    head = doc.read_text(encoding="utf-8").split("<!-- generated -->")[0] if doc.exists() else ""
    doc.write_text(head.rstrip() + "\n\n<!-- generated -->\n" + text + "\n", encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    single = np.array([c.serving.concurrency == 1 for c in res["cases"]])
    fig, ax = plt.subplots(figsize=(7, 7))
    for mask, label, marker in ((~single, "concurrent", "o"), (single, "single stream", "^")):
        ax.scatter(meas[mask], np.maximum(pred[mask], 1e-1), s=14, marker=marker, alpha=0.7, label=label)
    lo, hi = float(np.min(meas)) / 2, float(np.max(meas)) * 2
    ax.plot([lo, hi], [lo, hi], color="black", lw=1)
    for f in (1.2, 1 / 1.2):
        ax.plot([lo, hi], [f * lo, f * hi], color="grey", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("measured output tokens/s")
    ax.set_ylabel("predicted by ovc fit, family held out (output tokens/s)")
    ax.set_title("Serving point vs published benchmarks (dotted: ±20%)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(root / "docs" / "validation-throughput.png", dpi=110, metadata={"Software": None})


if __name__ == "__main__":
    import sys

    sys.exit(main())
