"""The ``kaifang`` command line.

Each command group lives in its own module with a ``register(app)`` function; heavy imports
(torch, spaCy, the web app) happen inside the commands, so ``kaifang --help`` stays instant.
"""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="kaifang",
    help="Kaifang 开放审核工作台: machine-assisted open review of archival records "
    "(ingest, detect sensitive spans, propose decisions, review, audit, learn, release).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Command modules, in the order they appear in --help. A module missing here is a bug.
COMMAND_MODULES = (
    "kaifang.cli.ingest",
    "kaifang.cli.scan",
    "kaifang.cli.evaluate",
    "kaifang.cli.propose",
    "kaifang.cli.serve",
    "kaifang.cli.users",
    "kaifang.cli.audit",
    "kaifang.cli.train",
    "kaifang.cli.models",
    "kaifang.cli.labelstudio",
    "kaifang.cli.elusion",
    "kaifang.cli.release",
    "kaifang.cli.demo",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command group not written yet
                continue
            raise
        module.register(app)


_register_all()


def main() -> None:
    app()
