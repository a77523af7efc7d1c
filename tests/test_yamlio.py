"""yamlio: hostile YAML is one error line naming file:line; valid YAML loads as safe_load would."""

import datetime
import os
import threading

import pytest
import yaml

from openvclosed import yamlio
from openvclosed.errors import InputError
from openvclosed.yamlio import MAX_BYTES, load_yaml_file, load_yaml_text

BOMB = ("a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n")


@pytest.fixture(params=["libyaml", "pure-python"])
def composer(request, monkeypatch):
    """Run each test with libyaml's composer and with the pure-Python fallback."""
    if request.param == "pure-python":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("libyaml not installed")
    return request.param


def refused(text: str) -> str:
    with pytest.raises(InputError) as e:
        load_yaml_text(text, "w.yaml")
    msg = str(e.value)
    assert "\n" not in msg and "\r" not in msg and "\x1b" not in msg
    return msg


@pytest.mark.parametrize("text,message", [
    ("policy: {a: 1}\nworkloads: []\npolicy: {b: 2}\n",
     "w.yaml:3: duplicate key 'policy' (first at line 1)"),
    ("workloads:\n  - name: a\n    tokens: 1\n    name: b\n",
     "w.yaml:4: duplicate key 'name' (first at line 2)"),
    ("a:\n  b:\n    c: {x: 1, y: 2, x: 3}\n",
     "w.yaml:3: duplicate key 'x' (first at line 3)"),
    ("'policy': 1\n\"policy\": 2\n", "w.yaml:2: duplicate key 'policy' (first at line 1)"),
    ("1: a\n0x1: b\n", "w.yaml:2: duplicate key '0x1' (first at line 1)"),
    ("[{k: 1}, {k: 1, k: 2}]\n", "w.yaml:1: duplicate key 'k' (first at line 1)"),
    ("? a\n: 1\n? a\n: 2\n", "w.yaml:3: duplicate key 'a' (first at line 1)"),
    ("d: 2025-02-30\n", "w.yaml:1: invalid date '2025-02-30' (day is out of range for month); "
                        "write a real date as YYYY-MM-DD"),
    ("w:\n  - since: 2025-13-01\n", "w.yaml:2: invalid date '2025-13-01' (month must be in 1..12); "
                                    "write a real date as YYYY-MM-DD"),
    ("t: 2025-01-01 25:00:00\n", "w.yaml:1: invalid date '2025-01-01 25:00:00' (hour must be in 0..23); "
                                 "write a real date as YYYY-MM-DD"),
    ("t: !!timestamp soon\n", "w.yaml:1: invalid date 'soon'; write a real date as YYYY-MM-DD"),
    ("n: 1234567890123456789012345678901\n",
     "w.yaml:1: integer '1234567890123456789012345678901' has more than 30 digits; refused (write a smaller number)"),
    ("a:\n  - -1_000_000_000_000_000_000_000_000_000_000\n",
     "w.yaml:2: integer '-1_000_000_000_000_000_000_000_000_000_0...' has more than 30 digits; "
     "refused (write a smaller number)"),
    ("? 99999999999999999999999999999999999\n: x\n",
     "w.yaml:1: integer '99999999999999999999999999999999999' has more than 30 digits; "
     "refused (write a smaller number)"),
    ("x: " + "9" * 5000 + "\n", "w.yaml:1: integer '" + "9" * 40 + "...' has more than 30 digits; "
                                "refused (write a smaller number)"),
    ("x: .inf\n", "w.yaml:1: non-finite number '.inf' is not allowed; write a finite number"),
    ("x: [1, -.Inf]\n", "w.yaml:1: non-finite number '-.Inf' is not allowed; write a finite number"),
    ("a:\n  b: .NaN\n", "w.yaml:2: non-finite number '.NaN' is not allowed; write a finite number"),
    ("x: 1.0e+999\n", "w.yaml:1: non-finite number '1.0e+999' is not allowed; write a finite number"),
    ("x: !!float nan\n", "w.yaml:1: non-finite number 'nan' is not allowed; write a finite number"),
    ("k: !!int abc\n", "w.yaml:1: invalid value 'abc' for '!!int' (invalid literal for int() with base 10: 'abc')"),
    ("a: &a [*a]\n", "w.yaml:1: recursive YAML alias (a value contains itself); refused"),
    ("x: " + "[" * 150 + "]" * 150 + "\n", "w.yaml:1: nested more than 100 levels deep; refused"),
])
def test_refused(composer, text, message):
    assert refused(text) == message


def test_alias_bomb_still_refused(composer):
    assert refused(BOMB + "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n") == \
        "w.yaml: expands to more than 200,000 values through YAML aliases; refused"


