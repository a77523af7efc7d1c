"""Command modules: each defines ``register(app, ctx)`` adding its typer commands to ``app``.

Keep module-level imports light (typer only): heavy imports go inside the command functions.
Shared options and helpers come from :mod:`openvclosed.commands.options`. Do not use
``from __future__ import annotations`` in command modules: typer evaluates the option annotations
so that ``ovc`` starts fast. ``cli.py`` registers the modules listed in ``COMMAND_MODULES``.
"""

COMMAND_MODULES: tuple[str, ...] = ("breakeven", "fit", "catalog", "recommend", "check", "catalog_import",
                                    "usage", "sweep", "plot", "report", "emit", "calibrate")
