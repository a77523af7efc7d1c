"""HTML renderers: one self-contained page (inline CSS, inline SVG charts, no scripts, no requests).

Jinja2 with autoescaping on renders ``templates/report.html.j2``: every string from an input file
or a catalog is escaped by the template engine; the only markup passed through unescaped is the
SVG drawn by :mod:`openvclosed.report.charts` (whose text matplotlib escapes). Links are made
only for catalog sources that are plain ``http``/``https`` URLs. This module groups and formats;
every number comes from the result object.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from openvclosed.report.text import INSTALL_HINT, fmt_months, fmt_tokens, term, usd

__all__ = ["render_report_html", "render_recommend_html", "render_breakeven_html", "render_check_html",
           "safe_url"]

_KIND_TEXT = {"closed-api": "closed API", "hosted-open-api": "hosted open-weight API",
              "self-host": "self-hosted, owned GPUs", "self-host-cloud": "self-hosted, rented GPUs",
              "hybrid": "hybrid, routed by task", "closed": "closed API", "hosted-open": "hosted open-weight API"}
_CODE_TEXT = {"sensitivity": "data sensitivity rules", "tier": "capability tier too low",
              "fine_tune": "fine-tuning needs the weights", "latency": "latency target not met",
              "no_fit": "does not fit the hardware", "no_price": "no price in the catalog",
              "licence_mau": "licence user limit", "licence_commercial": "licence forbids commercial use"}
_URL_OK = re.compile(r"^https?://[^\s\"'<>`]+$")



def safe_url(s: object) -> str | None:
    """``s`` when it is one plain http(s) URL (the only links a report makes), else None.

    >>> safe_url("https://example.com/p?a=1"), safe_url("javascript:alert(1)"), safe_url("see https://x.y")
    ('https://example.com/p?a=1', None, None)
    """
    t = str(s).strip()
    if not _URL_OK.match(t):
        return None
    try:
        parts = urlsplit(t)
    except ValueError:
        return None
    return t if parts.scheme in ("http", "https") and parts.netloc else None


def _num(v, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return f"{v:,.{digits}f}"


def _tok(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "never"
    return f"{v:,.0f} ({fmt_tokens(v)})" if v >= 1e4 else f"{v:,.0f}"


def _tok_short(v) -> str:
    """A volume for a sentence: 130M, 4.93B (the tables carry the exact figure)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "never"
    return fmt_tokens(v) if v >= 1e4 else f"{v:,.0f}"


def _pct(v, digits: int = 0) -> str:
    return "n/a" if v is None else f"{v:.{digits}%}"


def _value(v) -> str:
    if isinstance(v, bool) or v is None:
        return {True: "yes", False: "no", None: "(catalog)"}[v]
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e4 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _env():
    try:
        import jinja2
    except ImportError:
        from openvclosed.errors import InputError

        raise InputError(INSTALL_HINT) from None
    env = jinja2.Environment(loader=jinja2.PackageLoader("openvclosed.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.tests["finite"] = lambda v: isinstance(v, (int, float)) and math.isfinite(v)
    env.filters.update(usd=usd, num=_num, tok=_tok, tokshort=_tok_short, pct=_pct, months=fmt_months, value=_value, term=term,
                       kind=lambda k: _KIND_TEXT.get(str(k), str(k)), code=lambda c: _CODE_TEXT.get(c, c.replace("_", " ")),
                       url=safe_url, capability=_capability, sizing=_sizing)
    return env


def _capability(cap) -> str:
    from openvclosed.report.recommend import capability_line

    return capability_line(cap, str)  # autoescape escapes it for HTML


def _sizing(o) -> str:
    from openvclosed.report.recommend import sizing_line

    return sizing_line(o, str)  # autoescape escapes it for HTML


def _options_view(w):
    """Recommended first, then feasible ones by rank, then excluded ones grouped by their first reason."""
    rec = w.recommendation.option
    feas = [o for o in w.options if o.feasible and (rec is None or o.id != rec.id)]
    groups: dict[str, list] = {}
    for o in w.options:
        if not o.feasible:
            code = o.excluded_because[0].code if o.excluded_because else "other"
            groups.setdefault(code, []).append(o)
    return {"recommended": rec, "feasible": feas,
            "excluded": sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))}


