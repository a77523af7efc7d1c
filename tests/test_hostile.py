"""The hostile-input suite (issue 14): absurd flags, hostile files, a hostile environment,
writers aimed at the wrong place, and injection into every output channel.

Every case asserts the exit code; for bad input (exit 2) exactly one ``ovc: error:`` line that
names the flag, field or file; never a traceback; no forged workflow command on stdout (a line
starting with ``::`` is allowed only as the project's own ``::error file=``/``::warning file=``
annotation, with escaped properties); no raw HTML or live links/images in markdown outside
code spans; no escape sequences in terminal output; and every file that existed before the
run is byte-identical afterwards (no new files either, unless the case writes one).

Tables are per command group; each row is one case. A few cases at the end run the installed
console script in a subprocess (FIFO, Ctrl-C, broken pipe), outside the in-process runner.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CI_FILE = ROOT / "examples" / "ci-workloads.yaml"
NO_STALE = ["--max-age-days", "100000"]

# --------------------------------------------------------------------------------------------
# payloads and files

FORGE = "x\n::error file=evil.py,line=1::forged"
HTML = "<img src=x onerror=alert(1)><script>alert(1)</script>"
LINK = "[click](http://evil.example) ![i](http://evil.example/i.png)"
ANSI = "\x1b[31mred\x1b]8;;http://evil.example\x07link\x1b]8;;\x07"
EVIL = f"{FORGE} {HTML} {LINK} {ANSI} @admin #12 `tick`"

CI = yaml.safe_load(CI_FILE.read_text())


def workload_yaml(**changes) -> str:
    data = json.loads(json.dumps(CI))
    for k, v in changes.items():
        if k == "policy":
            data["policy"] = v
        elif k == "w0":
            data["workloads"][0].update(v)
        else:
            data[k] = v
    return yaml.safe_dump(data, allow_unicode=True)


def policy_yaml(**budget) -> str:
    return workload_yaml(policy={**CI["policy"], "budget_usd_per_month": budget})


EVIL_CATALOG = yaml.safe_dump({"apis": [{
    "id": "evil/<img/src=x/onerror=alert(1)>`x`[a](http://e.example)![i](http://e.example/i.png)::error",
    "provider": FORGE, "model": "m" + ANSI + HTML + "\n::warning::x", "kind": "closed", "role": "flagship",
    "tier": "frontier", "input_usd_per_mtok": 0.0001, "output_usd_per_mtok": 0.0001,
    "source": "s\n::error::src", "as_of": "2026-11-01", "notes": HTML}]}, allow_unicode=True)

USAGE_CSV = ("timestamp,model,input_tokens,output_tokens\n"
             + "".join(f"2026-01-{d:02d}T{h:02d}:00:00Z,gpt-4o,{1000 + h},{200 + d}\n"
                       for d in range(1, 4) for h in (3, 15)))
EVIL_USAGE_CSV = ("timestamp,model,input_tokens,output_tokens\n"
                  + "".join(f'2026-01-0{d}T10:00:00Z,"{m}",100,10\n'
                            for d in (1, 2) for m in (FORGE.replace('"', "'"), "=cmd|' /C calc'!A0",
                                                      ANSI + "::warning::y", "<img src=x onerror=alert(1)>")))


def _gz(text: str) -> bytes:
    return gzip.compress(text.encode())


LITELLM_OK = {"gpt-6-astra": {"input_cost_per_token": 1e-5, "output_cost_per_token": 5e-5,
                              "litellm_provider": "openai", "max_input_tokens": 922000}}


def litellm(**entries) -> str:
    return json.dumps({**LITELLM_OK, **entries})


BASELINE_OK = {"kind": "ovc-check", "schema_version": 2, "file": "w.yaml", "generated": "2026-11-01",
               "total_usd_per_month": 3000.0, "passed": True, "findings": [],
               "workloads": [{"name": "support-chat", "recommended_name": "a", "usd_per_month": 1000.0,
                              "feasible_options": ["a", "b"]}]}


def baseline(**changes) -> str:
    return json.dumps({**BASELINE_OK, **changes})


DEEP_JSON = "[" * 100_000 + "]" * 100_000
DEEP_YAML = "workloads: " + "[" * 500 + "]" * 500 + "\n"
BILLION = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi")) + "workloads: *i\n"

FIFO, DIR = object(), object()


def symlink(target: str):
    return ("symlink", target)


def make_files(root: Path, files: dict) -> None:
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if content is FIFO:
            os.mkfifo(p)
        elif content is DIR:
            p.mkdir()
        elif isinstance(content, tuple) and content[0] == "symlink":
            p.symlink_to(content[1])
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")


def snapshot(root: Path) -> dict:
    """Every entry under ``root``: kind and content (regular files), target (links); FIFOs are
    never opened."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = os.lstat(p)
            rel = str(p.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[rel] = ("file", p.read_bytes(), stat.S_IMODE(st.st_mode))
            else:
                out[rel] = ("other", stat.S_IFMT(st.st_mode))
    return out


# --------------------------------------------------------------------------------------------
# the assertions every case makes

_OWN_ANNOTATION = re.compile(r"::(error|warning) file=[^,:\r\n]*,title=ovc [^,:\r\n]*::")
"""The only workflow commands ovc writes: render_github_annotations, title always "ovc CODE ..."."""
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)*?\1")
_OWN_HTML = ("<details>", "</details>", "<summary>", "</summary>")


def assert_clean(r, code, needle=None, *, markdown=False):
    out, err = r.stdout, r.stderr
    both = out + err
    assert "Traceback" not in both, both
    assert r.exit_code in (code if isinstance(code, tuple) else (code,)), (r.exit_code, out[-2000:], err)
    for line in out.splitlines():  # no forged workflow command
        s = line.lstrip()
        if s.startswith("::"):
            assert line == s and _OWN_ANNOTATION.match(s), f"forged workflow command: {line!r}"
        assert "##[" not in line, line
    for line in err.splitlines():
        assert not line.lstrip().startswith("::"), f"workflow command on stderr: {line!r}"
    if not markdown:
        assert "\x1b" not in out, "escape sequence on stdout"
    assert "\x1b" not in err
    assert "site-packages" not in err, err
    if r.exit_code == 2:
        lines = [x for x in err.splitlines() if x.strip()]
        errors = [x for x in lines if x.startswith("ovc: error: ")]
        assert len(errors) == 1, err
        assert all(x.startswith(("ovc: ", "  ")) for x in lines), err
        if needle is not None:
            assert needle.lower() in errors[0].lower(), (needle, errors[0])
    if markdown:
        assert_safe_markdown(out)


