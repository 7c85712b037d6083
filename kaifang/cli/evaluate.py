"""``kaifang evaluate FILE.jsonl|- [--model DIR|shipped] [--labels L,..|all] [--json]``: score the detector (and,
where the file has gold decisions, the decision proposer) on a SCHEMA.md file (definitions: models.evaluation).

Without ``--model`` the model scored is the one the app serves: the model registry's current
version, else (no registry, nothing promoted) the shipped default. ``--model shipped`` scores the
shipped default (``models/default``), ``--model DIR`` a version directory."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import fail, print_json


SHIPPED = "shipped"


def _resolve_model(model: str | None, rules_only: bool) -> Path | None:
    """``--model`` -> the directory to load (None: the shipped default), see the module docstring."""
    if model == SHIPPED:
        return None
    if model is not None:
        path = Path(model)
        if not rules_only and not path.is_dir():
            fail(f"--model {model}: not a directory (give a model version directory, or '{SHIPPED}')")
        return path
    if rules_only:
        return None
    from kaifang.cli.common import registry_current_model

    current = registry_current_model()
    if current is None:
        return None
    name, path = current
    typer.echo(f"kaifang: evaluating the registry's current model {name} ({path}); --model {SHIPPED} for the "
               "shipped default", err=True)
    return path


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        file: Path = typer.Argument(..., help="JSON Lines in the SCHEMA.md format ('-': standard input)"),
        model: Optional[str] = typer.Option(None, "--model", help="model version directory, or 'shipped' for the "
                                            "shipped default (default: the registry's current version, else the "
                                            "shipped default)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object instead of a table"),
        rules_only: bool = typer.Option(False, "--rules-only", help="evaluate the exact rules alone (no neural "
                                        "NER, no trained model needed; decisions are not scored)"),
        labels: Optional[str] = typer.Option(None, "--labels", help="comma-separated labels the file was "
                                             "annotated for, or 'all' (default: those in its gold spans); "
                                             "micro pools these, so their predictions absent from gold are FPs"),
        as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD: the review date decisions are "
                                            "proposed on (document age, 25-year eligibility); default today"),
    ) -> None:
        """Span P/R/F1 (exact and overlap), sensitive recall, throughput, and decision metrics.

        spans: same start, end and label. spans_overlap: same label, sharing a
        character, matched one-to-one (a maximum matching per document and label).
        P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn); 0.0 on a zero
        denominator; rounded to 6 decimals; tp, fp, fn are given.
        micro pools labels_scored only: the labels in the gold spans, or --labels.
        sensitive_recall: share of gold spans of labels other than ORG and LOC
        that a predicted span of any such label overlaps.
        chars_per_second: characters / seconds inside the detector only.
        decisions (records with a gold decision; others counted, not scored):
        accuracy, macro_f1, leak_rate (gold OPEN_REDACTED or CLOSED proposed OPEN),
        over_closure_rate (gold OPEN proposed CLOSED), confusion (rows gold,
        columns proposed). Definitions: models/evaluation.py. Bad input: exit 2.
        """
        from models.evaluation import (
            EvaluationInputError,
            evaluate_records,
            format_report,
            load_detector,
            load_proposer,
            load_records,
            warn,
        )

        model = _resolve_model(model, rules_only)
        from models.spans import LABELS

        declared = None
        if labels is not None:
            declared = list(LABELS) if labels.strip().lower() == "all" else \
                [x.strip() for x in labels.split(",") if x.strip()]
            unknown = [x for x in declared if x not in LABELS]
            if not declared or unknown:
                fail(f"--labels: {'unknown label(s) ' + ', '.join(unknown) + '; ' if unknown else ''}"
                     f"give some of {', '.join(LABELS)} separated by commas, or 'all'")
        review_date = None
        if as_of is not None:
            from datetime import date

            try:
                review_date = date.fromisoformat(as_of)
            except ValueError:
                fail(f"--as-of {as_of!r}: give a date as YYYY-MM-DD")
        try:
            records = load_records(file)
        except EvaluationInputError as exc:
            fail(str(exc))
        try:
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
        except (EvaluationInputError, FileNotFoundError) as exc:
            fail(str(exc))
        except ValueError as exc:  # a model directory that cannot be read (bad manifest, format)
            fail(f"cannot load the model{f' from {model}' if model else ''}: {exc}")
        try:
            result = evaluate_records(records, detector, proposer, labels=declared, as_of=review_date)
        except EvaluationInputError as exc:
            fail(str(exc))
        if skipped:
            result["decisions_skipped"] = skipped
        if result.get("gold_duplicate_spans"):
            warn(f"{result['gold_duplicate_spans']} gold span(s) repeated within a record counted once")
        if as_json:
            print_json(result)
        else:
            typer.echo(format_report(result))
