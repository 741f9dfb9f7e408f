"""Operational commands: ``serve``, ``db upgrade``, ``agent create|list``, ``token ...``.

Every command follows the one-line error contract: a problem (a bad setting,
an unreachable database, an unknown account) prints ``error: <reason>`` on
stderr and exits 2; nothing is left half-done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from simkyc.cli.output import cannot_check
from simkyc.config import Settings
from simkyc.domain.errors import SimkycError
from simkyc.domain.parties import Role
from simkyc.runtime import Runtime, build_runtime

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
agent_app = typer.Typer(help="Accounts for agents, supervisors, compliance, auditors, admins.",
                        no_args_is_help=True)
token_app = typer.Typer(help="API tokens: list, issue, revoke.", no_args_is_help=True)


def fail(msg: str) -> None:
    cannot_check(msg, as_json=False)


@contextmanager
def runtime(*, as_json: bool = False) -> Iterator[Runtime]:
    """The runtime for a command; any configuration or database problem is one line on
    stderr (and ``{"error": ...}`` on stdout with ``as_json``), exit 2."""
    try:
        settings = Settings()
        rt = build_runtime(settings)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    except Exception as exc:  # noqa: BLE001 - a driver or filesystem error, in one line
        cannot_check(
            f"cannot open the database: {str(exc).splitlines()[0] if str(exc) else exc!r}",
            as_json=as_json)
    try:
        yield rt
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    finally:
        rt.close()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (idempotent)."""
    from simkyc.adapters.db.migrate import current, upgrade

    settings = Settings()
    try:
        upgrade(settings.resolved_database_url)
        at = current(settings.resolved_database_url)
    except Exception as exc:  # noqa: BLE001 - report any DB failure in one line
        fail(f"migration failed on {settings.database_dialect}: {str(exc).splitlines()[0]}")
    typer.echo(f"database {settings.database_dialect} at revision {at}")


@agent_app.command("create")
def agent_create(
    name: str = typer.Option(..., "--name", help="Display name."),
    role: Role = typer.Option(..., "--role", help="agent, supervisor, compliance, auditor, admin."),
    outlet: str | None = typer.Option(None, "--outlet",
                                      help="Outlet name (created if new); needed for "
                                           "agents and supervisors."),
    operator: str = typer.Option("default", "--operator", help="Operator of a new outlet."),
    token_days: int | None = typer.Option(None, "--token-days", min=1, max=3650,
                                          help="The token expires after this many days."),
    username: str | None = typer.Option(None, "--username",
                                        help="User name for signing in at the counter; "
                                             "the password is then prompted (never an "
                                             "argument)."),
) -> None:
    """Create an account and print its API token (shown only this once)."""
    from simkyc.services.accounts import check_account_fields, create_account

    try:  # refused input opens nothing (no key, no database left behind)
        check_account_fields(name=name, role=role, outlet_name=outlet)
    except SimkycError as exc:
        fail(str(exc))
    password = _prompt_password(username) if username else None
    with runtime() as rt:
        new = create_account(rt.context, name=name, role=role, outlet_name=outlet,
                             operator_name=operator, token_days=token_days)
        if username and password is not None:
            from simkyc.services.sessions import set_password

            stored = set_password(rt.context, agent_id=new.agent.id, username=username,
                                  password=password)
            typer.echo(f"user name {stored} can sign in", err=True)
    typer.echo(f"created {new.agent.role.value} {new.agent.name} ({new.agent.id})", err=True)
    typer.echo(new.token)


def _prompt_password(username: str) -> str:
    """Read a password twice without echo, checked before anything is stored."""
    from simkyc.domain.errors import InputError
    from simkyc.services.sessions import DEFAULT_RULES, normalise_username

    try:
        name = normalise_username(username)
    except InputError as exc:
        fail(str(exc))
    password = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    if len(password) < DEFAULT_RULES.min_password_length:
        fail(f"a password has at least {DEFAULT_RULES.min_password_length} characters")
    if password.strip().casefold() == name:
        fail("the password may not be the user name")
    return password


@agent_app.command("password")
def agent_password(
    agent: str = typer.Option(..., "--agent", help="The account's id."),
    username: str = typer.Option(..., "--username", help="User name for signing in."),
) -> None:
    """Set (or change) an account's user name and password (the password is prompted)."""
    from simkyc.services.sessions import set_password

    password = _prompt_password(username)
    with runtime() as rt:
        stored = set_password(rt.context, agent_id=agent, username=username, password=password)
    typer.echo(f"user name {stored} can sign in")


@agent_app.command("list")
def agent_list() -> None:
    """Every account: id, role, outlet, active."""
    from simkyc.services.accounts import list_accounts

    with runtime() as rt:
        for a in list_accounts(rt.context):
            typer.echo(f"{a.id}  {a.role.value:<10}  {'active' if a.active else 'inactive':<8}  "
                       f"{a.outlet_id or '-'}  {a.name}")


@token_app.command("list")
def token_list(agent: str | None = typer.Option(None, "--agent", help="One account's tokens.")
               ) -> None:
    """Every token's record (never the token itself)."""
    from simkyc.services.accounts import list_tokens

    with runtime() as rt:
        for t in list_tokens(rt.context, agent_id=agent):
            state = "revoked" if t.revoked_at else "active"
            typer.echo(f"{t.id}  {t.agent_id}  {state:<7}  created {t.created_at:%Y-%m-%d}  "
                       f"expires {t.expires_at.date() if t.expires_at else 'never'}  "
                       f"{t.label}")


@token_app.command("issue")
def token_issue(agent: str = typer.Option(..., "--agent", help="The account's id."),
                label: str = typer.Option("", "--label"),
                days: int | None = typer.Option(None, "--days", min=1, max=3650)) -> None:
    """A further token for an account; printed once."""
    from simkyc.services.accounts import issue_token

    with runtime() as rt:
        new = issue_token(rt.context, agent_id=agent, label=label, days=days)
    typer.echo(f"issued token {new.info.id} for {new.agent.id}", err=True)
    typer.echo(new.token)


@token_app.command("revoke")
def token_revoke(token_id: str = typer.Argument(..., help="The token's id (token list).")
                 ) -> None:
    """Revoke a token at once (audited)."""
    from simkyc.services.accounts import revoke_token

    with runtime() as rt:
        info = revoke_token(rt.context, token_id=token_id)
    typer.echo(f"revoked {info.id}")


def serve(
    host: str = typer.Option(None, "--host", help="Bind address (default SIMKYC_HOST or "
                                                  "127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default SIMKYC_PORT or 8000)."),
) -> None:
    """Run the HTTP API (uvicorn). On SQLite the schema is brought up to date first."""
    import uvicorn

    from simkyc.api.app import create_app
    from simkyc.services.evidence import sweep_orphans

    settings = Settings()
    if settings.warm_models is None and settings.workers == "inline":
        # the server checks the steps itself: it loads its models as it starts
        settings = settings.model_copy(update={"warm_models": True})
    try:
        rt = build_runtime(settings)
        removed = sweep_orphans(rt.context, older_than_seconds=60)
    except SimkycError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot start: {str(exc).splitlines()[0] if str(exc) else exc!r}")
    if removed:
        typer.echo(f"removed {removed} orphaned evidence file(s) left by an interrupted write",
                   err=True)
    app = create_app(settings, runtime=rt)
    try:
        uvicorn.run(app, host=host or settings.host, port=port or settings.port,
                    log_level="info")
    finally:
        rt.close()


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(agent_app, name="agent")
    app.add_typer(token_app, name="token")
    app.command("serve")(serve)
