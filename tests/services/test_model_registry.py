"""The model registry: each model loaded once, one model's loading never blocks another's
use, and the API warms them in the background when told to (``simkyc serve`` does)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from simkyc.runtime import ModelRegistry


def test_a_model_loads_once_and_a_slow_load_does_not_block_another_model() -> None:
    release = threading.Event()
    calls: dict[str, int] = {"voice": 0, "face": 0}

    def slow_voice() -> str:
        calls["voice"] += 1
        release.wait(10)
        return "voice-models"

    def face() -> str:
        calls["face"] += 1
        return "face-models"

    reg = ModelRegistry(loaders={"voice": slow_voice, "face": face})
    got: list[Any] = []
    loaders = [threading.Thread(target=lambda: got.append(reg.voice())) for _ in range(3)]
    for t in loaders:
        t.start()
    time.sleep(0.2)  # the voice models are loading now
    t0 = time.monotonic()
    assert reg.face() == "face-models"
    assert time.monotonic() - t0 < 1.0  # not waiting for the voice models
    assert reg.loaded() == ("face",)
    release.set()
    for t in loaders:
        t.join(5)
    assert got == ["voice-models"] * 3
    assert calls == {"voice": 1, "face": 1}


def test_warm_in_background_loads_every_model_and_reports_a_failure_without_raising(
        caplog: Any) -> None:
    loaded: list[str] = []

    def ok(name: str) -> Any:
        return lambda: loaded.append(name) or name

    def broken() -> Any:
        raise RuntimeError("no voice model here")

    reg = ModelRegistry(loaders={"face": ok("face"), "document": ok("document"),
                                 "voice": broken})
    reg.mesh_factory = lambda: _NoMesh  # type: ignore[method-assign]
    with caplog.at_level("WARNING", logger="simkyc.models"):
        reg.warm_in_background().join(10)
    assert loaded == ["face", "document"]
    assert "no voice model here" in caplog.text
    assert "voice" not in reg.loaded()


class _NoMesh:
    def __init__(self, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> _NoMesh:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def test_the_api_warms_the_models_only_when_settings_say_so(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from simkyc.adapters.db.migrate import upgrade
    from simkyc.api.app import create_app
    from simkyc.config import Settings

    for warm in (False, True):
        settings = Settings(data_dir=tmp_path / f"data-{warm}", delivery_loop=False,
                            warm_models=warm)
        upgrade(settings.resolved_database_url)
        loaded: list[str] = []
        models = ModelRegistry(loaders={n: (lambda n=n, seen=loaded: seen.append(n) or n)
                                        for n in ("face", "document", "voice")})
        models.mesh_factory = lambda: _NoMesh  # type: ignore[method-assign]
        app = create_app(settings, models=models)
        with TestClient(app):
            if warm:
                app.state.warming.join(10)
                assert sorted(loaded) == ["document", "face", "voice"]
            else:
                assert app.state.warming is None and loaded == []
        app.state.engine.dispose()