def assert_safe_markdown(md: str) -> None:
    for line in md.splitlines():
        if line.startswith("::"):  # the project's own annotations (github format)
            continue
        text = _CODE_SPAN.sub("", line)
        for tag in _OWN_HTML:
            text = text.replace(tag, "")
        assert not re.search(r"<[A-Za-z/!?]", text), f"raw HTML in markdown: {line!r}"
        assert not re.search(r"(?<!\\)\]\(", text), f"live link in markdown: {line!r}"
        assert not re.search(r"(?<!\\)!\[", text), f"image in markdown: {line!r}"
        assert "\x1b" not in line
        assert not re.search(r"(?<![\\\w&])@admin", text), f"live mention: {line!r}"


class _Fake:
    def __init__(self, code=0, stdout="", stderr=""):
        self.exit_code, self.stdout, self.stderr = code, stdout, stderr


@pytest.mark.parametrize("fake,markdown", [
    (_Fake(0, "ok\n::error file=x::forged\n"), False),
    (_Fake(0, "  ::warning::forged\n"), False),
    (_Fake(0, "::error file=a,line=1::x\n"), False),  # unescaped property
    (_Fake(0, "see ##[error]x\n"), False),
    (_Fake(0, "\x1b[31mred\n"), False),
    (_Fake(0, "| <img src=x onerror=alert(1)> |\n"), True),
    (_Fake(0, "[click](http://evil)\n"), True),
    (_Fake(0, "![i](http://evil/i.png)\n"), True),
    (_Fake(0, "hi @admin\n"), True),
    (_Fake(2, "", "ovc: error: one\novc: error: two\n"), False),
    (_Fake(2, "", "Traceback (most recent call last):\n"), False),
    (_Fake(2, "", "ovc: error: something else\n"), False),  # does not name the field
    (_Fake(1, "", ""), False),  # wrong exit code
])
def test_assertions_can_fail(fake, markdown):
    """The suite's own checks catch what they are meant to catch."""
    with pytest.raises(AssertionError):
        assert_clean(fake, 0 if fake.exit_code != 2 else 2, "--budget", markdown=markdown)


def test_assertions_accept_escaped_output():
    assert_clean(_Fake(0, "::error file=w.yaml,title=ovc budget (x%2Cfile=y%3A%3A)::m :: x\n"
                          "| ` <img> ` | \\[x\\]\\(y\\) &lt;b&gt; @&#8203;admin |\n"), 0, markdown=True)


@pytest.fixture
def sandbox(tmp_path, monkeypatch, run):
    """Run ``ovc`` in a temporary directory holding ``files``; check nothing there changed
    except ``creates``."""
    monkeypatch.chdir(tmp_path)

    def go(args, files=None, env=None, creates=(), replaces=()):
        make_files(tmp_path, files or {})
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        before = snapshot(tmp_path)
        r = run(*args)
        after = snapshot(tmp_path)
        for name in set(before) | set(after):
            if name in creates or name in replaces:
                continue
            assert before.get(name) == after.get(name), f"{name} changed or appeared (exit {r.exit_code}): {r.stderr}"
        return r

    return go


def W(text=None):
    """Files with a valid workload file ``w.yaml`` (or ``text``)."""
    return {"w.yaml": text if text is not None else workload_yaml()}


# --------------------------------------------------------------------------------------------
# 1. flags: absurd numbers and values -> exit 2 naming the flag

BREAKEVEN_FLAGS = [
    (["-t", "0"], "--tokens"),
    (["-t", "-5"], "--tokens"),
    (["-t", "nan"], "--tokens"),
    (["-t", "inf"], "--tokens"),
    (["-t", "1e300"], "--tokens"),
    (["-t", "abc"], "--tokens"),
    (["--tokens-per-month", "0"], "--tokens-per-month"),
    (["--amortize-years", "inf"], "--amortize-years"),
    (["--amortize-years", "nan"], "--amortize-years"),
    (["--amortize-years", "0"], "--amortize-years"),
    (["--amortize-years", "1e6"], "--amortize-years"),
    (["--api-price", "nan:nan"], "--api-price"),
    (["--api-price", "inf:1"], "--api-price"),
    (["--api-price", "-1:2"], "--api-price"),
    (["--api-price", "0:0"], "--api-price"),
    (["--api-price", "1:x"], "--api-price"),
    (["--api-price", "1e9:1"], "--api-price"),
    (["--electricity-usd-kwh", "inf"], "--electricity-usd-kwh"),
    (["--electricity-usd-kwh", "-1"], "--electricity-usd-kwh"),
    (["--ops-usd-month", "inf"], "--ops-usd-month"),
    (["--ops-usd-month", "nan"], "--ops-usd-month"),
    (["--pue", "nan"], "--pue"),
    (["--pue", "0.5"], "--pue"),
    (["--tokens-per-s", "inf"], "--tokens-per-s"),
    (["--gpu-price-usd", "nan"], "--gpu-price-usd"),
    (["--gpu-price-usd", "1e12"], "--gpu-price-usd"),
    (["--rent", "--gpu-hour-usd", "inf"], "--gpu-hour-usd"),
    (["--rate", "nan"], "--rate"),
    (["--days-per-month", "nan"], "--days-per-month"),
    (["--context", "0"], "--context"),
    (["--context", "1000000000"], "--context"),
    (["--utilization", "2"], "--utilization"),
    (["--utilization", "nan"], "--utilization"),
    (["--input-share", "75"], "--input-share"),
    (["--growth-per-month", "5", "--horizon-months", "600"], "--growth-per-month"),
    (["--growth-per-month", "inf", "--horizon-months", "12"], "--growth-per-month"),
    (["--growth-per-month", "nan", "--horizon-months", "12"], "--growth-per-month"),
    (["--growth-per-month", "-1", "--horizon-months", "12"], "--growth-per-month"),
    (["--api-price-decline-per-year", "nan", "--horizon-months", "12"], "--api-price-decline-per-year"),
    (["--api-price-decline-per-year", "1.5", "--horizon-months", "12"], "--api-price-decline-per-year"),
    (["--horizon-months", "601"], "--horizon-months"),
    (["--horizon-months", "0"], "--horizon-months"),
    (["--monte-carlo", "10000000"], "--max-draws"),
    (["--monte-carlo", "3000000", "-a", "openai/gpt-6-astra"], "--max-draws"),
    (["--monte-carlo", "0"], "--monte-carlo"),
    (["--gpu", "0x4090"], "0x4090"),
    (["--gpu", "nonsense-gpu"], "nonsense-gpu"),
    (["--model", "no-such-model"], "no-such-model"),
    (["-a", "no/such-api"], "no/such-api"),
    (["--max-age-days", "0"], "--max-age-days"),
    (["--format", "html"], "--format"),
    (["--json", "--format", "table"], "--json"),
]


