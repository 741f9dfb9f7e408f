"""Loading the voice stage's models once per process (never at import).

- VAD: Silero VAD (ONNX inside the ``silero-vad`` wheel), always.
- Recognisers by language: English PocketSphinx (inside ``pocketsphinx``);
  a faster-whisper model if the operator configured one
  (``SIMKYC_WHISPER_MODEL_DIR``, see :func:`~simkyc.voice.recognizers.whisper_from_environment`).
- Face mesh for audio-visual synchrony: mediapipe, opened per video.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simkyc.voice.recognizers import DigitRecognizer, PocketsphinxDigits, whisper_from_environment
from simkyc.voice.vad import SileroVad


def _open_mesh() -> Any:
    from simkyc.face.models import open_face_mesh

    return open_face_mesh(static_image_mode=False, max_num_faces=1)


@dataclass(frozen=True)
class VoiceModels:
    """Loaded voice models. ``recognizers`` maps a language code to its recogniser."""

    vad: SileroVad
    recognizers: dict[str, DigitRecognizer] = field(default_factory=dict)
    open_mesh: Callable[[], Any] = _open_mesh

    def recognizer_for(self, language: str) -> DigitRecognizer | None:
        return self.recognizers.get(language)


def load_voice_models(*, recognizers: dict[str, DigitRecognizer] | None = None,
                      from_environment: bool = True) -> VoiceModels:
    """Load the VAD and recognisers (about 0.3 s; plus ~2 s if Whisper is configured).

    ``recognizers`` replaces the defaults (PocketSphinx for ``en``, plus the
    operator's Whisper model for its languages when ``from_environment``).
    """
    if recognizers is None:
        recognizers = {}
        ps = PocketsphinxDigits()
        for lang in ps.languages:
            recognizers[lang] = ps
        whisper = whisper_from_environment() if from_environment else None
        if whisper is not None:
            for lang in whisper.languages:
                recognizers[lang] = whisper
    return VoiceModels(vad=SileroVad(), recognizers=dict(recognizers))


__all__ = ["VoiceModels", "load_voice_models"]
