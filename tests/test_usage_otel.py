"""OpenTelemetry GenAI spans (JSON Lines): both shapes, hand-computed; non-GenAI spans skipped; bad spans counted."""

from __future__ import annotations

import json

from openvclosed.usage.otel import is_otel

T0 = 1791885600  # 2026-10-13T10:00:00Z


def _flat(ts_iso: str, model: str | None, inp, out, cached=None, **extra) -> dict:
    a = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "alias", "gen_ai.usage.input_tokens": inp,
         "gen_ai.usage.output_tokens": out, **extra}
    if model:
        a["gen_ai.response.model"] = model
    if cached is not None:
        a["gen_ai.usage.cache_read.input_tokens"] = cached
    return {"name": "chat", "start_time": ts_iso, "attributes": a, "resource": {"attributes": {"service.name": "bot"}}}


def test_flat_spans_hand_computed(run, tmp_path):
    f = tmp_path / "spans.jsonl"
    lines = [_flat("2026-10-13T10:00:00Z", "gpt-6.1-sol", 100, 20, 40),
             _flat("2026-10-13T10:30:00Z", "gpt-6.1-sol", 300, 60),
             _flat("2026-10-13T11:00:00Z", None, 50, 5),  # no response model: the request model
             {"name": "GET /", "start_time": "2026-10-13T10:10:00Z", "attributes": {"http.method": "GET"}},
             _flat("2026-10-13T11:10:00Z", "gpt-6.1-sol", -1, 5)]  # bad: negative input
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert is_otel(f)
    r = run("usage", "summarize", str(f), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    fr = d["files"][0]
    assert (fr["format"], fr["rows"], fr["good_rows"], fr["bad_rows"]) == ("otel", 4, 3, 1)
    assert fr["bad_examples"][0]["line"] == 5
    m = {x["model"]: x for x in d["models"]}
    assert (m["gpt-6.1-sol"]["input_tokens"], m["gpt-6.1-sol"]["output_tokens"]) == (400, 80)
    assert m["gpt-6.1-sol"]["cached_input_tokens"] == 40 and m["gpt-6.1-sol"]["requests"] == 2
    assert m["alias"]["tokens"] == 55
    r = run("usage", "summarize", str(f), "--json", "--since", "2026-10-13T10:15")
    assert json.loads(r.stdout)["total"]["tokens"] == 360 + 55


def test_otlp_shape_and_group_by_resource_attribute(run, tmp_path):
    def attr(k, v):
        return {"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}}

    def export(service, spans):
        return {"resourceSpans": [{"resource": {"attributes": [attr("service.name", service)]},
                                   "scopeSpans": [{"spans": spans}]}]}

    def span(t, inp, out):
        return {"startTimeUnixNano": str((T0 + t) * 10**9), "attributes": [
            attr("gen_ai.response.model", "claude-sonnet-5-5"), attr("gen_ai.usage.input_tokens", inp),
            attr("gen_ai.usage.output_tokens", out)]}

    f = tmp_path / "otlp.jsonl"
    f.write_text(json.dumps(export("search", [span(0, 10, 1), span(60, 20, 2)])) + "\n"
                 + json.dumps(export("support", [span(3600, 30, 3)])) + "\n")
    out = tmp_path / "w.yaml"
    r = run("usage", "to-workload", str(f), "-o", str(out), "--group-by", "service.name")
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "search" in text and "support" in text
    r = run("usage", "summarize", str(f), "--json")
    d = json.loads(r.stdout)
    assert d["total"]["tokens"] == 66 and d["window"]["start"] == "2026-10-13T10:00:00Z"


def test_plain_jsonl_is_not_otel(tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_text('{"timestamp": 1791885600, "model": "x", "input_tokens": 1, "output_tokens": 1}\n')
    assert not is_otel(f)
    (tmp_path / "b.csv").write_text("timestamp,model\n")
    assert not is_otel(tmp_path / "b.csv")
