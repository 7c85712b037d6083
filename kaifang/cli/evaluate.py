"""``kaifang evaluate FILE.jsonl [--model DIR] [--json]``: score the detector (and, where the file
has gold decisions, the decision proposer) on a SCHEMA.md file (definitions: models.evaluation)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import fail, print_json


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        file: Path = typer.Argument(..., help="JSON Lines in the SCHEMA.md format"),
        model: Optional[Path] = typer.Option(None, "--model", help="model version directory (default: the shipped model)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object instead of a table"),
        rules_only: bool = typer.Option(False, "--rules-only", help="evaluate the exact rules alone (no neural "
                                        "NER, no trained model needed; decisions are not scored)"),
    ) -> None:
        """Span P/R/F1 (exact and overlap), sensitive recall, throughput, and decision metrics."""
        from models.evaluation import (
            EvaluationInputError,
            evaluate_records,
            format_report,
            load_detector,
            load_proposer,
            load_records,
            warn,
        )

        if model is not None and not model.is_dir():
            fail(f"--model {model}: not a directory")
        try:
            records = load_records(file)
            detector, warning = load_detector(model, rules_only=rules_only)
            if warning:
                warn(warning)
            proposer = None
            if not rules_only and any(r.get("decision") is not None for r in records):
                try:
                    proposer, warning = load_proposer(model)
                except FileNotFoundError as exc:
                    if model is not None:
                        raise
                    # no default decision model yet (not trained): spans are still scored
                    proposer, warning = None, f"decisions not scored: {exc}"
                if warning:
                    warn(warning)
            result = evaluate_records(records, detector, proposer)
        except (EvaluationInputError, FileNotFoundError) as exc:
            fail(str(exc))
        if as_json:
            print_json(result)
        else:
            typer.echo(format_report(result))
