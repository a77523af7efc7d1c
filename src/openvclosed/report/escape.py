"""Escaping of untrusted text, one function per output channel.

Every string that comes from a workload file, catalog override, baseline, usage log or
LiteLLM JSON is untrusted: in pull-request CI a contributor controls it. Renderers pass such
strings through the function for the channel they write to, and through nothing else:

========================  ==========================================================
channel                   function
========================  ==========================================================
terminal (plain or rich)  :func:`term_text`
markdown (PR comment,     :func:`md_text` for inline text, :func:`md_code` for code
step summary)             spans / table cells
GitHub workflow commands  :func:`gh_command` (built from :func:`gh_data` and
                          :func:`gh_property`); :func:`no_workflow_command` for every
                          other line printed to stdout in CI
CSV                       :func:`csv_cell`
HTML                      :func:`html_text`
YAML / shell comment      :func:`comment_text` (one line of printable ASCII)
JSON (rendered text)      :func:`json_text` (on the whole JSON document)
YAML comments             :func:`yaml_comment`
========================  ==========================================================

All functions are pure (no I/O, no global state) and total: any ``str`` goes in, a ``str``
comes out (:func:`csv_cell` also passes non-strings through). See ``docs/security.md``.
"""

from __future__ import annotations

import html
import re

__all__ = ["gh_data", "gh_property", "gh_command", "no_workflow_command", "md_text", "md_code",
           "term_text", "csv_cell", "html_text", "comment_text", "json_text", "yaml_comment", "LEGACY_COMMAND"]

LEGACY_COMMAND = "##["
"""The legacy workflow-command form (``##[error]...``), acted on anywhere in a line."""

# --------------------------------------------------------------------------------------------
# shared character classes

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Bidirectional formatting characters ("Trojan Source"): they reorder what is displayed."""

_CONTROL_RE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
"""C0 controls except TAB and LF, DEL, C1 controls, bidi overrides (CR handled with LF)."""

_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character some consumer treats as a line break (a superset of .NET's and GitHub's)."""

_LINE_SPLIT_RE = re.compile(f"(\r\n|[{_LINE_BREAKS}])")

# --------------------------------------------------------------------------------------------
# GitHub workflow commands (``::error file=...::message``)

_GH_NAME_RE = re.compile(r"[a-z][a-z-]*\Z")
_GH_PROP_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