@pytest.mark.parametrize("flags,needle", BREAKEVEN_FLAGS, ids=[" ".join(f) for f, _ in BREAKEVEN_FLAGS])
def test_breakeven_flags(sandbox, flags, needle):
    args = ["breakeven", *flags] if any(f in flags for f in ("-t", "--tokens-per-month")) else \
        ["breakeven", "-t", "5e8", *flags]
    assert_clean(sandbox(args), 2, needle)


CHECK_FLAGS = [
    (["--budget", "nan"], "--budget"),
    (["--budget", "inf"], "--budget"),
    (["--budget", "-1"], "--budget"),
    (["--budget", "0"], "--budget"),
    (["--budget", "1e13"], "--budget"),
    (["--format", "html"], "--format"),
    (["--json", "--format", "markdown"], "--json"),
    (["--max-age-days", "-3"], "--max-age-days"),
]


@pytest.mark.parametrize("flags,needle", CHECK_FLAGS, ids=[" ".join(f) for f, _ in CHECK_FLAGS])
def test_check_flags(sandbox, flags, needle):
    assert_clean(sandbox(["check", "w.yaml", *flags], W()), 2, needle)


SWEEP_FLAGS = [
    (["-t", "1e6:1e10:1e14"], "--max-scenarios"),
    (["-t", "1e6:1e10:200000000"], "--max-scenarios"),
    (["-t", "1e6:1e10:1000", "--max-scenarios", "10"], "--max-scenarios"),
    (["-t", "0:1e9:10"], "--tokens"),
    (["-t", "1e9:1e6:10"], "--tokens"),
    (["-t", "nan:1e9:10"], "--tokens"),
    (["-t", "1e6:inf:10"], "--tokens"),
    (["-t", "1e6:1e9:x"], "--tokens"),
    (["-t", "1e6:1e9:1"], "--tokens"),
    (["-t", "1e6:1e9"], "--tokens"),
    (["-t", ","], "--tokens"),
    (["-t", "0,1e9"], "--tokens"),
    (["-o", "x.txt"], "--output"),
    (["--full", "x.json"], "--full"),
    (["-o", "same.csv", "--full", "same.csv"], "same"),
    (["--chunk-size", "0"], "--chunk-size"),
    (["--max-scenarios", "0"], "--max-scenarios"),
    (["--utilization", "nan"], "--utilization"),
    (["--ops-usd-month", "inf"], "--ops-usd-month"),
    (["--electricity-usd-kwh", "nan"], "--electricity-usd-kwh"),
    (["-q", "fp3"], "fp3"),
]


@pytest.mark.parametrize("flags,needle", SWEEP_FLAGS, ids=[" ".join(f) for f, _ in SWEEP_FLAGS])
def test_sweep_flags(sandbox, flags, needle):
    args = ["sweep", *flags] if "-t" in flags else ["sweep", "-t", "1e6:1e9:3", *flags]
    assert_clean(sandbox(args), 2, needle)


PLOT_FLAGS = [
    (["plot", "cost"], "-o"),
    (["plot", "cost", "--terminal", "--range", "0:1e9"], "--range"),
    (["plot", "cost", "--terminal", "--range", "1e9:1e6"], "--range"),
    (["plot", "cost", "--terminal", "--range", "1e6:inf"], "--range"),
    (["plot", "cost", "--terminal", "-t", "0"], "--tokens"),
    (["plot", "cost", "--terminal", "--utilization", "nan"], "--utilization"),
    (["plot", "cost", "--terminal", "--ops-usd-month", "inf"], "--ops-usd-month"),
    (["plot", "cost", "--terminal", "--api-price", "nan:1"], "--api-price"),
    (["plot", "cost", "-o", "x.txt"], "x.txt"),
    (["plot", "montecarlo", "-o", "m.png", "-n", "10000000"], "--max-draws"),
    (["plot", "montecarlo", "-o", "m.png", "-t", "0"], "--tokens"),
    (["plot", "montecarlo", "-o", "m.png", "--growth-per-month", "3", "--horizon-months", "600"],
     "--growth-per-month"),
]


@pytest.mark.parametrize("flags,needle", PLOT_FLAGS, ids=[" ".join(f) for f, _ in PLOT_FLAGS])
def test_plot_flags(sandbox, flags, needle):
    assert_clean(sandbox(flags), 2, needle)


OTHER_FLAGS = [
    (["recommend", "w.yaml", "--monte-carlo", "2000000"], "--max-draws"),
    (["recommend", "w.yaml", "--format", "github"], "--format"),
    (["recommend", "w.yaml", "--workload", "nope"], "nope"),
    (["usage", "summarize", "u.csv", "--map", "nonsense"], "--map"),
    (["usage", "summarize", "u.csv", "--map", "a=no_such_field"], "no_such_field"),
    (["usage", "summarize", "u.csv", "--preset", "x"], "--preset"),
    (["usage", "reprice", "u.csv", "--utilization", "nan"], "--utilization"),
    (["usage", "reprice", "u.csv", "--context", "0"], "--context"),
    (["usage", "reprice", "u.csv", "--gpu", "0xh100"], "0xh100"),
    (["usage", "to-workload", "u.csv"], "--output"),
    (["catalog", "import-litellm"], "PATH"),
    (["catalog", "nonsense"], "nonsense"),
]


