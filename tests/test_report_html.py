"""``ovc report`` and ``--format html``: the file itself (safety, reproducibility, text golden) and the
page in a real browser (headless system Chromium driven by Playwright, one browser for the module).

Browser tests skip only when /usr/bin/chromium is missing and $CI is not set; under CI a missing
browser fails (``.ci/run`` installs the Debian package ``chromium``). The docs' screenshots come
from scripts/report_screenshots.py.
"""

import json
import os
import re
import struct
import sys
from html.parser import HTMLParser

import pytest

from openvclosed.report.text import fmt_tokens

pytest.importorskip("jinja2", reason="the HTML report needs the extra: pip install -e '.[report]'")
pytest.importorskip("matplotlib", reason="the HTML report needs the extra: pip install -e '.[report]'")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCH = "1764000000"  # 2025-11-24: a fixed report date (SOURCE_DATE_EPOCH)


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _report(run, out, *extra, file="examples/portfolio.yaml"):
    r = run("report", file, "-o", str(out), *extra)
    assert r.exit_code == 0, r.stderr + r.stdout
    return out.read_text(encoding="utf-8")


# --- the file -------------------------------------------------------------------------------------

class _Text(HTMLParser):
    """The text a reader sees (and a screen reader hears from charts): style out, SVG only title/desc."""

    BLOCK = {"p", "li", "h1", "h2", "h3", "h4", "tr", "caption", "figcaption", "title", "desc", "section", "ul",
             "table", "footer", "header", "nav"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.stack, self.svg = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        if tag == "svg":
            self.svg += 1
        if tag in self.BLOCK:
            self.out.append("\x00")
        elif tag in ("td", "th"):
            self.out.append(" | ")

    def handle_endtag(self, tag):
        while self.stack:
            t = self.stack.pop()
            if t == "svg":
                self.svg -= 1
            if t == tag:
                break
        if tag in self.BLOCK:
            self.out.append("\x00")

    def handle_data(self, data):
        if "style" in self.stack:
            return
        if self.svg and self.stack and self.stack[-1] not in ("title", "desc"):
            return
        self.out.append(data)

    def text(self):
        lines = (re.sub(r"[ \t\r\n]+", " ", x).strip() for x in "".join(self.out).split("\x00"))
        return "\n".join(x for x in lines if x) + "\n"


def page_text(html: str, tmp_path) -> str:
    p = _Text()
    p.feed(html)
    t = p.text().replace(str(tmp_path), "TMP")
    t = re.sub(r"\b\d+ days old\b", "N days old", t)  # staleness depends on today
    return re.sub(r"\(\d+ days\)", "(N days)", t)


def _attrs(html: str, name: str) -> list[str]:
    return re.findall(rf'\b{name}\s*=\s*"([^"]*)"', html, flags=re.I)


def assert_self_contained(html: str) -> None:
    low = html.lower()
    assert "<script" not in low and not re.search(r"=\s*[\"']?\s*javascript:", low)
    assert "<iframe" not in low and "<object" not in low and "<embed" not in low and "<link" not in low
    assert "@import" not in low
    assert all(u.startswith("#") for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", low)), "url() only to #ids"
    assert not re.search(r"\son[a-z]+\s*=", low), "no event-handler attributes"
    assert _attrs(html, "src") == []
    for tag in re.findall(r"<a\b[^>]*>", html):
        href = re.search(r'href="([^"]*)"', tag).group(1)
        if not href.startswith("#"):
            assert re.match(r"https?://", href) and 'rel="noopener noreferrer"' in tag, tag
    for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        assert "<metadata" not in svg and "<!DOCTYPE" not in svg
        for ref in _attrs(svg, "href"):
            assert ref.startswith("#"), ref
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title><desc id=\"[^\"]+\">[^<]+</desc>", svg)
        head = svg[:svg.index(">")]
        assert 'role="img"' in head and "aria-label=" in head and "aria-labelledby=" in head


def test_portfolio_report_is_self_contained_reproducible_and_matches_golden(run, in_repo, tmp_path, golden):
    a = _report(run, tmp_path / "a.html")
    b = _report(run, tmp_path / "b.html")
    assert a.replace("a.html", "X") == b.replace("b.html", "X"), "same inputs, same bytes (no dates, no random ids)"
    assert_self_contained(a)
    assert a.count('<svg ') == 6  # cost + cumulative for each of the 3 workloads
    text = page_text(a, tmp_path)
    # summary first: the first lines after the title are the recommendations
    head = text.split("\nContents\n")[0]
    data = json.loads(run("recommend", "examples/portfolio.yaml", "--json").stdout)
    for w in data["workloads"]:  # every workload's recommendation is in the summary at the top
        assert f"{w['name']}: use {w['recommendation']['option']['name']}" in head
    shared = data["portfolio"]["shared_usd_per_month"]
    assert "Portfolio: all workloads together" in text and f"${shared:,.0f} per month" in text
    assert "Command: ovc report examples/portfolio.yaml -o TMP/a.html" in text
    golden("report_portfolio.txt", text)


def test_report_numbers_come_from_the_recommend_result(run, in_repo, tmp_path):
    """The page shows the same recommendation and costs as ``ovc recommend --json`` (one cost path)."""
    html = _report(run, tmp_path / "r.html")
    data = json.loads(run("recommend", "examples/portfolio.yaml", "--json").stdout)
    for w in data["workloads"]:
        o = w["recommendation"]["option"]
        assert f"{w['name']}: use {o['name']}" in page_text(html, tmp_path)
        assert f"${o['usd_per_month']:,.0f} per month now" in html
        assert f"${o['horizon_usd']:,.0f} over {w['horizon_months']} months" in html


@pytest.mark.parametrize("args", [["report", "examples/portfolio.yaml"],
                                  ["breakeven", "--tokens", "5e8", "--gpu", "2x4090", "--format", "html"]])
def test_one_assumptions_table_per_page_with_the_value_used_in_plain_words(run, in_repo, tmp_path, args):
    out = tmp_path / "p.html"
    r = run(*args, "-o", str(out), "--max-age-days", "100000")
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert html.count('<table class="assumptions">') == 1 and html.count(">Assumptions</h") == 1
    (table,) = re.findall(r'<table class="assumptions">(.*?)</table>', html, re.S)
    (row,) = re.findall(r'scope="row"[^>]*>input_share.*?</tr>', table, re.S)
    # the meaning is of the value used: I/O = s / (1 - s) input tokens per output token
    value_cell, words_cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[:2]
    v = float(re.search(r"(0\.\d+)", value_cell).group(1))
    words = float(re.search(r"([\d.]+) input tokens per output token", words_cell).group(1))
    assert words == pytest.approx(v / (1 - v), rel=2e-3)


def test_summary_names_what_the_cost_rests_on(run, in_repo, tmp_path):
    html = _report(run, tmp_path / "r.html")
    data = json.loads(run("recommend", "examples/portfolio.yaml", "--json").stdout)
    drivers = re.findall(r'<span class="drivers">(.*?)</span>', html, re.S)
    assert len(drivers) == len(data["workloads"])
    for w, line in zip(data["workloads"], drivers):
        shares = w["recommendation"]["cost_shares"]
        assert sum(shares.values()) == pytest.approx(1.0) and list(shares.values()) == sorted(shares.values(), reverse=True)
        first, share = next(iter(shares.items()))
        assert f"{first} {share:.0%}" in line
    # kb-summaries runs on one owned A100: the team dominates a single small machine
    kb = {w["name"]: w for w in data["workloads"]}["kb-summaries"]["recommendation"]
    assert next(iter(kb["cost_shares"])) == "operations team"


def test_summary_total_is_the_sum_of_the_recommended_options(run, in_repo, tmp_path):
    """The executive block's total: the workloads' recommended options added up, as in the JSON."""
    html = _report(run, tmp_path / "r.html")
    data = json.loads(run("recommend", "examples/portfolio.yaml", "--json").stdout)
    recs = [w["recommendation"]["option"] for w in data["workloads"] if w["recommendation"]["option"]]

    def capex(o):
        return sum(capex(m) for m in o["members"]) if o["members"] else (o["capex_usd"] or 0.0)

    t = data["total"]
    assert t["workloads"] == len(recs) == 3 and t["without_recommendation"] == []
    assert t["usd_per_month"] == pytest.approx(sum(o["usd_per_month"] for o in recs), rel=1e-9)
    assert t["horizon_usd"] == pytest.approx(sum(o["horizon_usd"] for o in recs), rel=1e-9)
    assert t["capex_usd"] == pytest.approx(sum(capex(o) for o in recs), rel=1e-9) and t["capex_usd"] > 0
    (line,) = re.findall(r'<li class="verdict total" id="total">(.*?)</li>', html, re.S)
    assert f"${t['usd_per_month']:,.0f} per month" in line and f"${t['horizon_usd']:,.0f} over their horizons" in line
    assert f"${t['capex_usd']:,.0f} of hardware up front" in line


def test_summary_flip_condition_is_the_break_even_of_the_json_in_plain_words(run, in_repo, tmp_path):
    """Each workload's flip sentence states the break-even volume of its cheapest self-hosted option
    from ``ovc recommend --json``, never 'nan', 'inf' or 'never tokens'."""
    html = _report(run, tmp_path / "r.html")
    flips = re.findall(r'<span class="flip">(.*?)</span>', html)
    data = json.loads(run("recommend", "examples/portfolio.yaml", "--json").stdout)
    expected = []
    for w in data["workloads"]:
        rec = w["recommendation"]["option"]
        sh = [o for o in [rec] + [o for o in w["options"] if o["feasible"] and o["id"] != rec["id"]]
              if o["kind"] in ("self-host", "self-host-cloud") and o.get("breakeven_tokens_per_day") is not None]
        if sh:
            expected.append(fmt_tokens(sh[0]["breakeven_tokens_per_day"]))
    assert expected and len(flips) == len(expected)
    for f, v in zip(flips, expected):
        assert f"{v} tokens/day (now " in f, f
        assert not re.search(r"\bnan\b|\binf\b|never tokens", f, re.I), f


def test_monte_carlo_and_sensitivity_add_histogram_and_tornado(run, in_repo, tmp_path):
    html = _report(run, tmp_path / "mc.html", "--monte-carlo", "2000", "--seed", "3", "--sensitivity")
    assert_self_contained(html)
    assert 'id="w2-montecarlo"' in html and 'id="w2-tornado"' in html
    # the histogram's summary is the recommend result's Monte Carlo (same base, same seed)
    mc = json.loads(run("recommend", "examples/portfolio.yaml", "--json", "--monte-carlo", "2000", "--seed", "3")
                    .stdout)["workloads"][1]["monte_carlo"]
    assert f"P(self-hosting cheaper) = {mc['p_selfhost_cheaper']:.0%}" in html


def test_breakeven_and_check_html(run, in_repo, tmp_path):
    r = run("breakeven", "-t", "5e8", "-g", "2x4090", "-a", "openai/gpt-6.1-sol", "--horizon-months", "24",
            "--monte-carlo", "1000", "--sensitivity", "--format", "html", "-o", str(tmp_path / "b.html"))
    assert r.exit_code == 0, r.stderr
    html = (tmp_path / "b.html").read_text()
    assert_self_contained(html)
    for chart in ("b1-cost", "b1-cumulative", "b1-montecarlo", "b1-tornado"):
        assert f'id="{chart}"' in html
    summary = json.loads(run("breakeven", "-t", "5e8", "-g", "2x4090", "-a", "openai/gpt-6.1-sol", "--json").stdout)
    assert summary["summary"] in page_text(html, tmp_path)

    r = run("check", "examples/ci-workloads.yaml", "--format", "html", "-o", str(tmp_path / "c.html"))
    verdict = json.loads(run("check", "examples/ci-workloads.yaml", "--json").stdout)["passed"]
    assert r.exit_code == (0 if verdict else 1)
    html = (tmp_path / "c.html").read_text()
    assert_self_contained(html)
    assert ("Budget and policy check: PASSED" if verdict else "Budget and policy check: FAILED") in \
        page_text(html, tmp_path)


HOSTILE_CATALOG = """\
apis:
  - id: "evil/<script>alert(1)</script>$\\\\frac{1}{0}$_x"
    provider: "<img src=x onerror=alert(2)>"
    model: "m</title><script>alert(3)</script>"
    kind: closed
    tier: frontier
    input_usd_per_mtok: 0.01
    output_usd_per_mtok: 0.02
    source: "javascript:alert(4)"
    as_of: 2026-11-01
  - id: evil/quote
    provider: p
    model: m
    kind: closed
    tier: frontier
    input_usd_per_mtok: 0.02
    output_usd_per_mtok: 0.03
    source: 'https://example.com/"onmouseover="alert(5)'
    as_of: 2026-11-01
"""

HOSTILE_WORKLOADS = """\
version: 1
workloads:
  - name: w
    tokens_per_day: 1e8
    candidates:
      apis: ["evil/<script>alert(1)</script>$\\\\frac{1}{0}$_x", evil/quote, openai/gpt-6.1-sol]
      hardware: [2x4090]
  - name: q
    tokens_per_day: 1e8
    candidates:
      apis: [evil/quote]
      hardware: [2x4090]
"""


def test_hostile_catalog_strings_are_escaped_and_never_linked(run, in_repo, tmp_path):
    cat = tmp_path / "cat.yaml"
    cat.write_text(HOSTILE_CATALOG)
    wl = tmp_path / "w.yaml"
    wl.write_text(HOSTILE_WORKLOADS)
    html = _report(run, tmp_path / "h.html", "--catalog", str(cat), file=str(wl))
    assert_self_contained(html)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert 'href="javascript' not in html and 'onmouseover="' not in html
    assert "https://example.com/&#34;onmouseover=&#34;alert(5)" in html  # shown as text, not made a link
    assert 'href="https://example.com' not in html


def test_output_is_never_overwritten_or_followed(run, in_repo, tmp_path):
    out = tmp_path / "r.html"
    out.write_text("keep")
    r = run("report", "examples/portfolio.yaml", "-o", str(out))
    assert r.exit_code == 2 and "--force" in r.stderr and out.read_text() == "keep"
    assert _report(run, out, "--force").startswith("<!DOCTYPE html>")
    link = tmp_path / "link.html"
    link.symlink_to(tmp_path / "target.html")
    r = run("report", "examples/portfolio.yaml", "-o", str(link), "--force")
    assert r.exit_code == 2 and "symbolic link" in r.stderr and not (tmp_path / "target.html").exists()
    r = run("report", "examples/portfolio.yaml", "-o", "examples/portfolio.yaml", "--force")
    assert r.exit_code == 2 and "portfolio.yaml" in r.stderr


def test_html_needs_an_output_file_and_only_html_takes_one(run, in_repo, tmp_path):
    r = run("recommend", "examples/portfolio.yaml", "--format", "html")
    assert r.exit_code == 2 and "-o FILE" in r.stderr
    r = run("breakeven", "-t", "5e8", "-o", str(tmp_path / "x.html"))
    assert r.exit_code == 2 and "--format html" in r.stderr and not (tmp_path / "x.html").exists()
    r = run("sweep", "--format", "html")
    assert r.exit_code == 2


@pytest.mark.parametrize("module", ["jinja2", "matplotlib"])
def test_without_the_extra_one_line_and_exit_2(run, in_repo, tmp_path, monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # import fails
    for args in (["report", "examples/portfolio.yaml"], ["recommend", "examples/portfolio.yaml", "--format", "html"],
                 ["breakeven", "-t", "5e8", "--format", "html"], ["check", "examples/ci-workloads.yaml", "-f", "html"]):
        r = run(*args, "-o", str(tmp_path / "x.html"))
        assert r.exit_code == 2, args
        assert r.stderr.strip().splitlines()[-1] == \
            'ovc: error: the HTML report needs Jinja2 and matplotlib: pip install "openvclosed[report]"'
        assert not (tmp_path / "x.html").exists()


def test_safe_url_links_only_plain_http_urls():
    from openvclosed.report.html import safe_url

    assert safe_url("https://docs.vllm.ai/x?a=1&b=2") == "https://docs.vllm.ai/x?a=1&b=2"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example", "ftp://x.y", "see https://x.y",
                'https://x.y/"a', "https://x.y/<b>", "https:///nohost", "vbscript:x"):
        assert safe_url(bad) is None, bad


# --- in a real browser ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium():
    """One headless system Chromium for the module, driven by Playwright (never a browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI is set but Playwright is missing: pip install -e '.[test]'")
        pytest.skip("Playwright not installed (test extra)")
    if not os.access("/usr/bin/chromium", os.X_OK):
        if os.environ.get("CI"):
            pytest.fail("CI is set but no headless Chromium at /usr/bin/chromium: apt-get install -y chromium "
                        "(.ci/run does this)")
        pytest.skip("headless Chromium not installed (/usr/bin/chromium, Debian package chromium); "
                    "CI installs it and then these tests must pass")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield b
        b.close()


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


PROBE = """JSON.stringify({
  charts: [...document.querySelectorAll('svg.chart')].map(e => {
    const r = e.getBoundingClientRect();
    return {id: e.id, w: r.width, h: r.height, title: (e.querySelector('title') || {}).textContent || '',
            label: e.getAttribute('aria-label') || ''};
  }),
  rec: (() => { const e = document.querySelector('.recommendation'); if (!e) return null;
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return {top: r.top, bottom: r.bottom, h: r.height, text: e.innerText, visible: s.visibility === 'visible'
            && s.display !== 'none' && parseFloat(s.opacity) > 0}; })(),
  viewport: [innerWidth, innerHeight],
  scrollWidth: document.documentElement.scrollWidth,
  scripts: document.scripts.length,
})"""

SIZES = {"desktop": (1280, 900, False), "phone": (390, 844, True)}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The three kinds of report, made once for the browser tests."""
    from openvclosed.cli import main  # the `run` fixture is function-scoped

    d = tmp_path_factory.mktemp("pages")
    old = os.getcwd()
    os.chdir(REPO)
    try:
        cmds = {"report": ["report", "examples/portfolio.yaml", "-o", str(d / "report.html"), "--monte-carlo",
                           "2000", "--sensitivity"],
                "breakeven": ["breakeven", "-t", "5e8", "-g", "2x4090", "--horizon-months", "24", "--monte-carlo",
                              "1000", "--sensitivity", "--format", "html", "-o", str(d / "breakeven.html")],
                "check": ["check", "examples/ci-workloads.yaml", "--format", "html", "-o", str(d / "check.html")]}
        for args in cmds.values():
            try:
                main(args)
            except SystemExit as e:
                assert e.code in (0, 1, None), args
    finally:
        os.chdir(old)
    return {k: d / f"{k}.html" for k in cmds}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("kind", ["report", "breakeven", "check"])
def test_report_in_headless_chromium(chromium, pages, tmp_path, size, kind):
    width, height, mobile = SIZES[size]
    url = pages[kind].as_uri()
    ctx = chromium.new_context(viewport={"width": width, "height": height}, is_mobile=mobile)
    page = ctx.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "assert") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(url)
        probe = json.loads(page.evaluate(PROBE))
        shot = tmp_path / f"{kind}-{size}.png"
        page.screenshot(path=str(shot))
        full = tmp_path / f"{kind}-{size}-full.png"
        page.screenshot(path=str(full), full_page=True)
        pdf = {paper: page.pdf(format=paper) for paper in ("A4", "Letter")}
    finally:
        ctx.close()
    assert errors == [], errors
    assert [u for u in requests if u != url] == [], "the page made requests"
    assert probe["scripts"] == 0
    assert probe["viewport"] == [width, height]
    assert len(probe["charts"]) >= (4 if kind != "check" else 2)
    for c in probe["charts"]:
        assert c["w"] > 100 and c["h"] > 50, c
        assert c["w"] <= width, c  # fits the screen
        assert c["title"] and c["label"] == c["title"]
    rec = probe["rec"]
    assert rec is not None and rec["visible"] and rec["h"] > 0
    assert 0 <= rec["top"] and rec["bottom"] <= height, f"recommendation below the fold: {rec}"
    assert re.search(r"use |self-hosting|API", rec["text"]), rec["text"]
    assert probe["scrollWidth"] <= width + 1, "the page scrolls sideways (tables must scroll in their box)"
    assert _png_size(shot) == (width, height)
    fw, fh = _png_size(full)
    assert fw == width and fh > height
    for paper, data in pdf.items():
        assert len(data) > 10_000, paper