def gh_data(s: str) -> str:
    """Escape the data part of a GitHub workflow command (after the second ``::``).

    The runner unescapes ``%25``, ``%0D`` and ``%0A``; escaping ``%`` first keeps a literal
    ``%0A`` in the input from turning into a line break.

    >>> gh_data("50% off\\n::error file=x::pwned")
    '50%25 off%0A::error file=x::pwned'
    >>> gh_data("a\\r\\nb")
    'a%0D%0Ab'
    >>> gh_data("x ##[error]y")
    'x ##\\\\[error]y'
    """
    return str(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace("##[", "##\\[")


def gh_property(s: str) -> str:
    """Escape a property value of a workflow command (``file=``, ``title=``...).

    Like :func:`gh_data`, and also ``:`` and ``,``, which would end the property list or
    start another property.

    >>> gh_property("w.yaml,line=1::x")
    'w.yaml%2Cline=1%3A%3Ax'
    >>> gh_property("100%")
    '100%25'
    """
    return gh_data(s).replace(":", "%3A").replace(",", "%2C")


def gh_command(kind: str, message: str, **props: object) -> str:
    """One workflow-command line: ``::kind k=v,k=v::message``, every part escaped.

    ``kind`` (``error``, ``warning``, ``notice``...) and the property names are written by the
    project and must be plain words; a property whose value is ``None`` is left out.

    >>> gh_command("error", "budget\\nexceeded", file="w.yaml", title="cost: high, 100%")
    '::error file=w.yaml,title=cost%3A high%2C 100%25::budget%0Aexceeded'
    >>> gh_command("warning", "stale", line=None)
    '::warning::stale'
    >>> gh_command("error x", "m")
    Traceback (most recent call last):
    ...
    ValueError: workflow command kind must be lower-case letters and '-', got 'error x'
    """
    if not _GH_NAME_RE.match(kind):
        raise ValueError(f"workflow command kind must be lower-case letters and '-', got {kind!r}")
    parts = []
    for name, value in props.items():
        if not _GH_PROP_RE.match(name):
            raise ValueError(f"workflow command property must be a plain word, got {name!r}")
        if value is not None:
            parts.append(f"{name}={gh_property(str(value))}")
    head = f"::{kind} {','.join(parts)}" if parts else f"::{kind}"
    return f"{head}::{gh_data(message)}"


def no_workflow_command(line: str) -> str:
    """Make a line of data unable to act as a GitHub workflow command when printed to stdout.

    The runner reads stdout line by line and acts on a line that starts with ``::`` once
    leading whitespace is trimmed, and on the legacy form ``##[command]`` anywhere in a line.
    A data line starting with ``::`` gets a backslash before it (``\\::``; in markdown that
    still renders as ``::``) and every ``##[`` becomes ``##\\[``. Text spanning several lines
    is treated line by line, line breaks kept. Lines the project writes itself with
    :func:`gh_command` must not go through this function.

    >>> no_workflow_command("::error file=x::pwned")
    '\\\\::error file=x::pwned'
    >>> no_workflow_command("ok\\n  ::warning::x")
    'ok\\n  \\\\::warning::x'
    >>> no_workflow_command("see ##[error]x")
    'see ##\\\\[error]x'
    >>> no_workflow_command("a :: b")
    'a :: b'
    """
    pieces = _LINE_SPLIT_RE.split(str(line))
    for i in range(0, len(pieces), 2):  # even indexes are lines, odd ones the breaks between
        piece = pieces[i].replace("##[", "##\\[")
        stripped = piece.lstrip()
        if stripped.startswith("::"):
            lead = len(piece) - len(stripped)
            piece = piece[:lead] + "\\" + stripped
        pieces[i] = piece
    return "".join(pieces)


# --------------------------------------------------------------------------------------------
# Markdown (GitHub-flavoured: PR comments and $GITHUB_STEP_SUMMARY)

_ZWSP = "\u200b"
"""Zero-width space: breaks @mentions, #references and autolinks invisibly (written as the
entity ``&#8203;`` so the markdown source stays plain ASCII)."""

_MD_BREAKS_RE = re.compile(f"[ \t]*(?:[{_LINE_BREAKS}][ \t]*)+")
_MD_PUNCT_RE = re.compile(r"([\\`*_~\[\]()!|$])")
_MD_MENTION_RE = re.compile(r"@(?=[A-Za-z0-9])")
_MD_ISSUE_RE = re.compile(r"#(?=[0-9])")
_MD_URL_RE = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*):(?=//)|\b(www)\.")
_MD_LINE_START_RE = re.compile(r"\A(?:([#>+=:-])|([0-9]+)([.)]))")


def md_text(s: str) -> str:
    """Inline markdown text for a GitHub PR comment or step summary, shown as typed.

    * HTML cannot start: ``&``, ``<``, ``>`` become entities;
    * links, images, emphasis, strike-through, code, math and table pipes cannot start:
      ``\\ ` * _ ~ [ ] ( ) ! | $`` get a backslash;
    * nothing can start a block: the text is kept on one line (line breaks and the spaces
      around them become one space), leading/trailing whitespace is dropped and a leading
      ``#``, ``>``, ``+``, ``=``, ``-``, ``:`` or ``1.``/``1)`` is escaped (``:`` so the line
      can never be a workflow command);
    * ``@user`` cannot notify anyone, ``#12`` cannot cross-reference an issue, and
      ``http://``/``www.`` text is not auto-linked: a zero-width space (``&#8203;``) is put
      after ``@``, ``#``, the scheme's ``:`` or ``www``;
    * control characters and bidirectional overrides are removed.

    >>> md_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert\\\\(1\\\\)&gt;'
    >>> md_text("[x](http://evil)")
    '\\\\[x\\\\]\\\\(http:&#8203;//evil\\\\)'
    >>> md_text("# title\\n- item | @admin")
    '\\\\# title - item \\\\| @&#8203;admin'
    >>> md_text("1. a_b*c*")
    '1\\\\. a\\\\_b\\\\*c\\\\*'
    """
    t = _CONTROL_RE.sub("", _MD_BREAKS_RE.sub(" ", str(s)).replace("\t", " ")).strip()
    t = _MD_PUNCT_RE.sub(r"\\\1", t)  # backslash itself first in the class, so it is doubled
    t = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    m = _MD_LINE_START_RE.match(t)
    if m and m.group(1):
        t = "\\" + t
    elif m:
        t = m.group(2) + "\\" + t[len(m.group(2)):]
    t = _MD_MENTION_RE.sub("@" + _ZWSP, t)
    t = _MD_ISSUE_RE.sub("#" + _ZWSP, t)
    t = _MD_URL_RE.sub(lambda m: f"{m.group(1)}:{_ZWSP}" if m.group(1) else f"{m.group(2)}{_ZWSP}.", t)
    return t.replace(_ZWSP, "&#8203;")


_BACKTICKS_RE = re.compile(r"`+")


def md_code(s: str, *, table: bool = True) -> str:
    """``s`` as a markdown code span that cannot be closed early, e.g. in a table cell.

    The fence is one backtick longer than the longest run of backticks inside, the content
    is padded with one space on each side (CommonMark strips exactly that), line breaks become
    spaces and control characters are removed. With ``table=True`` (default) ``|`` becomes
    ``\\|`` so a GitHub table cell is not split (GitHub removes that backslash again); use
    ``table=False`` outside tables. An empty string gives an empty string.

    >>> md_code("a|b")
    '` a\\\\|b `'
    >>> md_code("x `` y")
    '``` x `` y ```'
    >>> md_code("<b>@x</b>", table=False)
    '` <b>@x</b> `'
    """
    t = _CONTROL_RE.sub("", _MD_BREAKS_RE.sub(" ", str(s)).replace("\t", " "))
    if not t:
        return ""
    if table:
        t = t.replace("|", "\\|")
    longest = max((len(r) for r in _BACKTICKS_RE.findall(t)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {t} {fence}"


# --------------------------------------------------------------------------------------------
# terminal

_ANSI_RE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?         # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)  # OSC/DCS/SOS/PM/APC ... ST
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                   # other ESC sequences
    """,
    re.VERBOSE,
)


def term_text(s: str, *, markup: bool = False) -> str:
    """Text safe to print on a terminal: nothing in it can move the cursor, recolour the
    screen, set the window title or make a hyperlink.

    ANSI/VT escape sequences (CSI, OSC such as ``ESC]8;;url BEL`` hyperlinks, DCS, ...) are
    removed whole (a string sequence without its terminator loses only its introducer, so
    a stray C1 byte cannot swallow the rest of the text); remaining C0/C1 control characters, DEL and bidirectional overrides are
    removed; line breaks and tabs become spaces (CRLF one space). With ``markup=True`` the
    result is also escaped for rich console markup (``[bold]`` is printed, not applied).

    >>> term_text("\\x1b[31mred\\x1b[0m\\tok\\r\\nnext")
    'red ok next'
    >>> term_text("\\x1b]8;;http://e\\x07click\\x1b]8;;\\x07")
    'click'
    >>> term_text("[bold]x[/bold]", markup=True)
    '\\\\[bold]x\\\\[/bold]'
    """
    t = _ANSI_RE.sub("", str(s))
    t = re.sub(f"\r\n|[\t{_LINE_BREAKS}]", " ", t)
    t = _CONTROL_RE.sub("", t)
    if markup:
        from rich.markup import escape

        t = escape(t)
    return t


# --------------------------------------------------------------------------------------------
# CSV and HTML

_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(s):
    """Guard a CSV cell against formula injection when the file is opened in a spreadsheet.

    A string starting with ``=``, ``+``, ``-``, ``@``, TAB or CR (or the full-width
    ``＝ ＋ － ＠``) gets a leading ``'``, unless it is a plain number such as ``-5`` or
    ``-1.5e3``. Anything that is not a string (int, float, None) is returned unchanged.

    >>> csv_cell("=cmd|' /C calc'!A0")
    "'=cmd|' /C calc'!A0"
    >>> csv_cell("-1.5e3"), csv_cell("-5"), csv_cell("@SUM(A1)"), csv_cell(3)
    ('-1.5e3', '-5', "'@SUM(A1)", 3)
    """
    if not isinstance(s, str):
        return s
    if s.startswith(_FORMULA_START) and not _NUMBER_RE.match(s):
        return "'" + s
    return s


_JSON_UNSAFE_RE = re.compile(f"[{_BIDI}\u2028\u2029\u0085\u200b-\u200d\ufeff]")


def json_text(doc: str) -> str:
    """A rendered JSON document made safe to print in CI, with the same decoded values.

    Inside JSON strings (the only place JSON can hold ``#``), the legacy workflow-command form
    ``##[`` becomes ``##\\u005b`` and bidirectional controls, line/paragraph separators and
    zero-width characters become ``\\uXXXX`` escapes, so nothing reorders what a reviewer sees.

    >>> json_text('{"a": "##[error]x\u202e"}')
    '{"a": "##\\\\u005berror]x\\\\u202e"}'
    >>> import json; json.loads(json_text(json.dumps({"a": "##[x\u2066"}, ensure_ascii=False)))
    {'a': '##[x\u2066'}
    """
    doc = str(doc).replace("##[", "##\\u005b")
    return _JSON_UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", doc)


def yaml_comment(s: str) -> str:
    """Text for a ``# ...`` comment in a generated YAML file: one line whatever it holds (line
    breaks YAML 1.1 knows, ``\\x85``, ``\\u2028``, ``\\u2029`` included, and every other control or
    non-ASCII character shown as a ``\\n``/``\\uXXXX`` escape), so a file name cannot add a key.

    >>> yaml_comment("logs/a.csv\\npolicy: {}")
    'logs/a.csv\\\\npolicy: {}'
    """
    import json

    return json.dumps(str(s), ensure_ascii=True)[1:-1].replace("##[", "##\\[")


def html_text(s: str) -> str:
    """Text for HTML element content or a quoted attribute value.

    >>> html_text('<a href="x">O\\'Neil & co</a>')
    '&lt;a href=&quot;x&quot;&gt;O&#x27;Neil &amp; co&lt;/a&gt;'
    """
    return html.escape(str(s), quote=True)


# --------------------------------------------------------------------------------------------
# comments in emitted YAML configs and shell scripts (``# ...``)


def comment_text(s: str) -> str:
    """Text for a ``#`` comment of a YAML file or a shell script: one line of printable ASCII.

    Line breaks of any kind, controls and non-ASCII become ``\\uXXXX`` (JSON's escapes without the
    quotes), so nothing can end the comment and start a key or a command.

    >>> comment_text('w\\nmodel_list: []')
    'w\\\\nmodel_list: []'
    >>> comment_text('caf\\u00e9 \\u2028x')
    'caf\\\\u00e9 \\\\u2028x'
    """
    import json

    return json.dumps(str(s), ensure_ascii=True)[1:-1]
