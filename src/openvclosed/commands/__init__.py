"""Command modules: each defines ``register(app, ctx)`` adding its typer commands to ``app``.

Keep module-level imports light (typer only): heavy imports go inside the command functions.
Do not use `from __future__ import annotations` there: typer evaluates the option annotations,
which refer to names from ``shared`` local to ``register``.
so that ``ovc`` starts fast. ``cli.py`` registers the modules listed in ``COMMAND_MODULES``.
"""

COMMAND_MODULES: tuple[str, ...] = ("recommend", "check", "catalog_import", "usage", "sweep", "plot")
