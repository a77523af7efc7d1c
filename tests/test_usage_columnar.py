"""The columnar CSV reader (pyarrow, extra ``columnar``) gives exactly what the Python reader gives:
the same batches summed, the same report (rows, bad rows by reason in file order, the first bad rows
with their line numbers, --strict errors). Skipped only when pyarrow is missing and CI is unset."""

import dataclasses
import os

import numpy as np
import pytest

if not os.environ.get("CI"):
    pytest.importorskip("pyarrow")

from openvclosed.errors import InputError  # noqa: E402
from openvclosed.usage import columnar, load_usage, reader  # noqa: E402

HEADER = "timestamp,model,input_tokens,output_tokens,cached_input_tokens,team\n"
CLEAN = HEADER + "".join(
    f"2026-01-{1 + i % 28:02d}{'T' if i % 2 else ' '}{i % 24:02d}:{i % 60:02d}:{(7 * i) % 60:02d}"
    f"{['Z', '+02:00', '', '.25Z', '-05:30', '.123456'][i % 6]},{['gpt-6-luna', ' claude-sonnet-5-5 ', 'acme'][i % 3]},"
    f"{100 + 37 * i},{10 + i},{(37 * i) % 90},{['a', 'b', ' a'][i % 3]}\n" for i in range(3000))
MESSY = HEADER + (
    "2026-01-01T00:00:00Z,m1,100,10,0,a\n"
    "\n"
    "2026-01-01T00:10:00Z,m1,abc,10,0,a\n"           # bad input_tokens
    "   \n"                                            # blank: not a record
    "2026-01-01T00:20:00Z,m1,100,10\n"                # wrong number of fields
    "2026-02-30T00:00:00Z,m2,100,10,0,b\n"            # bad timestamp
    '2026-01-01T00:30:00Z,"multi\nline model",100,10,0,b\n'
    "2026-01-01T00:40:00Z,,100,10,0,b\n"              # missing model
    "2026-01-01T00:50:00Z,m3,100,-1,0,c\n"            # bad output_tokens
    "2026-01-01T01:00:00Z,m3,100,10,500,c\n"          # cached > input
    "2026-01-01T01:10:00Z,m3, 100 ,10,,c\n"          # spaces and an empty cached cell
    "1767229800,m3,100,10,0,c\n"                      # epoch among ISO
    "2026-01-01T01:30:00Z,m3,1e3,2.5,0,c,extra\n"     # wrong number of fields
    "2026-01-01T01:40:00Z,m4,1e3,2.5,0,d\n"
    "not a time,m4,1,1,0,d\n"
    "2026-01-01T02:00:00Z,m4,nan,1,0,d\n"
    "2026-01-01T02:10:00Z,m4,inf,1,0,d\n"
) + "".join(f"2026-01-02T{i % 24:02d}:00:00Z,m5,{i},{i % 7},0,e\n" for i in range(500))
EPOCH = "ts,model,prompt_tokens,completion_tokens\n" + "".join(
    f"{1767225600 + 61 * i}{'000' if i % 2 else ''},m{i % 4},{5 + i},{i % 9}\n" for i in range(2000))


def _read(path, monkeypatch, columnar_on, **kw):
    monkeypatch.setattr(columnar, "MIN_BYTES", 0 if columnar_on else 1 << 62)
    bins, reports = load_usage([path], **kw)
    rep = dataclasses.asdict(reports[0])
    rep["bad_by_reason"] = list(reports[0].bad_by_reason.items())  # order matters (JSON output)
    return {"rows": bins.rows, "groups": list(bins.groups.items()), "totals": {k: v.tolist() for k, v in
                                                                                bins.totals().items()},
            "bins": _bins(bins), "window": (bins.ts_min, bins.ts_max, bins.tod_min, bins.tod_max), "report": rep}


def _bins(bins):
    """(group, hour, sums) per bin, sorted (bins are stored in the order batches first saw them)."""
    g, h, m = bins.bins()
    o = np.lexsort((h, g))
    return g[o].tolist(), h[o].tolist(), {k: v[o].tolist() for k, v in m.items()}


def _same(tmp_path, monkeypatch, text, name="u.csv", **kw):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    a = _read(p, monkeypatch, False, **kw)
    b = _read(p, monkeypatch, True, **kw)
    assert a == b
    return a


@pytest.mark.parametrize("block", [1 << 20, 256])
def test_clean_file_same_as_python_reader(tmp_path, monkeypatch, block):
    monkeypatch.setattr(columnar, "BLOCK_BYTES", block)
    r = _same(tmp_path, monkeypatch, CLEAN)
    assert r["rows"] == 3000 and r["report"]["bad_rows"] == 0


@pytest.mark.parametrize("group_by", ["model", "team"])
def test_messy_file_same_report(tmp_path, monkeypatch, group_by):
    r = _same(tmp_path, monkeypatch, MESSY, group_by=group_by)
    rep = r["report"]
    assert rep["bad_rows"] >= 9 and len(rep["bad_examples"]) == 5
    assert rep["bad_examples"][0][0] == 4  # line numbers count the blank line and the header


def test_epoch_timestamps_and_another_preset(tmp_path, monkeypatch):
    r = _same(tmp_path, monkeypatch, EPOCH)
    assert r["rows"] == 2000


def test_small_chunks_and_blocks_and_bom(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "CHUNK_ROWS", 3)
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 24)  # records longer than a block: read again, bigger
    _same(tmp_path, monkeypatch, "\ufeff" + MESSY)


def test_strict_names_the_same_line(tmp_path, monkeypatch):
    p = tmp_path / "u.csv"
    p.write_text(MESSY)
    msgs = []
    for on in (False, True):
        monkeypatch.setattr(columnar, "MIN_BYTES", 0 if on else 1 << 62)
        with pytest.raises(InputError) as e:
            load_usage([p], strict=True)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1] and ":4: bad input_tokens" in msgs[0]


def test_header_only_and_bad_rows_only(tmp_path, monkeypatch):
    for text in (HEADER, HEADER + "x,y\n\n1,2,3\n"):
        p = tmp_path / "u.csv"
        p.write_text(text)
        errs = []
        for on in (False, True):
            monkeypatch.setattr(columnar, "MIN_BYTES", 0 if on else 1 << 62)
            with pytest.raises(InputError) as e:
                load_usage([p])
            errs.append(str(e.value))
        assert errs[0] == errs[1]


def test_cli_json_identical(tmp_path, monkeypatch, run):
    p = tmp_path / "u.csv"
    p.write_text(CLEAN)
    out = []
    for on in (False, True):
        monkeypatch.setattr(columnar, "MIN_BYTES", 0 if on else 1 << 62)
        r = run("usage", "summarize", str(p), "--json")
        assert r.exit_code == 0, r.stderr
        out.append(r.stdout)
    assert out[0] == out[1]


def test_columnar_path_is_taken(tmp_path, monkeypatch):
    """The tests above compare two different readers (not one reader twice)."""
    p = tmp_path / "u.csv"
    p.write_text(CLEAN)
    calls = []
    real = columnar.read_csv
    monkeypatch.setattr(columnar, "read_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    _read(p, monkeypatch, True)
    assert calls
    _read(p, monkeypatch, False)
    assert len(calls) == 1
