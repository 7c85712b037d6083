"""``kaifang labelstudio push|pull``: send documents to Label Studio, bring annotations back."""
from __future__ import annotations

from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json, settings

DEFAULT_PROJECT = "Kaifang 开放审核"


def _client(url: Optional[str], api_key: Optional[str]):
    from training import labelstudio

    s = settings()  # LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY (or KAIFANG_LABEL_STUDIO_*)
    url = url or s.label_studio_url
    api_key = api_key or (s.label_studio_api_key.get_secret_value() if s.label_studio_api_key else None)
    if not url or not api_key:
        fail("give --url and --api-key, or set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY")
    return labelstudio.connect(url, api_key)


def register(app: typer.Typer) -> None:
    ls_app = typer.Typer(help="The Label Studio round trip (annotations become confirmed training data).",
                         no_args_is_help=True)
    app.add_typer(ls_app, name="labelstudio")

    @ls_app.command("push")
    def push(
        project: str = typer.Option(DEFAULT_PROJECT, "--project", help="project title (created if missing)"),
        collection: Optional[str] = typer.Option(None, "--collection", help="sample from this collection only"),
        limit: int = typer.Option(50, "--limit", min=1, help="how many documents to sample"),
        seed: int = typer.Option(0, "--seed", help="sampling seed"),
        strategy: str = typer.Option("random", "--strategy", help="random, or active (most informative first)"),
        url: Optional[str] = typer.Option(None, "--url", help="Label Studio URL (or LABEL_STUDIO_URL)"),
        api_key: Optional[str] = typer.Option(None, "--api-key", help="token (or LABEL_STUDIO_API_KEY)"),
    ) -> None:
        """Create/update the project and import sampled documents with the model's spans as predictions."""
        from review_app.db import session_scope
        from training import labelstudio

        client = _client(url, api_key)
        try:
            with session_scope(engine()) as s:
                tasks = labelstudio.document_tasks(s, collection=collection, limit=limit, seed=seed,
                                                   strategy=strategy)
        except ValueError as exc:
            fail(str(exc))
        if not tasks:
            fail("no documents with text to push")
        print_json(labelstudio.push(client, title=project, tasks=tasks))

    @ls_app.command("pull")
    def pull(
        project: str = typer.Option(DEFAULT_PROJECT, "--project", help="project title"),
        url: Optional[str] = typer.Option(None, "--url"),
        api_key: Optional[str] = typer.Option(None, "--api-key"),
    ) -> None:
        """Import finished annotations as confirmed training data and update the documents' spans (audited)."""
        from review_app.db import session_scope
        from training import labelstudio

        client = _client(url, api_key)
        pid = labelstudio.ensure_project(client, project)
        report = labelstudio.pull(client, project_id=pid)
        with session_scope(engine()) as s:
            ids = labelstudio.store_pulled(s, project_id=pid, report=report)
        print_json({"project": pid, "annotations": len(report.annotations), "stored": len(ids),
                    "cancelled": report.skipped_cancelled, "refused": report.refused,
                    "span_updates": report.span_updates})
        if report.refused:
            raise typer.Exit(1)
