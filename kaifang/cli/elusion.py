"""``kaifang elusion draw|judge|status``: check what the machine proposes to OPEN before a batch opens."""
from __future__ import annotations

from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json


def register(app: typer.Typer) -> None:
    el = typer.Typer(help="Elusion sampling: blind review of a random sample of a batch's OPEN proposals.",
                     no_args_is_help=True)
    app.add_typer(el, name="elusion")

    @el.command("draw")
    def draw(
        collection: Optional[str] = typer.Option(None, "--collection", help="the batch (default: all collections)"),
        size: Optional[int] = typer.Option(None, "--size", min=1, help="sample size (default: from --max-rate)"),
        max_rate: float = typer.Option(0.05, "--max-rate", help="elusion rate to rule out if none is found"),
        seed: Optional[int] = typer.Option(None, "--seed", help="for a reproducible draw"),
        actor: str = typer.Option("committee", "--actor"),
        include_final: Optional[bool] = typer.Option(
            None, "--include-final/--pending-only",
            help="also sample OPEN proposals the committee already decided (default: only when none are pending, "
                 "e.g. after a release)"),
    ) -> None:
        """Draw and store a random sample of the OPEN proposals; prints the document ids to review blind."""
        from review_app.db import session_scope
        from review_app.store import documents
        from training import elusion

        with session_scope(engine()) as s:
            col_id = None
            if collection:
                col = documents.get_collection(session=s, name=collection)
                if col is None:
                    fail(f"unknown collection {collection!r}")
                col_id = col.id
            try:
                sample = elusion.draw(session=s, actor=actor, size=size, max_rate=max_rate, collection_id=col_id,
                                      seed=seed, include_final=include_final)
            except ValueError as exc:
                fail(str(exc))
            print_json({"sample": sample.id, "population": sample.population_size, "seed": sample.seed,
                        "documents": sample.document_ids, "judge_at": f"/elusion/{sample.id}"})

    @el.command("judge")
    def judge(sample: int = typer.Argument(...), document: int = typer.Argument(...),
              sensitive: bool = typer.Option(..., "--sensitive/--not-sensitive"),
              username: str = typer.Option(..., "--user"), note: str = typer.Option("", "--note")) -> None:
        """Record one blind judgement."""
        from review_app.db import session_scope
        from training import elusion

        with session_scope(engine()) as s:
            try:
                elusion.judge(session=s, sample_id=sample, document_id=document, username=username,
                              sensitive=sensitive, note=note)
            except ValueError as exc:
                fail(str(exc))
            print_json(elusion.summary(session=s, sample_id=sample))

    @el.command("status")
    def status(sample: int = typer.Argument(...),
               method: str = typer.Option("clopper-pearson", "--method", help="clopper-pearson or wilson")) -> None:
        """Progress and the estimated share of sensitive documents, with its 95 % interval."""
        from review_app.db import session_scope
        from training import elusion

        with session_scope(engine()) as s:
            try:
                print_json(elusion.summary(session=s, sample_id=sample, method=method))
            except ValueError as exc:
                fail(str(exc))