def test_too_many_aliases(composer):
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n"
    assert refused(text).startswith("w.yaml") and "more than 100 YAML aliases; refused" in refused(text)


def test_aliases_within_limits_load(composer):
    data = load_yaml_text("base: &b {gpu: h100, n: 2}\nw: [*b, *b]\nm: {<<: *b, n: 4}\n", "w.yaml")
    assert data == {"base": {"gpu": "h100", "n": 2}, "w": [{"gpu": "h100", "n": 2}] * 2,
                    "m": {"gpu": "h100", "n": 4}}


def test_many_plain_values_refused_without_blaming_aliases():
    text = "[" + ",".join(["1"] * 200_001) + "]"
    assert refused(text) == "w.yaml: expands to more than 200,000 values; refused"


@pytest.mark.parametrize("text,expected", [
    ("a: 1\nb: [x, 2.5, true, null]\n", {"a": 1, "b": ["x", 2.5, True, None]}),
    ("d: 2025-02-28\n", {"d": datetime.date(2025, 2, 28)}),
    ("n: 123456789012345678901234567890\n", {"n": 123456789012345678901234567890}),
    ("x: '.inf'\ny: 'NaN'\n", {"x": ".inf", "y": "NaN"}),
    ("x: 1e999\n", {"x": "1e999"}),   # YAML 1.1: not a float without a dot
    ("# only a comment\n", None),
    ("a: {k: 1}\nb: {k: 1}\n", {"a": {"k": 1}, "b": {"k": 1}}),   # same key in different mappings
    ("x: " + "[" * 99 + "]" * 99 + "\n", {"x": eval("[" * 99 + "]" * 99)}),  # noqa: S307 - literal
])
def test_valid_yaml_loads_like_safe_load(composer, text, expected):
    assert load_yaml_text(text, "w.yaml") == expected
    assert yaml.safe_load(text) == expected


@pytest.mark.parametrize("text,pattern", [
    ("", r"^w\.yaml: file is empty$"),
    ("   \n\n", r"^w\.yaml: file is empty$"),
    ("a: [\n", r"^w\.yaml:2:1: invalid YAML: "),
    ("--- 1\n--- 2\n", r"^w\.yaml:2:1: invalid YAML: "),
    ("x: !!python/object:os.system ls\n", r"^w\.yaml:1:4: invalid YAML: could not determine a constructor"),
    ("x: !evil\x1b[31m 1\n", r"^w\.yaml:1:9: invalid YAML: character #x001b is not allowed \("),
    ("a: 1\nb: \x07\n", r"^w\.yaml:2:4: invalid YAML: character #x0007 is not allowed \("),
    ("? [a]\n: 1\n", r"^w\.yaml:1:\d+: invalid YAML: found unhashable key$"),
])
def test_other_errors_are_one_line(composer, text, pattern):
    import re

    assert re.search(pattern, refused(text))


def test_hostile_key_in_message_is_one_line(composer):
    msg = refused('"a\\nb\\e[31m": 1\n"a\\nb\\e[31m": 2\n')
    assert msg == "w.yaml:2: duplicate key 'a b [31m' (first at line 1)"


# --------------------------------------------------------------------------------------------
# files


def test_file_limits(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_text("# " + "x" * MAX_BYTES)
    with pytest.raises(InputError) as e:
        load_yaml_file(p)
    assert str(e.value) == f"{p}: {MAX_BYTES + 2:,} bytes is over the 1,000,000-byte limit for a YAML file"


def test_file_not_utf8(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_bytes(b"a: \xff\n")
    with pytest.raises(InputError, match=r"w\.yaml: not UTF-8 text \(invalid byte at offset 3\)"):
        load_yaml_file(p)


def test_file_duplicate_key_names_the_file(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text("policy: {}\npolicy: {}\n")
    with pytest.raises(InputError) as e:
        load_yaml_file(str(p))
    assert str(e.value) == f"{p}:2: duplicate key 'policy' (first at line 1)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX")
def test_fifo_refused_without_hanging(tmp_path):
    f = tmp_path / "w.yaml"
    os.mkfifo(f)
    box = {}

    def run():
        try:
            load_yaml_file(f)
        except InputError as e:
            box["msg"] = str(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(5)
    if t.is_alive():
        os.close(os.open(f, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load_yaml_file hung on a FIFO")
    assert box["msg"] == f"{f}: is a named pipe (FIFO), expected a YAML file (only regular files are read)"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_refused():
    with pytest.raises(InputError, match="is a character device"):
        load_yaml_file("/dev/zero")


def test_limits_are_public():
    assert (yamlio.MAX_BYTES, yamlio.MAX_ALIASES, yamlio.MAX_NODES, yamlio.MAX_DEPTH, yamlio.MAX_INT_DIGITS) == \
        (1_000_000, 100, 200_000, 100, 30)
