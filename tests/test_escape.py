"""report/escape.py: hostile strings through every output channel, exact outputs."""

import re

import pytest

from openvclosed.report.escape import (csv_cell, gh_command, gh_data, gh_property, html_text, md_code, md_text,
                                       no_workflow_command, term_text)

ZW = "&#8203;"

# --------------------------------------------------------------------------------------------
# GitHub workflow commands


@pytest.mark.parametrize("raw,expected", [
    ("plain", "plain"),
    ("x\n::error file=x::pwned", "x%0A::error file=x::pwned"),
    ("100%", "100%25"),
    ("%0A stays literal", "%250A stays literal"),
    ("a\r\nb", "a%0D%0Ab"),
    (",file=evil.py", ",file=evil.py"),      # data may hold , and : (only properties care)
    (")::", ")::"),
])
def test_gh_data(raw, expected):
    assert gh_data(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("w.yaml", "w.yaml"),
    ("w.yaml,file=evil.py", "w.yaml%2Cfile=evil.py"),
    ("t)::error::x", "t)%3A%3Aerror%3A%3Ax"),
    ("a\nb", "a%0Ab"),
    ("50%: high", "50%25%3A high"),
])
def test_gh_property(raw, expected):
    assert gh_property(raw) == expected


def test_gh_command_escapes_every_part():
    line = gh_command("error", "over budget\n::error file=x::pwned", file="a,file=b.yaml", title="t)::x", line=3)
    assert line == "::error file=a%2Cfile=b.yaml,title=t)%3A%3Ax,line=3::over budget%0A::error file=x::pwned"
    assert "\n" not in line and line.count("::") == 4  # ours: 2; the escaped message's: 2 (inert after ours)


def test_gh_command_skips_none_and_bare():
    assert gh_command("notice", "hi", file=None) == "::notice::hi"


@pytest.mark.parametrize("kind,props", [
    ("error file=x", {}),
    ("Error", {}),
    ("", {}),
    ("error", {"bad name": "x"}),
    ("error", {"file=x,title": "y"}),
])
def test_gh_command_rejects_odd_names(kind, props):
    with pytest.raises(ValueError):
        gh_command(kind, "m", **props)


@pytest.mark.parametrize("raw,expected", [
    ("::error file=x::pwned", "\\::error file=x::pwned"),
    ("   ::warning::x", "   \\::warning::x"),
    ("\t::add-mask::secret", "\t\\::add-mask::secret"),
    ("ok\n::error::x\r::notice::y", "ok\n\\::error::x\r\\::notice::y"),
    ("\u2028::error::x", "\u2028\\::error::x"),
    ("x ##[error]legacy", "x ##\\[error]legacy"),
    ("a :: b", "a :: b"),
    (": not a command", ": not a command"),
    ("", ""),
])
def test_no_workflow_command(raw, expected):
    out = no_workflow_command(raw)
    assert out == expected
    for line in re.split(r"\r\n|[\r\n\u2028]", out):
        assert not line.lstrip().startswith("::") and "##[" not in line


# --------------------------------------------------------------------------------------------
# markdown