def _constraints(w):
    """Exclusion codes with how many options each removed; licence findings; notes on the recommendation."""
    counts: dict[str, int] = {}
    licence = []
    seen = set()
    for o in w.options:
        for f in o.excluded_because:
            counts[f.code] = counts.get(f.code, 0) + 1
            if f.code.startswith("licence") and f.message not in seen:
                seen.add(f.message)
                licence.append(f)
    rec = w.recommendation.option
    notes = list(rec.notes) if rec is not None else []
    licence += [n for n in notes if n.code.startswith("licence")]
    return {"counts": sorted(counts.items(), key=lambda kv: -kv[1]), "licence": licence, "notes": notes}


def _charts(wr, prefix: str, styles: dict | None = None) -> list[dict]:
    from openvclosed.report.charts import cost_svg, cumulative_svg, histogram_svg, tornado_svg

    out = []
    if wr is None:
        return out
    if wr.cost is not None:
        out.append({"svg": cost_svg(wr.cost, f"{prefix}-cost", styles), "caption": wr.cost.note,
                    "title": wr.cost.title, "kind": "cost"})
    if wr.cumulative is not None:
        c = wr.cumulative
        cap = (f"Self-hosting is ahead from month {c.crossover_month} ({c.crossover_label})."
               if c.crossover_month else
               ("Self-hosting does not get ahead within the horizon." if c.crossover_label else "")) + " " + c.note
        out.append({"svg": cumulative_svg(c, f"{prefix}-cumulative", styles), "caption": cap.strip(), "title": c.title,
                    "kind": "cumulative"})
    if wr.histogram is not None:
        h = wr.histogram
        out.append({"svg": histogram_svg(h, f"{prefix}-montecarlo"), "title": h.title, "kind": "montecarlo",
                    "caption": f"{h.n:,} draws (seed {h.seed}): P(self-hosting {h.selfhost} cheaper than {h.api}) = "
                               f"{h.summary.p_selfhost_cheaper:.0%}; docs/uncertainty.md lists the distributions."})
    if wr.sensitivity is not None:
        title = f"{wr.name}: what moves the saving against {wr.sensitivity.api}"
        out.append({"svg": tornado_svg(wr.sensitivity, f"{prefix}-tornado", title), "title": title,
                    "kind": "tornado",
                    "caption": "Each input at the low and high end of its range, the others at their base value."})
    return out


def page_assumptions(named) -> dict:
    """One assumptions table for the page from ``named`` = [(workload name, its rows)]: a row per
    assumption with one value when every workload used the same, else the value per workload."""
    named = [(n, rows) for n, rows in named if rows]
    if not named:
        return {"names": [], "rows": []}
    by = [{a.name: a for a in rows} for _, rows in named]
    out = []
    for a in named[0][1]:
        vals = [b.get(a.name) for b in by]
        same = all(v is not None and v.value == a.value for v in vals)
        out.append({"name": a.name, "basis": a.basis, "same": same,
                    "set_here": any(v is not None and v.set_here for v in vals),
                    "per": [{"workload": n, "value": v.value if v else None, "meaning": v.meaning if v else "",
                                "set_here": bool(v and v.set_here)}
                               for (n, _), v in zip(named, vals)]})
    return {"names": [n for n, _ in named], "rows": out}