@pytest.mark.parametrize("flags,needle", OTHER_FLAGS, ids=[" ".join(f) for f, _ in OTHER_FLAGS])
def test_other_flags(sandbox, flags, needle):
    assert_clean(sandbox(flags, {**W(), "u.csv": USAGE_CSV}), 2, needle)


# --------------------------------------------------------------------------------------------
# 2. files: hostile inputs -> exit 2 naming the file (and the field or line)

WORKLOAD_FILES = [
    ("fifo", FIFO, "named pipe"),
    ("directory", DIR, "directory"),
    ("missing", None, "no such file"),
    ("not utf-8", b"workloads:\n  - name: \xff\xfe\n", "UTF-8"),
    ("over 1 MB", "# " + "x" * 1_100_000 + "\n", "w.yaml"),
    ("duplicate policy", workload_yaml() + "policy: {}\n", "duplicate key 'policy'"),
    ("duplicate nested key", "workloads:\n  - name: a\n    tokens_per_day: 1e8\n    tokens_per_day: 2e8\n",
     "duplicate key"),
    ("bad date", "workloads:\n  - name: a\n    tokens_per_day: 1e8\n    description: 2025-02-30\n", "2025-02-30"),
    ("5000-digit integer", "workloads:\n  - name: a\n    tokens_per_day: " + "9" * 5000 + "\n", "w.yaml"),
    ("input_tokens .inf", workload_yaml(w0={"input_tokens": float("inf")}).replace("inf", ".inf"), "w.yaml"),
    ("tokens_per_day .nan", "workloads:\n  - name: a\n    tokens_per_day: .nan\n", "w.yaml"),
    ("tokens_per_day 0", "workloads:\n  - name: a\n    tokens_per_day: 0\n", "tokens_per_day"),
    ("tokens_per_day 1e20", "workloads:\n  - name: a\n    tokens_per_day: 1e20\n", "tokens_per_day"),
    ("requests_per_day -5", workload_yaml(w0={"requests_per_day": -5}), "requests_per_day"),
    ("input_tokens 1e12", workload_yaml(w0={"input_tokens": 1e12}), "input_tokens"),
    ("peak_to_mean 1e9", workload_yaml(w0={"peak_to_mean": 1e9}), "peak_to_mean"),
    ("growth 50", workload_yaml(w0={"growth_per_month": 50}), "growth_per_month"),
    ("horizon 1e6", workload_yaml(w0={"horizon_months": 1000000}), "horizon_months"),
    ("201 workloads", yaml.safe_dump({"workloads": [{"name": f"w{i}", "tokens_per_day": 1e8} for i in range(201)]}),
     "workloads"),
    ("deep nesting", DEEP_YAML, "w.yaml"),
    ("billion laughs", BILLION, "w.yaml"),
    ("python tag", "workloads: !!python/object/apply:os.system ['echo pwned']\n", "w.yaml"),
    ("top level list", "- a\n- b\n", "top level"),
    ("control character", "workloads:\n  - name: a\x07\n", "w.yaml"),
    ("name with newline", workload_yaml(w0={"name": FORGE}), "name"),
    ("policy total .nan", workload_yaml(policy={"budget_usd_per_month": {"total": float("nan")}}).replace(
        "nan", ".nan"), "w.yaml"),
    ("policy total -5", workload_yaml(policy={"budget_usd_per_month": {"total": -5}}), "policy.budget_usd_per_month"),
    ("policy budget string", workload_yaml(policy={"budget_usd_per_month": {"total": "lots"}}),
     "policy.budget_usd_per_month"),
    ("policy budget 1e20", workload_yaml(policy={"budget_usd_per_month": {"total": 1e20}}),
     "policy.budget_usd_per_month"),
    ("policy max_usd_per_mtok 0", workload_yaml(policy={"max_usd_per_mtok": 0}), "policy.max_usd_per_mtok"),
    ("policy payback 1e9", workload_yaml(policy={"max_payback_months": 1e9}), "policy.max_payback_months"),
    ("policy not a mapping", workload_yaml(policy=[1, 2]), "policy"),
    ("policy unknown field", workload_yaml(policy={"budgets": {}}), "policy.budgets"),
]


@pytest.mark.parametrize("cmd", ["check", "recommend"])
@pytest.mark.parametrize("what,content,needle", WORKLOAD_FILES, ids=[c[0] for c in WORKLOAD_FILES])
def test_workload_files(sandbox, cmd, what, content, needle):
    if cmd == "recommend" and "policy" in what:
        pytest.skip("recommend does not read the policy")
    files = {} if content is None else {"w.yaml": content}
    assert_clean(sandbox([cmd, "w.yaml", *NO_STALE], files), 2, needle)