@pytest.mark.parametrize("raw,expected", [
    ("plain words", "plain words"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert\\(1\\)&gt;"),
    ("[x](http://evil)", f"\\[x\\]\\(http:{ZW}//evil\\)"),
    ("![i](http://e/i.png)", f"\\!\\[i\\]\\(http:{ZW}//e/i.png\\)"),
    ("`code` and ``more``", "\\`code\\` and \\`\\`more\\`\\`"),
    ("a | b", "a \\| b"),
    ("*bold* _it_ ~~del~~", "\\*bold\\* \\_it\\_ \\~\\~del\\~\\~"),
    ("# heading", "\\# heading"),
    ("> quote", "&gt; quote"),
    ("- item", "\\- item"),
    ("+ item", "\\+ item"),
    ("1. item", "1\\. item"),
    ("12) item", "12\\) item"),
    ("===", "\\==="),
    ("::error::x", "\\::error::x"),
    ("line one\nline two\r\n\n  three", "line one line two three"),
    ("   padded   ", "padded"),
    ("ping @admin and @org/team", f"ping @{ZW}admin and @{ZW}org/team"),
    ("see #12", f"see #{ZW}12"),
    ("www.evil.com", f"www{ZW}.evil.com"),
    ("a\\*b", "a\\\\\\*b"),
    ("$x^2$", "\\$x^2\\$"),
    ("A & B <C>", "A &amp; B &lt;C&gt;"),
    ("red\x1b[31m\u202eevil", "red\\[31mevil"),
    ("x\n::error file=x::", "x ::error file=x::"),
])
def test_md_text(raw, expected):
    assert md_text(raw) == expected


@pytest.mark.parametrize("raw", [
    "<script>alert(1)</script>", "[x](http://evil)", "![i](http://e/i.png)", "\n# h\n\n---\n", "@everyone",
    "a|b|c", "`` ` ``", "x\n\n| a | b |\n|---|---|\n| 1 | 2 |",
])
def test_md_text_structural_guarantees(raw):
    out = md_text(raw)
    assert "\n" not in out and "\r" not in out
    assert "<" not in out and ">" not in out
    assert re.search(r"(?<!\\)[\[\]()|`]", out) is None  # every such character is escaped
    assert re.search(r"@[A-Za-z0-9]", out) is None


@pytest.mark.parametrize("raw,expected", [
    ("gpt-4o", "` gpt-4o `"),
    ("a|b", "` a\\|b `"),
    ("x ` y", "`` x ` y ``"),
    ("x `` y ```", "```` x `` y ``` ````"),
    ("`edge`", "`` `edge` ``"),
    ("two\nlines", "` two lines `"),
    ("\x1b[31mred", "` [31mred `"),
    ("", ""),
])
def test_md_code(raw, expected):
    assert md_code(raw) == expected


def test_md_code_outside_tables_keeps_pipes():
    assert md_code("a|b", table=False) == "` a|b `"


@pytest.mark.parametrize("raw", ["`", "``` x ``", "a ` b `` c ``` d", "````"])
def test_md_code_fence_is_longer_than_any_run(raw):
    out = md_code(raw)
    fence = re.match(r"`+", out).group(0)
    assert out.endswith(" " + fence)
    inner = out[len(fence) + 1:-len(fence) - 1]
    assert inner == raw and all(len(r) < len(fence) for r in re.findall(r"`+", inner))


# --------------------------------------------------------------------------------------------
# terminal


@pytest.mark.parametrize("raw,expected", [
    ("plain", "plain"),
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b]8;;http://e\x07click\x1b]8;;\x07", "click"),
    ("\x1b]0;new title\x1b\\after", "after"),
    ("a\x1b[2J\x1b[1;1Hb", "ab"),
    ("\x9b31mc1", "c1"),
    ("bell\x07back\x08space\x7f", "bellbackspace"),
    ("tab\there\nnew\r\nline\rcr", "tab here new line cr"),
    ("\u202eevil\u202c", "evil"),
    ("\x1bcreset", "reset"),
    ("unterminated \x1b]8;;http://e", "unterminated 8;;http://e"),
    ("mis-decoded \x9dtext stays", "mis-decoded text stays"),
    ("[bold]not markup[/]", "[bold]not markup[/]"),
])
def test_term_text(raw, expected):
    assert term_text(raw) == expected


def test_term_text_leaves_nothing_that_moves_the_cursor():
    out = term_text("".join(chr(c) for c in range(0x00, 0xa0)) + "ok")
    assert re.search("[\x00-\x1f\x7f-\x9f]", out) is None and out.endswith("ok")


def test_term_text_markup():
    assert term_text("[bold red]x[/]", markup=True) == "\\[bold red]x\\[/]"


# --------------------------------------------------------------------------------------------
# CSV, HTML


@pytest.mark.parametrize("raw,expected", [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("=1+1", "'=1+1"),
    ("+SUM(A1)", "'+SUM(A1)"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\uff1dcmd", "'\uff1dcmd"),
    ("-5", "-5"),
    ("-1.5e3", "-1.5e3"),
    ("+0.25", "+0.25"),
    ("-.5", "-.5"),
    ("-", "'-"),
    ("-inf", "'-inf"),
    ("gpt-4o", "gpt-4o"),
    ("", ""),
])
def test_csv_cell(raw, expected):
    assert csv_cell(raw) == expected


@pytest.mark.parametrize("value", [3, -5, 1.5, None])
def test_csv_cell_passes_non_strings(value):
    assert csv_cell(value) is value


@pytest.mark.parametrize("raw,expected", [
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("\"'&", "&quot;&#x27;&amp;"),
])
def test_html_text(raw, expected):
    assert html_text(raw) == expected
