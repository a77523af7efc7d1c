"""Default values of the engine's tunable inputs: the one source both the engine and the
assumptions use (:class:`openvclosed.decision.assumptions.Assumptions` takes its defaults from
here, so the two cannot disagree).

Plain numbers, no imports: where each comes from is in ``Assumptions`` (field ``basis``) and
``docs/methodology.md``.
"""

DAYS_PER_MONTH = 365.25 / 12
"""Calendar average days per month (30.4375); days per year = 12 x days_per_month."""

LOADED_ENGINEER_USD_YEAR = 133_080.0 / 0.704
"""Loaded yearly cost of one engineer [USD]: the BLS OEWS May 2024 median wage of software developers
(SOC 15-1252, https://www.bls.gov/oes/current/oes151252.htm) over the wage share of employer
compensation cost in private industry ($31.25 of $44.40, BLS ECEC September 2024,
https://www.bls.gov/ecec/home.htm)."""

DEFAULTS: dict[str, float] = {
    # traffic shape
    "input_share": 0.75,
    "cached_share": 0.0,
    "batch_share": 0.0,
    "context_tokens": 4096,
    # serving engine
    "kv_bits": 16.0,
    "vram_reserve_share": 0.90,
    "max_batch": 256,
    # throughput: the vLLM profile (engine/profiles.py; calibrated values in
    # data/measurements/calibration.json replace these at run time through the profile)
    "bandwidth_eff": 0.80,
    "kv_bandwidth_eff": 0.60,
    "low_bit_eff": 0.80,
    "decode_mfu": 0.40,
    "prefill_mfu": 0.50,
    "step_overhead_s": 5.0e-4,
    "layer_overhead_s": 5.0e-6,
    # operations and money
    "utilization": 0.50,
    "hours_per_day": 24.0,
    "days_per_month": DAYS_PER_MONTH,
    "electricity_usd_kwh": 0.15,
    "pue": 1.58,
    "power_draw_share": 1.0,
    "host_w_per_gpu": 150.0,
    "host_usd_per_gpu": 1500.0,
    # people: the per-machine increment, 2 h/month at the loaded cost of a US software developer
    # (LOADED_ENGINEER_USD_YEAR / 2,080 h = $90.88/h); the team (a share of an on-call engineer,
    # decision.assumptions.OPS_TEAM_USD_MONTH) is paid once per deployment, not per replica
    "ops_usd_month": round(2.0 * LOADED_ENGINEER_USD_YEAR / 2080.0),
    "amortize_years": 3.0,
    "rate": 0.08,
    "gpu_price_factor": 1.0,
}
"""Name -> default value, in the units the name carries."""