OTHER_FILES = [
    # --policy
    (["check", "w.yaml", "--policy", "p.yaml"], {"p.yaml": FIFO}, "p.yaml"),
    (["check", "w.yaml", "--policy", "p.yaml"], {"p.yaml": "policy: {budget_usd_per_month: {total: .inf}}\n"},
     "p.yaml"),
    (["check", "w.yaml", "--policy", "p.yaml"], {"p.yaml": "budget_usd_per_month: {total: 1}\nbudget_usd_per_month: {}\n"},
     "duplicate key"),
    (["check", "w.yaml", "--policy", "p.yaml"], {"p.yaml": "budget_usd_per_month: {total: -1}\n"}, "p.yaml"),
    # --catalog
    (["check", "w.yaml", "--catalog", "c.yaml"], {"c.yaml": FIFO}, "c.yaml"),
    (["check", "w.yaml", "--catalog", "c.yaml"], {"c.yaml": DIR}, "c.yaml"),
    (["breakeven", "-t", "5e8", "--catalog", "/dev/zero"], {}, "/dev/zero"),
    (["breakeven", "-t", "5e8", "--catalog", "c.yaml"], {"c.yaml": "apis: []\napis: []\n"}, "duplicate key"),
    (["breakeven", "-t", "5e8", "--catalog", "c.yaml"], {"c.yaml": "apis:\n  - id: x\n    as_of: 2026-13-01\n"},
     "c.yaml"),
    # --baseline
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": FIFO}, "b.json"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": DIR}, "b.json"),
    (["check", "w.yaml", "--baseline", "b.json"], {}, "b.json"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": "not json"}, "b.json"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": b"\xff\xfe{}"}, "UTF-8"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": "[]"}, "not an ovc baseline"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": DEEP_JSON}, "nested too deeply"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": baseline(workloads="x")}, "workloads"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": baseline(workloads=[1])}, "workloads[0]"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": baseline(workloads=[{"name": 1}])}, "workloads[0].name"),
    (["check", "w.yaml", "--baseline", "b.json"],
     {"b.json": baseline(workloads=[{"name": "a", "usd_per_month": "lots"}])}, "usd_per_month"),
    (["check", "w.yaml", "--baseline", "b.json"],
     {"b.json": baseline(workloads=[{"name": "a", "feasible_options": [[1]]}])}, "feasible_options"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": baseline(total_usd_per_month=[1])},
     "total_usd_per_month"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": baseline().replace("3000.0", "NaN")}, "b.json"),
    (["check", "w.yaml", "--baseline", "b.json"], {"b.json": baseline().replace("3000.0", "1" * 5000)}, "b.json"),
    # usage logs
    (["usage", "summarize", "u.csv"], {"u.csv": FIFO}, "named pipe"),
    (["usage", "summarize", "u.csv"], {"u.csv": DIR}, "directory"),
    (["usage", "summarize", "u.csv"], {}, "u.csv"),
    (["usage", "summarize", "u.csv.gz"], {"u.csv.gz": _gz(USAGE_CSV)[:40]}, "truncated gzip"),
    (["usage", "summarize", "u.csv.gz"], {"u.csv.gz": b"\x1f\x8bgarbage"}, "gzip"),
    (["usage", "summarize", "u.csv.gz"], {"u.csv.gz": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage!!"},
     "gzip"),
    # (rows dated outside the plausible dates, 0001-01-01 or 9999-12-31, are bad rows: test_hostile_io.py)
    (["usage", "summarize", "u.csv"], {"u.csv": USAGE_CSV + "2015-01-02T00:00:00Z,gpt-4o,1,1\n"},
     "MAX_USAGE_SPAN_DAYS"),
    (["usage", "reprice", "u.csv"], {"u.csv": USAGE_CSV + "2100-12-31T00:00:00Z,gpt-4o,1,1\n"},
     "MAX_USAGE_SPAN_DAYS"),
    (["usage", "reprice", "u.csv"], {"u.csv": "timestamp,model,input_tokens,output_tokens\n"
                                              "2026-01-01T00:00:00Z,gpt-4o,0,0\n"}, "no tokens"),
    (["usage", "summarize", "u.csv", "--strict"], {"u.csv": USAGE_CSV + "2026-01-02T00:00:00Z,gpt-4o,-5,1\n"},
     "u.csv"),
    (["usage", "summarize", "u.jsonl", "--strict"], {"u.jsonl": '{"timestamp": 1767225600, "model": "a", '
                                                               '"input_tokens": 1, "output_tokens": 1}\n'
                                                               + "[" * 100_000 + "\n"}, "u.jsonl"),
    (["usage", "summarize", "u.csv"], {"u.csv": b"timestamp,model\n\xff\xfe\n"}, "UTF-8"),
    (["usage", "summarize", "u.csv"], {"u.csv": "x,y\n" + "a," + "b" * 200_000 + "\n"}, "u.csv"),
    # LiteLLM JSON
    (["catalog", "import-litellm", "l.json"], {"l.json": FIFO}, "named pipe"),
    (["catalog", "import-litellm", "l.json"], {"l.json": DIR}, "directory"),
    (["catalog", "import-litellm", "l.json"], {"l.json": "[1, 2]"}, "l.json"),
    (["catalog", "import-litellm", "l.json"], {"l.json": "{"}, "not valid JSON"),
    (["catalog", "import-litellm", "l.json"], {"l.json": DEEP_JSON}, "nested too deeply"),
    (["catalog", "import-litellm", "l.json"], {"l.json": '{"gpt-6-astra": {"input_cost_per_token": NaN}}'},
     "l.json"),
    (["catalog", "import-litellm", "l.json"], {"l.json": '{"a": ' + "1" * 5000 + "}"}, "l.json"),
    (["catalog", "import-litellm", "l.json"], {"l.json": litellm(**{"gpt-6-astra": "cheap"})}, "gpt-6-astra"),
    (["catalog", "import-litellm", "l.json"], {"l.json": litellm(**{"gpt-6-astra": [1, 2]})}, "gpt-6-astra"),
    (["catalog", "import-litellm", "l.json"],
     {"l.json": litellm(**{"gpt-6-astra": {"input_cost_per_token": -1e-6, "output_cost_per_token": 1e-6}})},
     "gpt-6-astra"),
    (["catalog", "import-litellm", "l.json"],
     {"l.json": litellm(**{"gpt-6-astra": {"input_cost_per_token": "1e-6", "output_cost_per_token": 1e-6}})},
     "input_cost_per_token"),
    (["catalog", "import-litellm", "l.json"],
     {"l.json": litellm(**{"gpt-6-astra": {"input_cost_per_token": 1e-6, "output_cost_per_token": 5.0}})},
     "output_cost_per_token"),
    (["catalog", "import-litellm", "l.json"],
     {"l.json": litellm(**{"gpt-6-astra": {"input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6,
                                           "max_input_tokens": "big"}})}, "max_input_tokens"),
    (["catalog", "import-litellm", "l.json", "--add", "bad"], {"l.json": litellm(bad=[1])}, "bad"),
    (["catalog", "import-litellm", "l.json", "--add", "bad"],
     {"l.json": litellm(bad={"input_cost_per_token": 1e-6, "output_cost_per_token": True})}, "bad"),
    (["catalog", "import-litellm", "l.json", "--add", "bad"],
     {"l.json": litellm(bad={"input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6,
                            "litellm_provider": ["x"]})}, "litellm_provider"),
    (["catalog", "import-litellm", "l.json", "--write", "out.yaml"],
     {"l.json": litellm(**{"gpt-6-astra": {"input_cost_per_token": -1, "output_cost_per_token": 1e-6}})},
     "gpt-6-astra"),
]


@pytest.mark.parametrize("args,files,needle", OTHER_FILES,
                         ids=[f"{a[0]}-{i}-{n}" for i, (a, _, n) in enumerate(OTHER_FILES)])
def test_hostile_files(sandbox, args, files, needle):
    base = {} if "w.yaml" in files else W()
    assert_clean(sandbox(args, {**base, **files}), 2, needle)


def test_usage_line_cap(sandbox, monkeypatch):
    from openvclosed.usage import reader

    monkeypatch.setattr(reader, "MAX_LINE_CHARS", 1000)
    r = sandbox(["usage", "summarize", "u.jsonl"], {"u.jsonl": '{"model": "' + "a" * 5000 + '"}\n'})
    assert_clean(r, 2, "MAX_LINE_CHARS")


# --------------------------------------------------------------------------------------------
# 3. environment

def test_columns_not_a_number(sandbox):
    r = sandbox(["catalog", "apis"], env={"COLUMNS": "abc"})
    assert_clean(r, 0)
    assert "openai/gpt-6-astra" in r.stdout


@pytest.mark.parametrize("cols", ["-5", "0", "99999999999999999999", "1e3", "\x1b[31m"])
def test_columns_odd(sandbox, cols):
    assert_clean(sandbox(["breakeven", "-t", "5e8"], env={"COLUMNS": cols}), 0)


@pytest.mark.parametrize("where,files", [
    ("dir", {"dir": DIR}),
    ("missing/summary.md", {}),
    ("fifo", {"fifo": FIFO}),
    ("/dev/full", {}),
])
def test_step_summary_unusable(sandbox, where, files):
    r = sandbox(["check", "w.yaml", "--format", "github", *NO_STALE], {**W(), **files},
                env={"GITHUB_STEP_SUMMARY": where})
    assert_clean(r, 0, markdown=True)
    assert "GITHUB_STEP_SUMMARY" in r.stderr and "ovc: warning:" in r.stderr
    assert "### ovc check" in r.stdout  # printed instead


def test_step_summary_appended(sandbox, tmp_path):
    r = sandbox(["check", "w.yaml", "--format", "github", *NO_STALE], {**W(), "s.md": "earlier\n"},
                env={"GITHUB_STEP_SUMMARY": "s.md"}, replaces={"s.md"})
    assert_clean(r, 0)
    text = (tmp_path / "s.md").read_text()
    assert text.startswith("earlier\n") and "### ovc check" in text


@pytest.mark.parametrize("value,needle", [("fifo", "fifo"), ("dir", "dir"), ("/dev/zero", "/dev/zero")])
def test_ovc_catalog_env(sandbox, value, needle):
    r = sandbox(["catalog", "apis"], {"fifo": FIFO, "dir": DIR}, env={"OVC_CATALOG": value})
    assert_clean(r, 2, needle)


# --------------------------------------------------------------------------------------------
# 4. writers: existing targets, links, directories, inputs

WRITERS = {
    "init": (lambda t: ["init", t], {}),
    "to-workload": (lambda t: ["usage", "to-workload", "u.csv", "-o", t], {"u.csv": USAGE_CSV}),
    "import-litellm": (lambda t: ["catalog", "import-litellm", "l.json", "--write", t],
                       {"l.json": litellm(**{"gpt-6-astra": {"input_cost_per_token": 2e-5,
                                                            "output_cost_per_token": 6e-5}})}),
    "sweep -o": (lambda t: ["sweep", "-t", "1e6:1e9:3", "-o", t + ".csv"], {}),
    "sweep --full": (lambda t: ["sweep", "-t", "1e6:1e9:3", "--full", t + ".csv"], {}),
    "plot -o": (lambda t: ["plot", "cost", "-o", t + ".png"], {}),
}
_SUFFIX = {"sweep -o": ".csv", "sweep --full": ".csv", "plot -o": ".png"}


def _target_cases():
    for w in WRITERS:
        sfx = _SUFFIX.get(w, "")
        yield w, "exists", {"t" + sfx: "precious\n"}, [], 2, "--force"
        yield w, "symlink", {"victim": "precious\n", "t" + sfx: symlink("victim")}, [], 2, "symbolic link"
        yield w, "symlink --force", {"victim": "precious\n", "t" + sfx: symlink("victim")}, ["--force"], 2, \
            "symbolic link"
        yield w, "directory", {"t" + sfx: DIR}, ["--force"], 2, "directory"
        yield w, "missing folder", {}, [], 2, "does not exist"


TARGET_CASES = list(_target_cases())


@pytest.mark.parametrize("writer,state,files,extra,code,needle", TARGET_CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in TARGET_CASES])
def test_writer_targets(sandbox, writer, state, files, extra, code, needle):
    build, inputs = WRITERS[writer]
    target = "nodir/t" if state == "missing folder" else "t"
    r = sandbox([*build(target), *extra], {**inputs, **files})
    assert_clean(r, code, needle)


