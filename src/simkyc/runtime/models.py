"""The models a process loads: each on first use, once per process, thread-safe.

Shared by the API, the worker and the CLI. Nothing is loaded at import or
when the registry is built; :meth:`ModelRegistry.warm` loads everything up
front (a worker does, so its first task is not slow; ``simkyc serve`` does it
in a background thread, :meth:`ModelRegistry.warm_in_background`, so the first
customer's voice check does not wait ~2.5 s for Whisper and the VAD).

Each model has its own lock: a request for the face models does not wait while
the voice models load in the background.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

log = logging.getLogger("simkyc.models")


class ModelRegistry:
    """Implements :class:`simkyc.services.ports.StageModels`."""

    def __init__(self, *, loaders: dict[str, Callable[[], Any]] | None = None) -> None:
        self._lock = threading.Lock()  # guards the two dicts
        self._loading: dict[str, threading.Lock] = {}
        self._items: dict[str, Any] = {}
        self._loaders = loaders or {}

    def get(self, name: str, loader: Callable[[], Any]) -> Any:
        """The model ``name``, loaded by ``loader`` the first time it is asked for."""
        with self._lock:
            if name in self._items:
                return self._items[name]
            one = self._loading.setdefault(name, threading.Lock())
        with one:  # loaded once, while other models load or are used
            with self._lock:
                if name in self._items:
                    return self._items[name]
            model = self._loaders.get(name, loader)()
            with self._lock:
                self._items[name] = model
            return model

    def put(self, name: str, model: Any) -> None:
        """Use an already loaded ``model`` as ``name`` (tests share one across apps)."""
        with self._lock:
            self._items[name] = model

    def face(self) -> Any:
        from simkyc.face.models import load_face_models

        return self.get("face", load_face_models)

    def document(self) -> Any:
        from simkyc.document import load_document_models

        return self.get("document", load_document_models)

    def voice(self) -> Any:
        from simkyc.voice import load_voice_models

        return self.get("voice", load_voice_models)

    def mesh_factory(self) -> Callable[..., AbstractContextManager[Any]]:
        from simkyc.face.models import open_face_mesh

        return open_face_mesh  # type: ignore[no-any-return]

    def loaded(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._items)

    def warm(self) -> None:
        """Load every model now (and open one face mesh: mediapipe reads its graph and
        model files on the first open, ~0.45 s, which would otherwise fall on a task)."""
        self.face()
        self.document()
        self.voice()
        with self.mesh_factory()(static_image_mode=True, max_num_faces=1):
            pass
        # The libraries the checks import on first use (~0.8 s of CPU on the first voice
        # check otherwise: scipy.signal for the syllable count, PyAV for the video).
        import av  # noqa: F401
        import scipy.signal  # noqa: F401

    def warm_in_background(self) -> threading.Thread:
        """:meth:`warm` in a daemon thread (started; join it to wait). A failure to load
        is logged, not raised: the step that needs the model raises it, as without
        warming."""
        def run() -> None:
            try:
                self.warm()
            except Exception as exc:  # noqa: BLE001 - the step that needs it reports it
                log.warning("loading the models in the background failed: %s", exc)

        thread = threading.Thread(target=run, name="simkyc-warm-models", daemon=True)
        thread.start()
        return thread


__all__ = ["ModelRegistry"]
