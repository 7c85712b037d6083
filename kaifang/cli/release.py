"""``kaifang release``: the copies a reading room can publish, the open catalogue (开放目录), and
``kaifang release verify DIR`` to re-check a release later."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json, settings

OCR_HELP = "OCR engine that locates text on scans and reads every redacted page back: rapidocr or tesseract"


def _ocr(name: str):
    """A lazy OCR engine after checking the name (models load on first use)."""
    from review_app.ingest.ocr import ENGINES
    from review_app.ingest.runner import LazyOcr

    if name not in ENGINES:
        fail(f"unknown OCR engine {name!r}; choose one of: {', '.join(ENGINES)}")
    return LazyOcr(name)


class _Bar:
    """A tqdm page bar on stderr, created on the first report of progress."""

    def __init__(self, desc: str, quiet: bool) -> None:
        self.desc, self.quiet, self.bar = desc, quiet, None

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit="page", leave=False)
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _print_report(report: dict) -> None:
    c = report["counts"]
    typer.echo(f"released {c['released']} of {c['documents']} documents of {report['collection']} into "
               f"{report['out']}: {c['open']} 开放, {c['open_redacted']} 部分开放 "
               f"({c['masked_ranges']} masked ranges, {c['files']} PDF/scan/Word files)")
    held = {k: v for k, v in report["withheld"].items() if v and k != "held_back"}
    for reason, docs in held.items():
        refs = ", ".join((d["reference_code"] or f"#{d['id']}") + (f" (eligible {d['eligible_from']})"
                                                                     if d.get("eligible_from") else "")
                         for d in docs[:20])
        more = f" … and {len(docs) - 20} more" if len(docs) > 20 else ""
        typer.echo(f"withheld ({reason}): {len(docs)}: {refs}{more}")
    for d in report["withheld"]["held_back"]:
        typer.secho(f"held back: {d['reason']}", err=True, fg=typer.colors.RED)
    v = report["verification"]
    typer.echo("verified leak-free: " + "; ".join(v["checked"]) + f" ({v['values']} masked values searched)")
    for w in report["warnings"]:
        typer.secho(f"warning: {w}", err=True, fg=typer.colors.YELLOW)
    typer.echo(f"manifest sha256 {report['manifest_sha256']} sm3 {report['manifest_sm3']} "
               f"(audit event #{report['audit_event']})")


def _release(collection: str, out: Path, force: bool, actor: str, ocr: str, as_json: bool, quiet: bool) -> None:
    from review_app.db import session_scope
    from review_app.store.release import ReleaseRefused, write_release

    s = settings()
    lazy = _ocr(ocr)
    bar = _Bar("release", quiet)
    with session_scope(engine(s)) as session:
        def estimator(sample_id: int) -> dict:
            from training import elusion

            return elusion.summary(session=session, sample_id=sample_id)

        try:
            report = write_release(session=session, collection=collection, out_dir=out, actor=actor,
                                   force=force, elusion_estimator=estimator, ocr=lazy, progress=bar)
        except ReleaseRefused as exc:
            fail(f"release refused: {exc}")
        except OSError as exc:  # an unwritable --out: nothing was released (the temp dir is gone)
            fail(f"cannot write the release to {out}: {exc.strerror or exc}")
        finally:
            bar.close()
    if as_json:
        print_json(report)
        return
    _print_report(report)


def register(app: typer.Typer) -> None:
    group = typer.Typer(invoke_without_command=True, no_args_is_help=False)

    @group.callback()
    def release(
        ctx: typer.Context,
        collection: Optional[str] = typer.Option(None, "--collection", help="the collection (全宗) to release"),
        out: Optional[Path] = typer.Option(None, "--out", help="a new directory for the release"),
        force: bool = typer.Option(False, "--force", help="replace an earlier release in --out"),
        actor: str = typer.Option("cli", "--actor", help="who the release event names"),
        ocr: str = typer.Option("rapidocr", "--ocr", help=OCR_HELP),
        as_json: bool = typer.Option(False, "--json", help="print the full report as JSON"),
        quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
    ) -> None:
        """Release what the committee opened: text copies (OPEN_REDACTED masked ■ per character), OPEN PDFs, scans and Word files as reviewed, OPEN_REDACTED PDFs and scans rebuilt with the masked characters burned out under a text layer of the masked text, the open catalogue (CSV + XLSX) and a manifest with SHA-256 and SM3 sums.

        Every redacted output is read back (text layer and OCR) before it is kept; a document that cannot be redacted safely is held back with the reason and the rest is released. Refused (exit 2, nothing written) when the audit chain does not verify or --out exists (without --force, which replaces only an earlier release). CLOSED and undecided documents are never released; the report counts them.
        """
        if ctx.invoked_subcommand is not None:
            if collection or out:
                fail("give --collection/--out for a release, or `release verify DIR`, not both")
            return
        if not collection or out is None:
            fail("kaifang release needs --collection and --out (or: kaifang release verify DIR)")
        _release(collection, out, force, actor, ocr, as_json, quiet)

    @group.command("verify")
    def verify(
        directory: Path = typer.Argument(..., help="a release directory (written by kaifang release)"),
        ocr: str = typer.Option("rapidocr", "--ocr", help=OCR_HELP),
        as_json: bool = typer.Option(False, "--json", help="print the full report as JSON"),
        quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
    ) -> None:
        """Re-check a release: every file's SHA-256 and SM3 against the manifest, the manifest and catalogue against the audit log's release event, and the leak check (text copies, PDF text layers, OCR of every redacted page) against the masked values the store has now.

        Exit 0 when all is well, 2 with one line per problem otherwise.
        """
        from review_app.db import session_scope
        from review_app.store.release import ReleaseRefused
        from review_app.store.release_verify import verify_release

        lazy = _ocr(ocr)
        bar = _Bar("verify", quiet)
        with session_scope(engine(settings())) as session:
            try:
                report = verify_release(session=session, out_dir=directory, ocr=lazy, progress=bar)
            except ReleaseRefused as exc:
                fail(f"verify refused: {exc}")
            finally:
                bar.close()
        if as_json:
            print_json(report)
        else:
            c = report["checked"]
            typer.echo(f"{report['out']}: {report['files']} files against their SHA-256 and SM3 sums, "
                       f"manifest recorded by audit event #{report['audit_event']}, leak check of "
                       f"{c['text_copies']} text copies and {c['pdfs']} PDFs ({c['pdf_pages']} pages: text layer "
                       f"and OCR), {c['values']} masked values")
            for w in report["warnings"]:
                typer.secho(f"warning: {w}", err=True, fg=typer.colors.YELLOW)
        if not report["ok"]:
            for p in report["problems"]:
                typer.secho(f"problem: {p}", err=True, fg=typer.colors.RED)
            fail(f"the release in {report['out']} does not verify ({len(report['problems'])} problems)")
        if not as_json:
            typer.echo("ok")

    app.add_typer(group, name="release")

