"""Screenshots of the portfolio report and the breakeven page at 1280 px and 390 px, taken with the
same browser the tests use (Playwright driving the system Chromium, no browser download), for docs/.

    PYTHONPATH=src python scripts/report_screenshots.py [OUTDIR]     # default: docs/

Writes report-{portfolio,breakeven}-{1280,390}.png (the first screen of each) and report-chart.png
(the portfolio's second workload's cost chart at 1280 px).
"""

from __future__ import annotations

import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = "/usr/bin/chromium"
WIDTHS = {1280: 900, 390: 844}


def _pages(d: str) -> dict[str, str]:
    from openvclosed.cli import main

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764000000")
    cmds = {"portfolio": ["report", "examples/portfolio.yaml", "-o", os.path.join(d, "portfolio.html")],
            "breakeven": ["breakeven", "-t", "5e8", "-g", "2x4090", "--horizon-months", "24", "--format", "html",
                          "-o", os.path.join(d, "breakeven.html")]}
    for args in cmds.values():
        try:
            main(args)
        except SystemExit as e:
            if e.code not in (0, None):
                raise
    return {k: v[v.index("-o") + 1] for k, v in cmds.items()}


def main(out: str) -> None:
    from playwright.sync_api import sync_playwright

    os.chdir(REPO)
    with tempfile.TemporaryDirectory() as d, sync_playwright() as p:
        pages = _pages(d)
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for width, height in WIDTHS.items():
            ctx = b.new_context(viewport={"width": width, "height": height}, is_mobile=width < 600)
            page = ctx.new_page()
            for name, path in pages.items():
                page.goto("file://" + path)
                page.screenshot(path=os.path.join(out, f"report-{name}-{width}.png"))
                if name == "portfolio" and width == 1280:
                    page.locator("#w2-cost").locator("xpath=ancestor::figure").screenshot(
                        path=os.path.join(out, "report-chart.png"))
            ctx.close()
        b.close()


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "docs")))
