"""``simkyc bench``: run the measurement scripts in the repository's ``bench/`` folder.

Each stage has ``bench/bench_<stage>.py`` with ``main(argv) -> int`` that prints
its figures and writes artefacts (plots) to ``bench/out/``.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import typer

STAGES = {
    "foundation": "bench_foundation",
    "document": "bench_document",
    "faces": "bench_faces",
    "liveness": "bench_liveness",
    "voice": "bench_voice",
    "memory": "bench_memory",
    "compliance": "bench_compliance",
    "scale": "bench_scale",
    "loadtest": "loadtest",
    "profile": "profile_session",
}

bench_app = typer.Typer(help="Benchmarks: accuracy, error rates and speed, measured here.",
                        invoke_without_command=True)


def bench_dir() -> Path:
    import simkyc

    return Path(simkyc.__file__).resolve().parents[2] / "bench"


def _load(stage: str) -> ModuleType:
    path = bench_dir() / f"{STAGES[stage]}.py"
    if not path.exists():
        typer.echo(f"error: {path} not found (benchmarks run from a source checkout)", err=True)
        raise typer.Exit(2)
    spec = importlib.util.spec_from_file_location(STAGES[stage], path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # Registered before running: dataclasses and pickling (worker processes) look it up.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _run(stage: str, quick: bool) -> int:
    typer.echo(f"\n=== simkyc bench {stage}{' (quick)' if quick else ''} ===", err=True)
    started = time.perf_counter()
    rc = int(_load(stage).main(["--quick"] if quick else []) or 0)
    typer.echo(f"=== {stage}: done in {time.perf_counter() - started:.0f} s (exit {rc}) ===",
               err=True)
    return rc


def _command(stage: str) -> None:
    def command(quick: bool = typer.Option(False, "--quick", help="A small, fast run.")) -> None:
        raise typer.Exit(_run(stage, quick))

    command.__doc__ = f"Measure the {stage} stage (see bench/{STAGES[stage]}.py)."
    bench_app.command(stage)(command)


for _stage in STAGES:
    _command(_stage)


@bench_app.callback()
def _bench(ctx: typer.Context,
           json_: bool = typer.Option(False, "--json", help=(
               "Run the scale benchmark (bench/bench_scale.py) and print its JSON object: "
               "stages, end_to_end_ms, throughput_per_min, peer_ratio, peak_rss_mb.")),
           quick: bool = typer.Option(False, "--quick", help="With --json: the quick run.")
           ) -> None:
    """Benchmarks: accuracy, error rates and speed, measured here."""
    if ctx.invoked_subcommand is not None:
        return
    if not json_:
        typer.echo(ctx.get_help())
        raise typer.Exit(2)
    raise typer.Exit(int(_load("scale").main(["--json", *(["--quick"] if quick else [])]) or 0))


@bench_app.command("all")
def bench_all(quick: bool = typer.Option(False, "--quick", help="Small, fast runs.")) -> None:
    """Run every stage's benchmark in turn."""
    worst = 0
    for stage in STAGES:
        if (bench_dir() / f"{STAGES[stage]}.py").exists():
            worst = max(worst, _run(stage, quick))
    raise typer.Exit(worst)


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
