"""``simkyc worker``: a Celery worker that runs verification jobs (celery run mode)."""

from __future__ import annotations

import os
import sys

import typer

from simkyc.cli.output import EXIT_CANNOT_CHECK


def worker(
    concurrency: int = typer.Option(1, "--concurrency", "-c", min=1, max=64,
                                    help="Worker processes (each loads the models once)."),
    loglevel: str = typer.Option("INFO", "--loglevel", help="Celery log level."),
    requeue_after: float = typer.Option(
        0.0, "--requeue-after", min=0.0,
        help="At start, enqueue again jobs unfinished for this many seconds (0: no)."),
    beat: bool = typer.Option(False, "--beat",
                              help="Also run the scheduler (Celery beat): the evidence "
                                   "check every SIMKYC_EVIDENCE_CHECK_INTERVAL_S (one "
                                   "worker of the deployment only)."),
) -> None:
    """Run verification jobs from the broker (SIMKYC_BROKER_URL) on the configured database."""
    from simkyc.adapters.celery_app import CeleryQueue, make_celery
    from simkyc.config import Settings
    from simkyc.domain.errors import SimkycError
    from simkyc.runtime import build_runtime
    from simkyc.services.jobs import requeue_unfinished

    settings = Settings()
    try:
        runtime = build_runtime(settings)  # refuses an unmigrated database, in one line
    except SimkycError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_CANNOT_CHECK) from exc
    app = make_celery(settings)
    if requeue_after > 0:
        n = requeue_unfinished(runtime.context, CeleryQueue(app),
                               older_than_seconds=requeue_after)
        typer.echo(f"requeued {n} unfinished job(s)", err=True)
    runtime.close()
    # Celery logs to sys.__stderr__, whose descriptor `simkyc` points at /dev/null to
    # silence native libraries; its log goes where Python's stderr goes instead.
    sys.__stderr__ = sys.stderr  # type: ignore[misc,assignment]  # Final in typeshed
    app.worker_main(["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}",
                     "--pool=prefork", "-Q", settings.broker_queue, "--without-gossip",
                     "--without-mingle", "-n", f"simkyc{os.getpid()}@%h",
                     *(["-B", f"--schedule={settings.data_dir / 'celerybeat-schedule'}"]
                       if beat else [])])


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
