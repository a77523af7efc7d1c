"""Hostile input, third round (issue 28), part 2: readers, writers, signals and output channels.

- the columnar (pyarrow) usage reader under the Python reader's caps, never a native abort;
- usage rows with absurd dates and counts are bad rows, never an allocation or a traceback;
- gzip expansion capped;
- the legacy ``##[`` workflow-command form broken on every channel, bidi controls escaped in
  JSON, file names one line in generated YAML;
- strict LiteLLM JSON, ``--add`` of an unknown key;
(signals and write errors: tests/test_hostile_signals.py)

In-process through ``cli.main`` where that is the same; the installed command in a subprocess
where the entry point, signals, resource limits or pyarrow's threads matter.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from hostile_common import H, HEAD, NO_STALE, ROWS, assert_clean  # noqa: E402,F401
LEGACY = "x ##[error]legacy ##[set-output name=a]b"


@pytest.fixture
def at(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)

    def go(args, files=None):
        H.make_files(tmp_path, files or {})
        return run(*args)

    return go


def _proc(p) -> H._Fake:
    return H._Fake(p.returncode, p.stdout, p.stderr)


def _run(args, cwd, timeout=120, **kw):
    return subprocess.run([*H._ovc(), *args], cwd=cwd, env=H._env(), capture_output=True, text=True,
                          timeout=timeout, **kw)


def _json_finite(text: str):
    def refuse(name):
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


# --------------------------------------------------------------------------------------------
# usage rows: dates and counts out of range are bad rows

@pytest.mark.parametrize("row,reason", [
    ("0001-01-01T00:00:00Z,gpt-4o,100,10", "bad timestamp"),
    ("9999-12-31T00:00:00Z,gpt-4o,100,10", "bad timestamp"),
    ("100000000000000000000,gpt-4o,100,10", "bad timestamp"),
    ("1e20,gpt-4o,100,10", "bad timestamp"),
    ("2026-01-02T00:00:00Z,gpt-4o,1e300,10", "bad input_tokens"),
    ("2026-01-02T00:00:00Z,gpt-4o,1000000000000000000000000000000,10", "bad input_tokens"),
    ("2026-01-02T00:00:00Z,gpt-4o,5,1e16", "bad output_tokens"),
])
@pytest.mark.parametrize("reader", ["python", "columnar"])
def test_usage_row_out_of_range_is_a_bad_row(at, monkeypatch, row, reason, reader):
    """(the issue: a row dated 0001-01-01 asked numpy for 32 GiB; 1e20 was a ValueError)"""
    if reader == "columnar":
        pytest.importorskip("pyarrow")
        monkeypatch.setattr("openvclosed.usage.columnar.MIN_BYTES", 0)
    else:
        monkeypatch.setenv("OVC_USAGE_READER", "python")
    r = at(["usage", "summarize", "u.csv", "--json"], {"u.csv": HEAD + ROWS + row + "\n"})
    assert_clean(r, 0)
    data = _json_finite(r.stdout)
    f = data["files"][0]
    assert f["bad_rows"] == 1 and reason in f["bad_by_reason"], f
    assert data["window"]["days"] < 5


def test_usage_reprice_stray_row(at):
    r = at(["usage", "reprice", "u.csv", "--json"], {"u.csv": HEAD + ROWS + "9999-12-31T00:00:00Z,gpt-4o,1,1\n"})
    assert_clean(r, 0)
    _json_finite(r.stdout)


def test_usage_only_stray_row_no_records(at):
    r = at(["usage", "summarize", "u.csv"], {"u.csv": HEAD + "0001-01-01T00:00:00Z,m,100,10\n"})
    assert_clean(r, 2, "no usable usage records")


@pytest.mark.parametrize("cmd", [["summarize"], ["summarize", "--json"], ["reprice"]])
def test_usage_zero_tokens(at, cmd):
    r = at(["usage", *cmd, "u.csv"], {"u.csv": HEAD + "2026-01-01T00:00:00Z,m,0,0\n2026-01-01T01:00:00Z,m,0,0\n"})
    assert_clean(r, (0, 2))
    if "--json" in cmd:
        _json_finite(r.stdout)


# --------------------------------------------------------------------------------------------
# the columnar reader: Python checks the records before pyarrow sees a byte

@pytest.fixture
def columnar(monkeypatch):
    """Every CSV through the columnar path, with small blocks; counts the calls into pyarrow."""
    pytest.importorskip("pyarrow")
    from openvclosed.usage import columnar as col

    calls = []
    real = col.read_csv
    monkeypatch.setattr(col, "MIN_BYTES", 0)
    monkeypatch.setattr(col, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(col, "read_csv", lambda *a, **k: (calls.append(1), (yield from real(*a, **k)))[1])
    return calls


def test_columnar_used_for_plain_records(at, columnar):
    assert_clean(at(["usage", "summarize", "u.csv"], {"u.csv": HEAD + ROWS * 50}), 0)
    assert columnar


@pytest.mark.parametrize("what,tail", [
    ("long line", "2026-01-02T00:00:00Z,m" + "x" * 5000 + ",1,1\n"),
    ("long quoted record", '2026-01-02T00:00:00Z,"' + ("y" * 50 + "\n") * 100 + '",1,1\n'),
    ("no newline at all", "z" * 9000),
])
def test_columnar_never_sees_a_long_record(at, columnar, what, tail):
    r = at(["usage", "summarize", "u.csv"], {"u.csv": HEAD + ROWS + tail + ROWS})
    assert_clean(r, (0, 2))
    assert not columnar  # the Python reader took it, with its own caps


def test_records_fit_by_hand(tmp_path):
    from openvclosed.usage.reader import records_fit

    p = tmp_path / "f"
    for text, limit, ok in [("a\nbb\nccc\n", 3, True), ("a\nbbbb\n", 3, False), ('"a\nb\nc"\n', 4, False),
                            ('"a""\n"\n', 3, False), ("abc", 3, True), ("abcd", 3, False), ("a\r\nb\n", 1, True)]:
        p.write_bytes(text.encode())
        fd = os.open(p, os.O_RDONLY)
        try:
            assert records_fit(fd, limit, block=2) is ok, (text, limit)
        finally:
            os.close(fd)


def test_installed_columnar_one_long_line(tmp_path):
    """17,000,000 characters on one line (the issue: accepted after 49 s at 885 MB): one line, exit 2."""
    pytest.importorskip("pyarrow")
    with open(tmp_path / "u.csv", "w") as fh:
        fh.write(HEAD + ROWS + "x" * 17_000_000 + "\n")
    p = _run(["usage", "summarize", "u.csv"], tmp_path)
    assert_clean(_no_progress(p), 2, "MAX_LINE_CHARS")
    assert "Fatal Python error" not in p.stderr


def _no_progress(p) -> H._Fake:
    """The run without the progress bar files of 10 MB get on stderr (not an error line)."""
    err = "\n".join(x for x in p.stderr.splitlines() if not x.startswith("reading "))
    return H._Fake(p.returncode, p.stdout, err)


def test_installed_columnar_bad_utf8_is_one_line(tmp_path):
    pytest.importorskip("pyarrow")
    block = (ROWS * 4000).encode()
    with open(tmp_path / "u.csv", "wb") as fh:
        fh.write(HEAD.encode())
        while fh.tell() < 9_000_000:
            fh.write(block)
        fh.write(b"2026-01-03T00:00:00Z,gpt-\xff\xfe4o,1,1\n" + block)
    p = _run(["usage", "summarize", "u.csv"], tmp_path)
    assert_clean(_no_progress(p), 2, "UTF-8")
    assert "Fatal Python error" not in p.stderr


# --------------------------------------------------------------------------------------------
# gzip expansion

def _gzip_of_newlines(n_bytes: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    chunk = b"\n" * (1 << 20)
    out = [c.compress(HEAD.encode())]
    out += [c.compress(chunk) for _ in range(n_bytes >> 20)]
    return b"".join(out) + c.flush()


def test_gzip_bomb_of_newlines_stops_at_once(at):
    data = _gzip_of_newlines(100 << 20)
    assert len(data) < 200_000
    t = time.process_time()
    r = at(["usage", "summarize", "u.csv.gz"], {"u.csv.gz": data})
    assert_clean(r, 2)
    assert "MAX_GZIP_RATIO" in r.stderr or "MAX_BLANK_RUN" in r.stderr, r.stderr  # whichever cap comes first
    assert time.process_time() - t < 60  # not minutes (a bound, not a benchmark)


@pytest.mark.parametrize("name,opener", [("u.jsonl", lambda b: b), ("u.csv.gz", gzip.compress)])
def test_run_of_blank_lines_stops(at, name, opener):
    """A million and one blank lines in a row is not a usage log (MAX_BLANK_RUN): the reader stops
    in well under a second instead of walking 100 MB of newlines for ~15 s. Hand-checked: the run
    starts at line 2 (after the header or first record)."""
    from openvclosed.usage.reader import MAX_BLANK_RUN
    first = HEAD if name.endswith(".csv.gz") else '{"timestamp": "2026-01-01T00:00:00Z", "model": "m", "input_tokens": 1, "output_tokens": 1}\n'
    data = (first + "\n" * (MAX_BLANK_RUN + 1) + (ROWS if name.endswith(".gz") else first)).encode()
    r = at(["usage", "summarize", name], {name: opener(data)})
    if name.endswith(".gz") and "MAX_GZIP_RATIO" in r.stderr:
        pytest.fail("the gzip ratio cap fired first; the test must reach the blank-line cap")
    assert_clean(r, 2, "MAX_BLANK_RUN")
    assert "from line 2" in r.stderr


def test_a_few_blank_lines_are_fine(at):
    assert_clean(at(["usage", "summarize", "u.csv"], {"u.csv": (HEAD + "\n" * 1000 + ROWS * 10).encode()}), 0)


def test_gzip_normal_log_reads(at):
    assert_clean(at(["usage", "summarize", "u.csv.gz"], {"u.csv.gz": gzip.compress((HEAD + ROWS * 2000).encode())}), 0)


# --------------------------------------------------------------------------------------------
# the legacy ##[ form on every channel; bidi controls in JSON

_BASE_CI = H.CI


def _files(what: str) -> dict:
    if what == "budget key":
        return {"w.yaml": H.policy_yaml(**{LEGACY: 5, "total": 100000})}
    if what == "catalog id":
        cat = yaml.safe_load(H.EVIL_CATALOG)
        cat["apis"][0].update(id="evil/" + LEGACY.replace(" ", "-"), model=LEGACY, provider=LEGACY + "\u202e")
        return {"w.yaml": H.workload_yaml(), "c.yaml": yaml.safe_dump(cat, allow_unicode=True)}
    if what == "baseline field":
        return {"w.yaml": H.workload_yaml(), "b.json": H.baseline(file=LEGACY, workloads=[
            {"name": "support-chat", "recommended_name": LEGACY, "usd_per_month": 1.0, "feasible_options": [LEGACY]},
            {"name": LEGACY + "\u202e", "recommended_name": LEGACY, "usd_per_month": 2.0, "feasible_options": []}])}
    raise AssertionError(what)


@pytest.mark.parametrize("fmt", ["table", "markdown", "github", "json"])
@pytest.mark.parametrize("what", ["budget key", "catalog id", "baseline field"])
def test_legacy_form_never_printed(at, monkeypatch, what, fmt):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    files = _files(what)
    r = at(H._check_args(files, fmt), files)
    # a budget key that names no workload is refused (exit 2, one line); the others check (0/1)
    assert_clean(r, (2,) if what == "budget key" else (0, 1), markdown=fmt in ("markdown", "github"))
    assert "##[" not in r.stderr
    if fmt == "json" and r.exit_code != 2:  # a refused file prints one error line, no JSON
        _json_finite(r.stdout)
        assert "\u202e" not in r.stdout


def test_json_keeps_the_values(at):
    files = _files("catalog id")
    r = at(["recommend", "w.yaml", "--catalog", "c.yaml", "--json", *NO_STALE], files)
    assert_clean(r, 0)
    assert "##[" not in r.stdout and "\u202e" not in r.stdout and "##\\u005b" in r.stdout
    assert "##[error]legacy" in json.dumps(_json_finite(r.stdout), ensure_ascii=False)  # decoded: the same text


@pytest.mark.parametrize("cmd", [["summarize"], ["summarize", "--json"], ["reprice"], ["reprice", "--json"]])
def test_usage_model_names_legacy_form(at, cmd):
    rows = "".join(f'2026-01-0{d}T10:00:00Z,"{m}",100,10\n' for d in (1, 2) for m in (LEGACY, "m\u202e"))
    r = at(["usage", *cmd, "u.csv"], {"u.csv": HEAD + rows})
    assert_clean(r, 0)
    assert "##[" not in r.stderr
    if "--json" in cmd:
        assert "\u202e" not in r.stdout
        _json_finite(r.stdout)


def test_error_line_legacy_form(at):
    r = at(["breakeven", "-t", "5e8", "--model", "##[error]x"])
    assert_clean(r, 2)
    assert "##[" not in r.stderr


def test_escapers_by_hand():
    from openvclosed.report.escape import gh_command, json_text, yaml_comment

    assert "##[" not in gh_command("error", "a ##[error]b", file="##[x")
    assert json.loads(json_text(json.dumps({"k": "##[a\u202eb\u2066"}, ensure_ascii=False))) == {"k": "##[a\u202eb\u2066"}
    for s in ("a\nb: 1", "a\rb", "a\x85b", "a\u2028b", "a\u2029b"):
        c = yaml_comment(s)
        assert yaml.safe_load("# " + c + "\nk: 1\n") == {"k": 1}, s


# --------------------------------------------------------------------------------------------
# file names in generated YAML; validate errors name the target

def test_usage_file_name_with_newline_adds_no_key(at, tmp_path):
    name = "a.csv\npolicy: {required_deployment: {internal: []}}\nx\u2028y.csv"
    r = at(["usage", "to-workload", name, "-o", "out.yaml"], {name: HEAD + ROWS})
    assert_clean(r, 0)
    data = yaml.safe_load((tmp_path / "out.yaml").read_text())
    assert set(data) == {"version", "workloads"}, data.keys()
    from openvclosed.decision.workload import load_workload_file

    assert load_workload_file(tmp_path / "out.yaml").policy is None


def test_litellm_write_header_file_name(at, tmp_path):
    name = "l\npolicy: {}.json"
    r = at(["catalog", "import-litellm", name, "--write", "o.yaml"],
           {name: H.litellm(**{"gpt-6-astra": {"input_cost_per_token": 2e-5, "output_cost_per_token": 6e-5}})})
    assert_clean(r, 0)
    assert set(yaml.safe_load((tmp_path / "o.yaml").read_text())) == {"apis"}


def test_to_workload_too_many_groups_names_the_target(at, tmp_path):
    rows = "".join(f"2026-01-01T{h % 24:02d}:00:00Z,model-{h},100,10\n" for h in range(201))
    r = at(["usage", "to-workload", "u.csv", "-o", "out.yaml"], {"u.csv": HEAD + rows})
    assert_clean(r, 2, "out.yaml")
    assert ".tmp" not in r.stderr
    assert not (tmp_path / "out.yaml").exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


# --------------------------------------------------------------------------------------------
# LiteLLM: strict JSON, --add of an unknown key

def test_litellm_duplicate_key(at, tmp_path):
    text = H.litellm()[:-1] + ', "gpt-6-astra": {"input_cost_per_token": 0, "output_cost_per_token": 0}}'
    r = at(["catalog", "import-litellm", "l.json", "--write", "o.yaml"], {"l.json": text})
    assert_clean(r, 2, "duplicate key 'gpt-6-astra'")
    assert not (tmp_path / "o.yaml").exists()


@pytest.mark.parametrize("extra", [[], ["--write", "o.yaml"]])
def test_litellm_add_unknown_key(at, tmp_path, extra):
    r = at(["catalog", "import-litellm", "l.json", "--add", "nosuch-key", *extra], {"l.json": H.litellm()})
    assert_clean(r, 2, "nosuch-key")
    assert not (tmp_path / "o.yaml").exists()


def test_litellm_add_free_entry_not_written(at, tmp_path):
    r = at(["catalog", "import-litellm", "l.json", "--add", "free/x", "--write", "o.yaml", "--verbose"],
           {"l.json": H.litellm(**{"free/x": {"input_cost_per_token": 0, "output_cost_per_token": 0,
                                              "litellm_provider": "x"}})})
    assert_clean(r, 0)
    assert "free/x" in r.stderr and "0 added" in r.stdout