@pytest.mark.parametrize("writer", list(WRITERS))
def test_writer_force_keeps_mode(sandbox, tmp_path, writer):
    if writer.startswith("plot"):
        pytest.importorskip("matplotlib")
    build, inputs = WRITERS[writer]
    name = "t" + _SUFFIX.get(writer, "")
    make_files(tmp_path, {name: "old\n"})
    os.chmod(tmp_path / name, 0o640)
    r = sandbox([*build("t"), "--force"], inputs, replaces={name})
    assert_clean(r, 0)
    assert (tmp_path / name).read_bytes() != b"old\n"
    assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o640
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


INPUT_CASES = [
    (["usage", "to-workload", "u.csv", "-o", "u.csv", "--force"], {"u.csv": USAGE_CSV}),
    (["usage", "to-workload", "u.csv", "-o", "link.csv", "--force"], {"u.csv": USAGE_CSV, "link.csv": symlink("u.csv")}),
    (["usage", "to-workload", "u.csv", "-o", "./sub/../u.csv", "--force"], {"u.csv": USAGE_CSV, "sub": DIR}),
    (["usage", "to-workload", "u.csv", "--catalog", "c.yaml", "-o", "c.yaml", "--force"],
     {"u.csv": USAGE_CSV, "c.yaml": "apis: []\n"}),
    (["catalog", "import-litellm", "l.json", "--write", "l.json", "--force"], {"l.json": litellm()}),
    (["catalog", "import-litellm", "l.json", "--catalog", "c.yaml", "--write", "c.yaml", "--force"],
     {"l.json": litellm(), "c.yaml": "apis: []\n"}),
    (["check", "w.yaml", "--write-baseline", "w.yaml", *NO_STALE], W()),
    (["check", "w.yaml", "--policy", "p.yaml", "--write-baseline", "p.yaml", *NO_STALE],
     {**W(), "p.yaml": "budget_usd_per_month: {total: 100000}\n"}),
]


