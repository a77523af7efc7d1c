"""openvclosed (``ovc``): should this LLM workload use a closed API, a hosted open-weight API,
or open weights on our own GPUs?

Layers (dependencies point one way)::

    cli  ->  report / breakeven (orchestration)  ->  engine / catalog  ->  units / errors
"""

__version__ = "0.1.0"
