"""Operational commands: ``serve``, ``db upgrade``, ``agent create``."""

from __future__ import annotations

import typer

from simkyc.bootstrap import build_service
from simkyc.config import Settings
from simkyc.domain.errors import SimkycError
from simkyc.domain.parties import Role

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
agent_app = typer.Typer(help="Accounts for agents, supervisors, compliance, auditors, admins.",
                        no_args_is_help=True)


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (idempotent)."""
    from simkyc.adapters.db.migrate import current, upgrade

    settings = Settings()
    try:
        upgrade(settings.resolved_database_url)
    except Exception as exc:  # noqa: BLE001 - report any DB failure in one line
        _fail(f"migration failed on {settings.database_dialect}: {exc}".splitlines()[0])
    typer.echo(f"database {settings.database_dialect} at revision "
               f"{current(settings.resolved_database_url)}")


@agent_app.command("create")
def agent_create(
    name: str = typer.Option(..., "--name", help="Display name."),
    role: Role = typer.Option(..., "--role", help="agent, supervisor, compliance, auditor, admin."),
    outlet: str | None = typer.Option(None, "--outlet",
                                      help="Outlet name (created if new); needed for "
                                           "agents and supervisors."),
    operator: str = typer.Option("default", "--operator", help="Operator of a new outlet."),
) -> None:
    """Create an account and print its bearer token (shown only this once)."""
    settings = Settings()
    try:
        service = build_service(settings)
        agent, token = service.create_agent(name=name, role=role, outlet_name=outlet,
                                            operator_name=operator)
    except SimkycError as exc:
        _fail(str(exc))
    typer.echo(f"created {agent.role.value} {agent.name} ({agent.id})", err=True)
    typer.echo(token)


def serve(
    host: str = typer.Option(None, "--host", help="Bind address (default SIMKYC_HOST or "
                                                  "127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default SIMKYC_PORT or 8000)."),
) -> None:
    """Run the HTTP API (uvicorn)."""
    import uvicorn

    from simkyc.api.app import create_app

    settings = Settings()
    try:
        settings.master_key_bytes  # noqa: B018 - fail fast on a bad or missing key
        service = build_service(settings)
        removed = service.sweep_orphans(older_than_seconds=60)
    except SimkycError as exc:
        _fail(str(exc))
    if removed:
        typer.echo(f"removed {removed} orphaned evidence file(s) left by an interrupted write",
                   err=True)
    app = create_app(settings, service=service)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(agent_app, name="agent")
    app.command("serve")(serve)