@pytest.mark.parametrize("args,files", INPUT_CASES, ids=[" ".join(a[:2]) + f"-{i}" for i, (a, _) in
                                                          enumerate(INPUT_CASES)])
def test_writer_never_replaces_an_input(sandbox, args, files):
    r = sandbox(args, files)
    assert_clean(r, 2)
    assert "input" in r.stderr or "symbolic link" in r.stderr or "baseline" in r.stderr


@pytest.mark.parametrize("state,files,code,needle", [
    ("symlink", {"victim.json": baseline(), "b.json": symlink("victim.json")}, 2, "symbolic link"),
    ("directory", {"b.json": DIR}, 2, "b.json"),
    ("not a baseline", {"b.json": '{"precious": true}'}, 2, "not an ovc baseline"),
    ("fifo", {"b.json": FIFO}, 2, "b.json"),
])
def test_write_baseline_refuses(sandbox, state, files, code, needle):
    r = sandbox(["check", "w.yaml", "--write-baseline", "b.json", *NO_STALE], {**W(), **files})
    assert_clean(r, code, needle)


def test_write_baseline_replaces_a_baseline(sandbox, tmp_path):
    make_files(tmp_path, {"b.json": baseline()})
    os.chmod(tmp_path / "b.json", 0o644)
    r = sandbox(["check", "w.yaml", "--baseline", "b.json", "--write-baseline", "b.json", *NO_STALE], W(),
                replaces={"b.json"})
    assert_clean(r, 0)
    data = json.loads((tmp_path / "b.json").read_text())
    assert data["kind"] == "ovc-check" and data["file"] == "w.yaml"
    assert stat.S_IMODE(os.stat(tmp_path / "b.json").st_mode) == 0o644


def test_litellm_write_refused_entries_not_written(sandbox, tmp_path):
    bad = litellm(**{"gpt-6-astra": {"input_cost_per_token": float("nan"), "output_cost_per_token": 1e-6}})
    r = sandbox(["catalog", "import-litellm", "l.json", "--write", "out.yaml"], {"l.json": bad.replace("NaN", "1e300")})
    assert_clean(r, 2, "gpt-6-astra")
    assert not (tmp_path / "out.yaml").exists()


# --------------------------------------------------------------------------------------------
# 5. injection: hostile strings from files into every output channel

CHECK_INJECTION_FILES = {
    # workload names are plain words, so a hostile budget key names no workload: exit 2, one clean line
    "budget key": {"w.yaml": policy_yaml(**{EVIL: 5, "total": 100000})},
    "licence name": {"w.yaml": workload_yaml(policy={**CI["policy"], "disallowed_licences": [EVIL]})},
    "catalog ids": {"w.yaml": workload_yaml(), "c.yaml": EVIL_CATALOG},
    "baseline fields": {"w.yaml": workload_yaml(), "b.json": baseline(file=EVIL, workloads=[
        {"name": "support-chat", "recommended_name": EVIL, "usd_per_month": 1.0, "feasible_options": [EVIL, HTML]},
        {"name": EVIL, "recommended_name": HTML, "usd_per_month": 2.0, "feasible_options": []}])},
}


def _check_args(files, fmt):
    args = ["check", "w.yaml", "--format", fmt, *NO_STALE]
    if "c.yaml" in files:
        args += ["--catalog", "c.yaml"]
    if "b.json" in files:
        args += ["--baseline", "b.json"]
    return args


@pytest.mark.parametrize("fmt", ["table", "markdown", "github", "json"])
@pytest.mark.parametrize("what", list(CHECK_INJECTION_FILES))
def test_check_injection(sandbox, monkeypatch, what, fmt):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    files = CHECK_INJECTION_FILES[what]
    r = sandbox(_check_args(files, fmt), files)
    assert_clean(r, 2 if what == "budget key" else (0, 1), markdown=fmt in ("markdown", "github"))
    if fmt == "json" and r.exit_code != 2:
        json.loads(r.stdout)
    if fmt == "github":
        for line in r.stdout.splitlines():
            if line.startswith("::"):
                m = _OWN_ANNOTATION.match(line)
                assert m and m.group(0).count("::") == 2, line


def test_step_summary_gets_safe_markdown(sandbox, tmp_path):
    files = {**CHECK_INJECTION_FILES["baseline fields"], "s.md": ""}
    r = sandbox(_check_args(files, "github"), files, env={"GITHUB_STEP_SUMMARY": "s.md"}, replaces={"s.md"})
    assert_clean(r, (0, 1))
    md = (tmp_path / "s.md").read_text()
    assert "baseline" in md and "forged" in md
    assert_safe_markdown(md)
    assert not any(x.lstrip().startswith("::") for x in md.splitlines())


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_recommend_injection(sandbox, fmt):
    r = sandbox(["recommend", "w.yaml", "--catalog", "c.yaml", "--format", fmt, *NO_STALE],
                CHECK_INJECTION_FILES["catalog ids"])
    assert_clean(r, 0, markdown=fmt == "markdown")
    assert "evil/" in r.stdout


