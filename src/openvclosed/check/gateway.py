"""``ovc check --gateway FILE``: does a committed gateway config still match the decision?

Reads a LiteLLM proxy ``config.yaml`` or a Portkey config JSON (as ``ovc emit`` writes them, or
edited by hand) and compares it with the :class:`~openvclosed.results.gateway.GatewayPlan` of
today's decision. Differences (each one line, for people):

- a deployment of the decision is missing (``model removed``);
- a route lets data of a class reach an external API its rules do not allow (a regulated route
  to an external API: a deployment tag, a fallback, a Portkey condition), or tag filtering is off;
- a per-token cost differs from the decision's by more than ``tolerance`` (relative).

An unreadable or invalid file raises :class:`~openvclosed.errors.InputError` (exit 2, one line).
"""

from __future__ import annotations

from pathlib import Path

from openvclosed.errors import InputError
from openvclosed.results.gateway import GatewayPlan

__all__ = ["load_gateway_file", "gateway_differences", "MAX_GATEWAY_BYTES"]

MAX_GATEWAY_BYTES = 1_000_000

_EXTERNAL_KINDS = ("closed-api", "closed-api-zdr", "hosted-open-api")


def load_gateway_file(path: Path | str) -> tuple[str, dict]:
    """("litellm" | "portkey", the parsed config)."""
    from openvclosed.fileio import read_input_text

    label = str(path)
    text = read_input_text(path, "a LiteLLM config.yaml or a Portkey config JSON", MAX_GATEWAY_BYTES,
                           flag="--gateway")
    if text.lstrip().startswith("{"):
        from openvclosed.jsonio import loads_strict

        data = loads_strict(text, label)
        if not isinstance(data.get("targets"), list):
            raise InputError(f"{label}: a Portkey config needs a list `targets`")
        return "portkey", data
    from openvclosed.yamlio import load_yaml_text

    data = load_yaml_text(text, label)
    if not isinstance(data, dict) or not isinstance(data.get("model_list"), list):
        raise InputError(f"{label}: a LiteLLM config needs a list `model_list` (or give a Portkey config JSON)")
    for i, e in enumerate(data["model_list"]):
        if not (isinstance(e, dict) and isinstance(e.get("model_name"), str)
                and isinstance(e.get("litellm_params"), dict) and isinstance(e["litellm_params"].get("model"), str)):
            raise InputError(f"{label}: model_list[{i}]: needs `model_name` and `litellm_params.model` (strings)")
    return "litellm", data


def _external_ok(rules: dict) -> set[str]:
    """Classes whose rules let data go to some external API (ZDR classes included)."""
    return {c for c, ok in rules.items() if any(k in ok for k in _EXTERNAL_KINDS)}


def _is_external(model: str) -> bool:
    return not (model.startswith("hosted_vllm/") or model.startswith("auto_router/"))


def _rel(a, b) -> float:
    a, b = float(a), float(b)
    return 0.0 if a == b else abs(a - b) / max(abs(a), abs(b))


