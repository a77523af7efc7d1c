"""openvclosed (``ovc``): should this LLM workload use a closed API, a hosted open-weight API,
or open weights on our own GPUs?

Layers (dependencies point one way, down)::

    cli.py, commands/      parse flags, call one function, emit(result, format), one error boundary
          |
    report/                result object in, string out (table, json, markdown, github; escape per channel)
          |
    decision/  check/  usage/   selection, designs (catalog -> engine inputs), breakeven, fit, recommend,
          |                     hybrid, portfolio; policy and baseline; usage logs -> traffic -> reprice
    results/               result objects = the JSON contract; findings (code, severity, ids, message)
          |
    engine/   catalog/     pure numpy cost path (design.selfhost_design is the one chain); cited catalogs
          |
    units, errors, fileio, yamlio   parsing, exceptions, safe reading and writing

Where a number is computed: every self-hosting figure (fit, throughput, capacity, replicas and
each cost component) comes from :func:`openvclosed.engine.design.selfhost_design`, fed by
:func:`openvclosed.decision.designs.design_inputs`; API cost from
:func:`openvclosed.engine.apicost.api_usd_per_mtok`; day <-> month in :mod:`openvclosed.engine.period`.
"""

__version__ = "0.1.0"
