"""OpenTelemetry GenAI spans exported as JSON Lines -> usage batches (streamed, bounded memory).

Two shapes, one JSON object per line (gzip ok):

- OTLP/JSON, as the OpenTelemetry Collector's file exporter writes it: ``{"resourceSpans": [{"resource":
  {"attributes": [...]}, "scopeSpans": [{"spans": [{"startTimeUnixNano": "...", "attributes":
  [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "812"}}, ...]}]}]}]}``;
- one span per line with a flat ``attributes`` object and ``start_time`` (ISO 8601), as the
  OpenTelemetry SDKs' JSON span output prints it.

Attributes read (OpenTelemetry semantic conventions for generative AI): ``gen_ai.usage.input_tokens``,
``gen_ai.usage.output_tokens`` (the older ``gen_ai.usage.prompt_tokens`` / ``completion_tokens``
too), ``gen_ai.usage.cache_read.input_tokens`` (part of the input), ``gen_ai.response.model``
falling back to ``gen_ai.request.model``. Spans without any ``gen_ai.usage.*`` attribute (HTTP,
database ... spans of the same trace) are not usage records and are skipped without counting.
``--group-by KEY`` groups by a span or resource attribute (``service.name``, ``gen_ai.system``).
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Iterator

from openvclosed.errors import InputError
from openvclosed.usage.records import Batch, FileReport, _to_batch

__all__ = ["is_otel", "read_otel"]

CHUNK_SPANS = 100_000
_IN = ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
_OUT = ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
_CACHED = ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")
_MODEL = ("gen_ai.response.model", "gen_ai.request.model")


def _reader():
    from openvclosed.usage import reader

    return reader


def is_otel(path: str | Path) -> bool:
    """Whether the first record of a JSON Lines file is an OTLP export or a span with GenAI attributes."""
    r = _reader()
    try:
        text, _, _ = r._open_text(Path(path))
    except InputError:
        return False
    try:
        if r._sniff(text) != "jsonl":
            return False
        for line in r._bounded_lines(text, str(path)):
            if line.strip():
                rec = json.loads(line)
                return isinstance(rec, dict) and ("resourceSpans" in rec or _genai(_attrs(rec.get("attributes"))))
        return False
    except (ValueError, InputError, OSError, EOFError, zlib.error, RecursionError):
        return False  # not spans, or unreadable: the CSV / JSON Lines reader reports what is wrong
    finally:
        text.close()


def _value(v):
    """An OTLP AnyValue -> Python value (intValue is a JSON string per the protobuf mapping)."""
    if not isinstance(v, dict):
        return v
    for k in ("intValue", "doubleValue", "stringValue", "boolValue"):
        if k in v:
            return v[k]
    return None


def _attrs(a) -> dict:
    if isinstance(a, dict):
        return a
    if isinstance(a, list):
        return {x.get("key"): _value(x.get("value")) for x in a if isinstance(x, dict)}
    return {}


def _genai(attrs: dict) -> bool:
    return any(isinstance(k, str) and k.startswith("gen_ai.usage.") for k in attrs)


def _first(attrs: dict, keys: tuple[str, ...]):
    for k in keys:
        if attrs.get(k) is not None:
            return attrs[k]
    return None


def _start(span: dict):
    ns = span.get("startTimeUnixNano")
    if ns is not None:
        try:
            return int(ns) / 1e9
        except (TypeError, ValueError):
            return str(ns)
    return span.get("start_time", span.get("startTime"))


def _spans(rec: dict) -> Iterator[tuple[dict, dict]]:
    """(span, resource attributes) of one line."""
    if "resourceSpans" in rec:
        for rs in rec.get("resourceSpans") or []:
            if not isinstance(rs, dict):
                continue
            res = _attrs((rs.get("resource") or {}).get("attributes"))
            for ss in (rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []):
                for span in (ss.get("spans") or []) if isinstance(ss, dict) else []:
                    if isinstance(span, dict):
                        yield span, res
    else:
        yield rec, _attrs((rec.get("resource") or {}).get("attributes") if isinstance(rec.get("resource"), dict) else None)


def read_otel(path: str | Path, report: FileReport, *, group_by: str = "model", strict: bool = False) -> Iterator[Batch]:
    """Stream the GenAI spans of one file as batches; bad spans counted in ``report`` by line."""
    r = _reader()
    text, _, size = r._open_text(Path(path))
    report.size_bytes, report.format, report.preset = size, "otel", "otel"
    report.columns = {"timestamp": "startTimeUnixNano", "model": _MODEL[0], "input_tokens": _IN[0],
                      "output_tokens": _OUT[0], "cached_input_tokens": _CACHED[0]}
    fields = ("timestamp", "model", "input_tokens", "output_tokens", "cached_input_tokens", "_group")
    cols: dict[str, list] = {f: [] for f in fields}
    lines: list[int] = []
    pending: list[tuple[int, str, str]] = []
    try:
        for n, raw in enumerate(r._bounded_lines(text, str(path)), start=1):
            s = raw.strip()
            if not s:
                continue
            rec, why = _load_line(s)
            if why:
                report.rows += 1
                pending.append((n, "invalid JSON", why))
                continue
            for span, res in _spans(rec):
                a = _attrs(span.get("attributes"))
                if not _genai(a):
                    continue
                report.rows += 1
                for f, v in (("timestamp", _start(span)), ("model", _first(a, _MODEL)), ("input_tokens", _first(a, _IN)),
                             ("output_tokens", _first(a, _OUT)), ("cached_input_tokens", _first(a, _CACHED)),
                             ("_group", a.get(group_by, res.get(group_by)))):
                    cols[f].append(v)
                lines.append(n)
            if len(lines) >= CHUNK_SPANS:
                yield _batch(cols, lines, report, strict, group_by, pending)
                cols, lines, pending = {f: [] for f in fields}, [], []
        if lines or pending:
            yield _batch(cols, lines, report, strict, group_by, pending)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise InputError(f"{path}: corrupt or truncated gzip ({str(e)[:120]})") from None
    finally:
        text.close()


def _load_line(s: str) -> tuple[dict | None, str | None]:
    """(the line's JSON object, None), or (None, why it is not one)."""
    try:
        rec = json.loads(s)
    except (ValueError, RecursionError) as e:
        return None, "nested too deeply" if isinstance(e, RecursionError) else str(e).split(":")[0]
    return (rec, None) if isinstance(rec, dict) else (None, "not an object")


def _batch(cols: dict, lines: list[int], report: FileReport, strict: bool, group_by: str, pending: list) -> Batch:
    c = dict(cols)
    if group_by == "model":
        c.pop("_group")
    return _to_batch(c, lines, report, strict, group_by, pending)
