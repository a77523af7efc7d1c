"""Every example's report, and the breakeven page, opened in the system Chromium through Playwright at a
desktop width (1280 px) and a phone width (390 px): no sideways scrolling, no internals in the text
("nan", "None", "never tokens", Python reprs), every recommended option drawn and one legend entry per
option per chart. One browser for the module, many pages. Playwright never downloads a browser here
(``executable_path`` is the Debian package's ``/usr/bin/chromium``); without it the tests skip, except
under CI (``$CI`` set) where a missing browser or Playwright fails.
"""

import glob
import json
import os
import re

import pytest

pytest.importorskip("jinja2", reason="the HTML report needs the extra: pip install -e '.[report]'")
pytest.importorskip("matplotlib", reason="the HTML report needs the extra: pip install -e '.[report]'")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = "/usr/bin/chromium"
EXAMPLES = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(REPO, "examples", "*.yaml")))
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
BAD_TEXT = [r"\bnan\b", r"\bNone\b", r"never tokens", r"\{'", r"\['", r"<[a-z_.]+ object at 0x", r"\w+\(\w+="]


def _missing(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI is set: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed: pip install -e '.[test]' (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1)")
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"no Chromium at {CHROMIUM} (Debian package chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Every example's report and a breakeven page, written once (same code as the CLI)."""
    from openvclosed.cli import main

    d = tmp_path_factory.mktemp("pages")
    old = os.getcwd()
    os.chdir(REPO)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764000000")
    cmds = {n: ["report", f"examples/{n}.yaml", "-o", str(d / f"{n}.html")] for n in EXAMPLES}
    cmds["breakeven"] = ["breakeven", "-t", "5e8", "-g", "2x4090", "--horizon-months", "24", "--format", "html",
                         "-o", str(d / "breakeven.html")]
    cmds["check"] = ["check", "examples/ci-workloads.yaml", "--baseline", "examples/ci-baseline.json", "--format",
                     "html", "-o", str(d / "check.html")]
    try:
        for args in cmds.values():
            try:
                main(args)
            except SystemExit as e:
                assert e.code in (0, None) or (e.code == 1 and args[0] == "check"), args
    finally:
        os.chdir(old)
    return {k: d / f"{k}.html" for k in cmds}


PROBE = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  text: (() => { const c = document.body.cloneNode(true);  // sources quote their documents verbatim
    c.querySelectorAll('a.src, td.source').forEach(a => a.remove()); return c.innerText; })(),
  recommended: [...document.querySelectorAll('[data-recommended]')].map(e => e.dataset.recommended),
  charts: [...document.querySelectorAll('svg.chart[data-options]')].map(e => ({
    id: e.id, options: JSON.parse(e.dataset.options), legend: JSON.parse(e.dataset.legend || '[]')})),
  tables: [...document.querySelectorAll('.table-wrap')].filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => (e.querySelector('caption') || {}).textContent || e.innerText.slice(0, 40)),
  tableOverflow: [...document.querySelectorAll('table')].filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => (e.querySelector('caption') || {}).textContent || e.innerText.slice(0, 40)),
  unlabelled: [...document.querySelectorAll('tbody td, tbody th')].filter(e => !e.dataset.label).length,
  cards: [...document.querySelectorAll('tbody tr')].filter(e => getComputedStyle(e).display !== 'block').length,
  wide: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >
         document.documentElement.clientWidth + 1 && !e.closest('.table-wrap')).slice(0, 5).map(e => e.tagName + '.'
         + e.className + ' ' + (e.innerText || '').slice(0, 40)),
})"""


@pytest.mark.parametrize("size", list(WIDTHS))
def test_every_page_fits_and_tells_no_internals(browser, pages, size):
    width, height = WIDTHS[size]
    ctx = browser.new_context(viewport={"width": width, "height": height}, is_mobile=size == "phone")
    page = ctx.new_page()
    problems = []
    try:
        for name, path in pages.items():
            page.goto(path.as_uri())
            p = page.evaluate(PROBE)
            if p["scrollWidth"] > p["clientWidth"]:
                problems.append(f"{name}@{width}: scrolls sideways {p['scrollWidth']} > {p['clientWidth']} {p['wide']}")
            if p["tables"]:  # fits at 1280 px, reflows at 390 px: no table scrolls in its box either
                problems.append(f"{name}@{width}: tables scroll sideways: {p['tables']}")
            if p["tableOverflow"]:  # each table itself, not only its wrapper
                problems.append(f"{name}@{width}: table wider than its box: {p['tableOverflow']}")
            if p["unlabelled"]:
                problems.append(f"{name}: {p['unlabelled']} table cells without a data-label")
            if size == "phone" and p["cards"]:
                problems.append(f"{name}@{width}: {p['cards']} table rows not shown as cards")
            for pat in BAD_TEXT:
                m = re.search(pat, p["text"])
                if m:
                    problems.append(f"{name}@{width}: {pat!r} in text: ...{p['text'][max(0, m.start() - 60):m.end() + 40]!r}")
            if not p["charts"]:
                problems.append(f"{name}: no chart")
            # every recommended option is drawn in each of its workload's charts
            for chart in p["charts"]:
                prefix = chart["id"].rsplit("-", 1)[0]
                recs = [r for r in p["recommended"] if r.split("|", 1)[0] == prefix]
                for r in recs:
                    n = r.split("|", 1)[1]
                    if not any(o in (n, f"hybrid {n}") or o.startswith(f"self-host {n} (") for o in chart["options"]):
                        problems.append(f"{name}: {chart['id']} does not draw {r}")
                if len(chart["options"]) > 7:  # six lines and the band of the rest
                    problems.append(f"{name}: {chart['id']} draws {len(chart['options'])} options")
                if len(chart["legend"]) != len(set(chart["legend"])):
                    problems.append(f"{name}: {chart['id']} legend repeats an entry {chart['legend']}")
                for o in chart["options"]:
                    if chart["legend"].count(o) != 1 and not any(o in g for g in chart["legend"]):
                        problems.append(f"{name}: {chart['id']} option {o!r} has no legend entry")
    finally:
        ctx.close()
    assert problems == [], "\n".join(problems)


def test_check_html_carries_the_baseline_diff_with_attribution(run, monkeypatch, tmp_path):
    """The CI HTML report shows what the markdown shows: before, now, and what moved the cost."""
    monkeypatch.chdir(REPO)
    out = tmp_path / "c.html"
    r = run("check", "examples/ci-workloads.yaml", "--baseline", "examples/ci-baseline.json", "--format", "html",
            "-o", str(out))
    data = json.loads(run("check", "examples/ci-workloads.yaml", "--baseline", "examples/ci-baseline.json",
                          "--json").stdout)["baseline"]
    assert r.exit_code in (0, 1), r.stderr
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text()))
    assert "Against the baseline" in text
    from openvclosed.results.baseline_diff import FACTOR_LABELS

    for w in data["workloads"]:
        assert f"{w['name']} {w['status']}" in text
        for f in w["attribution"]:
            sign = "+" if f["usd_per_month"] >= 0 else "\u2212"
            assert f"{FACTOR_LABELS[f['factor']]} {sign}${abs(f['usd_per_month']):,.0f}" in text, f
    assert any(w["attribution"] for w in data["workloads"]), "the example baseline moves a cost"


def test_summary_states_present_value_and_saving_against_the_runner_up(run, monkeypatch, tmp_path):
    """The executive lines: horizon cost labelled a present value, the saving against the best option of
    another kind (the recommend result's runner_up), hardware up front."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    out = tmp_path / "r.html"
    assert run("report", "examples/portfolio.yaml", "-o", str(out)).exit_code == 0
    head = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text().split('id="summary"')[1].split("</section>")[0]))
    data = json.loads(run("recommend", "examples/portfolio.yaml", "--json").stdout)
    savings = 0
    for w in data["workloads"]:
        rec = w["recommendation"]
        o = rec["option"]
        assert f"${o['horizon_usd']:,.0f} over {w['horizon_months']} months (present value)" in head
        runner = next((x for x in w["options"] if x["id"] == rec["runner_up"]), None)
        if runner is None:
            assert rec["saving_vs_runner_up_usd"] is None
        else:  # the decision carries the saving; the page prints it, never computes it
            assert rec["saving_vs_runner_up_usd"] == pytest.approx(runner["horizon_usd"] - o["horizon_usd"], rel=1e-12)
        if runner and runner["horizon_usd"] > o["horizon_usd"]:
            savings += 1
            assert f"${runner['horizon_usd'] - o['horizon_usd']:,.0f} less than the best option of another kind, " \
                   f"{runner['name']}" in head
        if o["capex_usd"]:
            assert f"${o['capex_usd']:,.0f} of hardware up front" in head
    assert savings >= 2