def _litellm(plan: GatewayPlan, data: dict, rules: dict, tolerance: float) -> list[str]:
    out = []
    entries = data["model_list"]
    by_name: dict[str, list[dict]] = {}
    for e in entries:
        by_name.setdefault(e["model_name"], []).append(e["litellm_params"])
    settings = data.get("router_settings") if isinstance(data.get("router_settings"), dict) else {}
    inside_only = set(rules) - _external_ok(rules)
    granted = {(d.litellm_model, c) for w in plan.workloads for d in w.deployments for c in d.tags}
    if inside_only and settings.get("enable_tag_filtering") is not True:
        out.append("router_settings.enable_tag_filtering is not true: tagged "
                   f"{'/'.join(sorted(inside_only))} requests are not kept in-house")
    for w in plan.workloads:
        for d in w.deployments:
            found = [p for p in by_name.get(d.name, []) if p.get("model") == d.litellm_model]
            if not found:
                out.append(f"model removed: {d.name} ({d.litellm_model}) is in the decision, not in the config")
                continue
            p = found[0]
            for key, want in (("input_cost_per_token", d.input_usd_per_mtok), ("output_cost_per_token", d.output_usd_per_mtok)):
                have = p.get(key)
                if not isinstance(have, (int, float)) or isinstance(have, bool):
                    out.append(f"{d.name}: {key} missing (decision: {want / 1e6:.6g})")
                elif _rel(have, want / 1e6) > tolerance:
                    out.append(f"{d.name}: {key} {have:.6g} differs from the decision's {want / 1e6:.6g} "
                               f"by {_rel(have, want / 1e6):.1%} (> {tolerance:.1%})")
    external = {}
    for e in entries:
        p = e["litellm_params"]
        tags = p.get("tags") if isinstance(p.get("tags"), list) else []
        if _is_external(p["model"]):
            external.setdefault(e["model_name"], []).append(p["model"])
            bad = sorted(t for t in tags if t in rules and t not in _external_ok(rules)
                         and (p["model"], t) not in granted)
            if bad:
                out.append(f"{e['model_name']}: {'/'.join(bad)} route to the external API {p['model']}")
    for fb in settings.get("fallbacks") or []:
        if not isinstance(fb, dict):
            continue
        for src, dsts in fb.items():
            src_tags = {t for p in by_name.get(src, []) for t in (p.get("tags") or [])} & inside_only
            for dst in dsts if isinstance(dsts, list) else [dsts]:
                if src_tags and str(dst) in external:
                    out.append(f"fallback {src} -> {dst}: {'/'.join(sorted(src_tags))} traffic would reach the "
                               f"external API {', '.join(external[str(dst)])}")
    return out


def _leaves(t: dict):
    if isinstance(t.get("targets"), list):
        for x in t["targets"]:
            if isinstance(x, dict):
                yield from _leaves(x)
    else:
        yield t


def _portkey(plan: GatewayPlan, data: dict, rules: dict) -> list[str]:
    out = []
    targets = {t.get("name"): t for t in data["targets"] if isinstance(t, dict)}
    for w in plan.workloads:
        for d in w.deployments:
            if d.role == "fallback":
                continue
            t = targets.get(d.name)
            models = {x.get("override_params", {}).get("model") for x in _leaves(t)} if t else set()
            if d.provider_model not in models:
                out.append(f"model removed: {d.name} ({d.provider_model}) is in the decision, not in the config")
    inside_only = set(rules) - _external_ok(rules)
    strategy = data.get("strategy") if isinstance(data.get("strategy"), dict) else {}
    for c in strategy.get("conditions") or []:
        if not isinstance(c, dict):
            continue
        text = str(c.get("query"))
        t = targets.get(c.get("then"))
        ext = [x for x in _leaves(t) if "custom_host" not in x] if t else []
        hit = sorted(k for k in inside_only if repr(k) in text)
        if ext and hit:
            out.append(f"condition -> {c.get('then')}: {'/'.join(hit)} requests would reach the external "
                       f"provider {ext[0].get('provider')}")
    default = targets.get(strategy.get("default"))
    if default and inside_only and any("custom_host" not in x for x in _leaves(default)):
        out.append(f"default target {strategy.get('default')} is an external API: unmatched "
                   f"{'/'.join(sorted(inside_only))} requests would reach it")
    return out


def gateway_differences(plan: GatewayPlan, config: tuple[str, dict], rules: dict, *,
                        tolerance: float = 0.05) -> list[str]:
    """Every difference between ``config`` (from :func:`load_gateway_file`) and ``plan`` (empty: it matches)."""
    kind, data = config
    if kind == "litellm":
        return _litellm(plan, data, rules, tolerance)
    return _portkey(plan, data, rules)


def decision_differences(cat, rec, rules: dict, config: tuple[str, dict], tolerance: float, today) -> list[str]:
    """For ``ovc check --gateway``: each difference between ``config`` and the decisions of ``rec``
    (a :class:`~openvclosed.decision.recommend.Recommendation`), one message each (the command prints them)."""
    from openvclosed.decision.gateway import gateway_plan

    plan = gateway_plan(cat, rec.decisions, rec.result, rules, date=today.isoformat())
    return gateway_differences(plan, config, rules, tolerance=tolerance)