@pytest.mark.parametrize("args", [
    ["breakeven", "-t", "5e8", "-a", "evil/<img/src=x/onerror=alert(1)>`x`[a](http://e.example)![i](http://e.example/i.png)::error"],
    ["catalog", "apis"],
    ["plot", "cost", "--terminal", "-a", "evil/<img/src=x/onerror=alert(1)>`x`[a](http://e.example)![i](http://e.example/i.png)::error"],
    ["sweep", "-t", "1e6:1e9:3", "--api", "all"],
])
def test_catalog_injection_terminal(sandbox, args):
    r = sandbox([*args, "--catalog", "c.yaml"], {"c.yaml": EVIL_CATALOG})
    assert_clean(r, 0)


def test_sweep_csv_cells_guarded(sandbox, tmp_path):
    cat = yaml.safe_load(EVIL_CATALOG)
    cat["apis"][0]["id"] = "=cmd|' /C calc'!A0"
    r = sandbox(["sweep", "-t", "1e6:1e9:3", "--api", "all", "--catalog", "c.yaml", "-o", "f.csv"],
                {"c.yaml": yaml.safe_dump(cat)}, creates={"f.csv"})
    assert_clean(r, 0)
    cells = [c for line in (tmp_path / "f.csv").read_text().splitlines() for c in line.split(",")]
    assert not [c for c in cells if c.startswith(("=", "@", "+"))]
    assert any(c.startswith("'=cmd") for c in cells)


@pytest.mark.parametrize("cmd", [["summarize"], ["reprice"], ["summarize", "--format", "json"]])
def test_usage_injection(sandbox, cmd):
    r = sandbox(["usage", *cmd, "u.csv"], {"u.csv": EVIL_USAGE_CSV})
    assert_clean(r, 0)


def test_usage_to_workload_injection(sandbox, tmp_path):
    r = sandbox(["usage", "to-workload", "u.csv", "-o", "out.yaml", "--group-by", "model"],
                {"u.csv": EVIL_USAGE_CSV}, creates={"out.yaml"})
    assert_clean(r, 0)
    from openvclosed.decision.workload import load_workload_file

    load_workload_file(tmp_path / "out.yaml")  # a valid workload file whatever the names


def test_usage_bad_rows_on_stderr_are_safe(sandbox):
    r = sandbox(["usage", "summarize", "u.csv"],
                {"u.csv": USAGE_CSV + '2026-01-02T00:00:00Z,"m",' + '"\n::error::x\x1b[2J",1\n'})
    assert_clean(r, 0)


def test_litellm_injection(sandbox):
    key = "evil/" + FORGE + ANSI
    r = sandbox(["catalog", "import-litellm", "l.json", "--add", key],
                {"l.json": litellm(**{key: {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6,
                                            "litellm_provider": "x\n::error::p"}})})
    assert_clean(r, 0)
    assert "1 added" in r.stdout


# --------------------------------------------------------------------------------------------
# 6. the installed console script, outside the in-process runner

def _ovc() -> list[str]:
    exe = Path(sys.executable).parent / "ovc"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "openvclosed"]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("OVC_CATALOG", "GITHUB_STEP_SUMMARY")}
    env["COLUMNS"] = "150"
    env.update(extra)
    return env


def _proc_clean(p: subprocess.CompletedProcess, code: int, needle: str | None = None):
    class R:
        exit_code, stdout, stderr = p.returncode, p.stdout, p.stderr

    assert_clean(R, code, needle)


def test_installed_fifo_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "w.yaml")
    p = subprocess.run([*_ovc(), "check", "w.yaml"], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                       timeout=60)
    _proc_clean(p, 2, "named pipe")


def test_installed_forged_annotation(tmp_path):
    # a budget for a workload the file does not have (a hostile key) is bad input: one clean line
    (tmp_path / "w.yaml").write_text(policy_yaml(**{EVIL: 5, "total": 100000}))
    p = subprocess.run([*_ovc(), "check", "w.yaml", "--format", "github", *NO_STALE], cwd=tmp_path,
                       env=_env(COLUMNS="abc"), capture_output=True, text=True, timeout=60)
    _proc_clean(p, 2, "is not a workload of the file")


def test_installed_broken_pipe_is_quiet(tmp_path):
    p = subprocess.Popen([*_ovc(), "catalog", "apis"], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert p.returncode == 0, (p.returncode, err)


def test_installed_bad_number(tmp_path):
    p = subprocess.run([*_ovc(), "breakeven", "-t", "5e8", "--amortize-years", "inf"], cwd=tmp_path, env=_env(),
                       capture_output=True, text=True, timeout=60)
    _proc_clean(p, 2, "--amortize-years")


def test_installed_ctrl_c_leaves_old_file(tmp_path):
    """Ctrl-C during ``sweep --full``: "interrupted", exit 130, the old file intact, no temp file."""
    (tmp_path / "full.csv").write_text("old\n")
    p = subprocess.Popen([*_ovc(), "sweep", "-t", "1e6:1e10:30000000", "--max-scenarios", "10000000000",
                          "--full", "full.csv", "--force"], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 30
    while time.time() < deadline and not [x for x in os.listdir(tmp_path) if x.endswith(".tmp")]:
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (p.returncode, err)
    assert "interrupted" in err and "Traceback" not in err
    assert (tmp_path / "full.csv").read_text() == "old\n"
    assert os.listdir(tmp_path) == ["full.csv"]


def test_installed_warnings_have_no_paths(tmp_path):
    code = ("import warnings, numpy as np, sys; from openvclosed.cli import _quiet_warnings; _quiet_warnings(); "
            "np.array([1e308]) * 10; warnings.warn('w', RuntimeWarning); warnings.warn('d', DeprecationWarning)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    assert "site-packages" not in p.stderr and ".py:" not in p.stderr, p.stderr
    assert p.stderr.count("ovc: warning:") == 2, p.stderr
