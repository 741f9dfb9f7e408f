"""``simkyc bench``: every stage's benchmark script loads and has ``main(argv)``;
the foundation benchmark runs for real (quick)."""

from __future__ import annotations

import json

import pytest

from simkyc.cli.bench import STAGES, _load, bench_dir


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_each_benchmark_loads(stage: str) -> None:
    assert (bench_dir() / f"{STAGES[stage]}.py").exists()
    module = _load(stage)
    assert callable(module.main)


def test_foundation_benchmark_prints_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert _load("foundation").main(["--quick"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    assert figures["bench"] == "foundation" and figures["n"] == 20
    assert 0 < figures["step_1mb_ms_p50"] < 5000
