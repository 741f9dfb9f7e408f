"""Voice activity detection with the Silero VAD model shipped in ``silero-vad``.

The ``silero-vad`` wheel carries ``silero_vad/data/silero_vad.onnx`` (MIT);
it is installed ``--no-deps`` (its Python wrapper needs torch) and the ONNX
file is run here with onnxruntime directly: 512-sample frames (32 ms at
16 kHz) with the 64-sample context the model expects, and its recurrent state
carried from frame to frame. Nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simkyc.domain.errors import ConfigurationError

FRAME = 512
CONTEXT = 64
FRAME_SECONDS = FRAME / 16_000
MODEL_ID = "silero-vad-6 (onnx)"


def _model_path() -> Path:
    # find_spec without importing: the package's __init__ imports torch.
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError("silero-vad is not installed (pip install --no-deps silero-vad)")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "silero_vad.onnx"
    if not path.is_file():
        raise ConfigurationError(f"silero-vad model missing at {path}")
    return path


@dataclass(frozen=True)
class SpeechSegment:
    """Speech from ``start`` to ``end`` seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


class SileroVad:
    """The Silero VAD session. Load once per process; :meth:`probabilities` is reentrant."""

    model_id = MODEL_ID

    def __init__(self, path: Path | None = None) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        self._session = ort.InferenceSession(str(path or _model_path()), sess_options=opts,
                                             providers=["CPUExecutionProvider"])

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Speech probability (0..1) of each 32-ms frame of 16-kHz mono ``samples``."""
        x = np.asarray(samples, dtype=np.float32)
        n = len(x) // FRAME
        state = np.zeros((2, 1, 128), np.float32)
        context = np.zeros((1, CONTEXT), np.float32)
        sr = np.array(16_000, dtype=np.int64)
        out = np.empty(n, np.float32)
        for i in range(n):
            chunk = np.concatenate([context, x[None, i * FRAME:(i + 1) * FRAME]], axis=1)
            prob, state = self._session.run(None, {"input": chunk, "state": state, "sr": sr})
            out[i] = float(prob[0, 0])
            context = chunk[:, -CONTEXT:]
        return out


def speech_segments(probs: np.ndarray, threshold: float, *, min_speech_s: float = 0.06,
                    min_silence_s: float = 0.25, pad_s: float = 0.05) -> list[SpeechSegment]:
    """Speech segments from frame probabilities (hysteresis ``threshold`` / ``threshold-0.15``).

    Segments shorter than ``min_speech_s`` are dropped; gaps shorter than
    ``min_silence_s`` are bridged; each segment is padded by ``pad_s``.
    """
    low = max(0.0, threshold - 0.15)
    segs: list[list[float]] = []
    on = False
    start = 0
    for i, p in enumerate(probs):
        if not on and p >= threshold:
            on, start = True, i
        elif on and p < low:
            on = False
            segs.append([start * FRAME_SECONDS, i * FRAME_SECONDS])
    if on:
        segs.append([start * FRAME_SECONDS, len(probs) * FRAME_SECONDS])
    merged: list[list[float]] = []
    for s in segs:
        if merged and s[0] - merged[-1][1] < min_silence_s:
            merged[-1][1] = s[1]
        else:
            merged.append(s)
    end = len(probs) * FRAME_SECONDS
    return [SpeechSegment(max(0.0, a - pad_s), min(end, b + pad_s))
            for a, b in merged if b - a >= min_speech_s]


__all__ = ["MODEL_ID", "SileroVad", "SpeechSegment", "speech_segments"]
