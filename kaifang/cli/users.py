"""``kaifang users``: create and manage accounts from the command line (audited like the app)."""
from __future__ import annotations

import getpass
import os

import typer

from kaifang.cli.common import engine, fail, print_json, settings

users_app = typer.Typer(help="Accounts: admin, reviewer, committee, annotator, auditor.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def _password(given: str | None) -> str:
    if given:
        return given
    env = os.environ.get("KAIFANG_NEW_PASSWORD")
    if env:
        return env
    pw = getpass.getpass("password (8+ characters): ")
    if pw != getpass.getpass("again: "):
        fail("the passwords differ")
    return pw


@users_app.command("create")
def create(username: str = typer.Argument(...),
           role: str = typer.Option(..., "--role", help="admin | reviewer | committee | annotator | auditor"),
           password: str = typer.Option(None, "--password", help="default: KAIFANG_NEW_PASSWORD or a prompt"),
           display_name: str = typer.Option("", "--name")) -> None:
    """Create an account."""
    from review_app.db import session_scope
    from review_app.store import users

    s = settings()
    with session_scope(engine(s)) as session:
        try:
            u = users.create_user(session=session, username=username, password=_password(password), role=role,
                                  actor=_actor(), display_name=display_name)
        except users.UserError as exc:
            fail(str(exc))
    print_json({"username": u.username, "role": u.role})


@users_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """List accounts."""
    from review_app.db import session_scope
    from review_app.store import users

    with session_scope(engine()) as session:
        rows = [{"username": u.username, "role": u.role, "active": u.active} for u in users.list_users(session=session)]
    if as_json:
        print_json(rows)
    else:
        for r in rows:
            typer.echo(f"{r['username']:<20} {r['role']:<10} {'active' if r['active'] else 'inactive'}")


@users_app.command("set-role")
def set_role(username: str, role: str) -> None:
    """Change an account's role."""
    from review_app.db import session_scope
    from review_app.store import users

    s = settings()
    with session_scope(engine(s)) as session:
        try:
            users.set_role(session=session, username=username, role=role, actor=_actor())
        except users.UserError as exc:
            fail(str(exc))
    typer.echo(f"{username}: {role}")


@users_app.command("deactivate")
def deactivate(username: str) -> None:
    """Stop an account from signing in (kept for the record)."""
    from review_app.db import session_scope
    from review_app.store import users

    s = settings()
    with session_scope(engine(s)) as session:
        try:
            users.set_active(session=session, username=username, active=False, actor=_actor())
        except users.UserError as exc:
            fail(str(exc))
    typer.echo(f"{username}: deactivated")


@users_app.command("set-password")
def set_password(username: str, password: str = typer.Option(None, "--password")) -> None:
    """Set a new password (default: KAIFANG_NEW_PASSWORD or a prompt)."""
    from review_app.db import session_scope
    from review_app.store import users

    s = settings()
    with session_scope(engine(s)) as session:
        try:
            users.set_password(session=session, username=username, password=_password(password), actor=_actor())
        except users.UserError as exc:
            fail(str(exc))
    typer.echo(f"{username}: password changed")


@users_app.command("sign-out")
def sign_out(username: str) -> None:
    """End every session of an account now (a lost laptop, a cookie that may have been copied)."""
    from review_app.db import session_scope
    from review_app.store import users

    with session_scope(engine()) as session:
        try:
            n = users.sign_out_everywhere(session=session, username=username, actor=_actor())
        except users.UserError as exc:
            fail(str(exc))
    typer.echo(f"{username}: {n} session(s) ended")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