def render_report_html(r) -> str:
    """The whole page for a :class:`~openvclosed.results.report.ReportResult`."""
    from openvclosed.report.charts import page_styles

    by_name = {w.name: w for w in r.workloads}
    styles = page_styles(*(c for wr in r.workloads for c in (wr.cost, wr.cumulative)))
    workloads = []
    if r.recommend is not None:
        checks = {c.name: c for c in r.check.workloads} if r.check is not None else {}
        for i, w in enumerate(r.recommend.workloads, 1):
            wr = by_name.get(w.name)
            workloads.append({"id": f"w{i}", "w": w, "wr": wr, "options": _options_view(w),
                              "constraints": _constraints(w), "charts": _charts(wr, f"w{i}", styles),
                              "check": checks.get(w.name),
                              "runner": next((o for o in w.options if o.id == w.recommendation.runner_up), None)})
    breakeven = None
    if r.breakeven is not None:
        wr = r.workloads[0] if r.workloads else None
        breakeven = {"r": r.breakeven, "wr": wr, "charts": _charts(wr, "b1", styles)}
    findings = []
    if r.recommend is not None:
        findings += r.recommend.findings
    if r.breakeven is not None:
        findings += r.breakeven.findings
    from openvclosed.results.baseline_diff import FACTOR_LABELS

    return label_cells(_env().get_template("report.html.j2").render(
        r=r, labels=FACTOR_LABELS, workloads=workloads, breakeven=breakeven, check=r.check, findings=findings,
        portfolio=r.recommend.portfolio if r.recommend is not None else None,
        total=r.recommend.total if r.recommend is not None else None,
        assumptions=page_assumptions([(x["w"].name, x["wr"].assumptions if x["wr"] else []) for x in workloads]
                                     + ([("breakeven", breakeven["wr"].assumptions)] if breakeven and breakeven["wr"]
                                        else []))))


def render_recommend_html(r) -> str:
    """A :class:`RecommendResult` on its own (no charts: ``ovc report`` adds them)."""
    from openvclosed.results.report import ReportResult

    return render_report_html(ReportResult(title="LLM deployment decision", recommend=r))


def render_breakeven_html(r) -> str:
    from openvclosed.results.report import ReportResult

    return render_report_html(ReportResult(title="Self-hosting break-even", breakeven=r))


def render_check_html(r) -> str:
    from openvclosed.results.report import ReportResult

    return render_report_html(ReportResult(title="LLM deployment check", check=r))


_TABLE = re.compile(r"<table([^>]*)>(.*?)</table>", re.S)
_HEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
_BODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
_HEAD_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr([^>]*)>(.*?)</tr>", re.S)
_CELL_OPEN = re.compile(r"<(th|td)(?=[\s>])([^>]*)>")
_TAG = re.compile(r"<[^>]+>")


def label_cells(page: str) -> str:
    """Every body cell of every table gets ``data-label`` = its column header, so that a narrow
    screen shows each row as a card (CSS ``content: attr(data-label)``) instead of scrolling.

    The headers are already escaped by the template engine; tags inside them are dropped.

    >>> label_cells('<table><thead><tr><th scope="col">a</th><th>b &amp; c</th></tr></thead>'
    ...             '<tbody><tr><th scope="row">x</th><td class="n">1</td></tr></tbody></table>')
    '<table><thead><tr><th scope="col">a</th><th>b &amp; c</th></tr></thead><tbody><tr><th scope="row" data-label="a">x</th><td class="n" data-label="b &amp; c">1</td></tr></tbody></table>'
    """
    def table(m: re.Match) -> str:
        inner = m.group(2)
        head = _HEAD.search(inner)
        if head is None:
            return m.group(0)
        labels = [_TAG.sub("", h).replace('"', "&#34;").strip() for h in _HEAD_CELL.findall(head.group(1))]

        def row(rm: re.Match) -> str:
            k = iter(labels)

            def cell(cm: re.Match) -> str:
                lab = next(k, "")
                return f'<{cm.group(1)}{cm.group(2)} data-label="{lab}">' if lab else cm.group(0)

            return f"<tr{rm.group(1)}>" + _CELL_OPEN.sub(cell, rm.group(2)) + "</tr>"

        return f"<table{m.group(1)}>" + _BODY.sub(lambda bm: "<tbody>" + _ROW.sub(row, bm.group(1)) + "</tbody>", inner) + "</table>"

    return _TABLE.sub(table, page)
