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
            proposer, skipped = None, None
            if any(r.get("decision") is not None for r in records):
                if rules_only:
                    skipped = "--rules-only evaluates spans only"
                else:
                    try:
                        proposer, warning = load_proposer(model)
                        if warning:
                            warn(warning)
                    except FileNotFoundError as exc:
                        # no decision model there (a pipeline-only directory, or the default not
                        # trained yet): the spans are still scored, and the output says why not
                        skipped = str(exc)
                        warn(f"decisions not scored: {exc}")
            result = evaluate_records(records, detector, proposer)
            if skipped:
                result["decisions_skipped"] = skipped
        except (EvaluationInputError, FileNotFoundError) as exc:
            fail(str(exc))
        if as_json:
            print_json(result)
        else:
            typer.echo(format_report(result))
