"""Whisper's encoder window sized to the answer (issue 16, item 5)."""

from __future__ import annotations

import copy
import inspect
import threading

import numpy as np
import pytest

from simkyc.voice.recognizers import (
    ENCODER_WINDOW_MARGIN_S,
    ENCODER_WINDOW_MIN_S,
    WhisperDigits,
    encoder_window_frames,
)


@pytest.mark.parametrize("seconds, min_s, frames", [
    (0.4, 10, 1000),     # a short answer still gets the floor
    (8.9, 10, 1000),     # 8.9 + 1 s margin = 9.9, rounded up to 10
    (9.2, 10, 1100),     # 10.2 rounded up to 11 s
    (3.2, 0, 500),       # no floor: 4.2 -> 5 s
    (28.9, 10, None),    # 29.9 -> 30 s: the full window, faster-whisper's own
    (95.0, 10, None),    # longer answers are decoded in 30-s segments as before
])
def test_encoder_window_frames(seconds, min_s, frames):
    assert encoder_window_frames(seconds, min_s) == frames


def test_window_defaults():
    assert ENCODER_WINDOW_MIN_S >= 5 and 0 < ENCODER_WINDOW_MARGIN_S <= 2
    # only the English recogniser (measured) opts in; an operator's model keeps 30 s
    assert inspect.signature(WhisperDigits).parameters["window_min_s"].default is None
    # whole seconds: an even number of mel frames for the encoder's stride-2 convolution
    assert all(encoder_window_frames(s) % 100 == 0 for s in np.arange(0, 28, 0.37))


@pytest.fixture
def whisper(models) -> WhisperDigits:
    w = models.recognizers_for("en")[0]
    assert isinstance(w, WhisperDigits) and w.window_min_s == ENCODER_WINDOW_MIN_S
    return w


def _encoded_frames(monkeypatch, whisper) -> list[int]:
    """Spy on the frames the encoder gets (after the window cut)."""
    seen: list[int] = []
    full = whisper._full_encode

    def spy(features):
        seen.append(int(features.shape[-1]))
        return full(features)

    monkeypatch.setattr(whisper, "_full_encode", spy)
    return seen


def test_encoder_gets_the_answer_window_and_hears_the_same(monkeypatch, generator, whisper):
    x = generator.speak("en", "581406", seed=22)  # about 3 s
    seen = _encoded_frames(monkeypatch, whisper)
    assert whisper.recognize(x, "en", 6) == "581406"
    assert seen == [encoder_window_frames(len(x) / 16000)] == [1000]
    full = copy.copy(whisper)
    full.window_min_s = None  # faster-whisper's 30-s window
    assert full.recognize(x, "en", 6) == "581406"
    assert seen[1:] == [3000]
    # the digit-word prompt decode shares the model and the window
    assert whisper.with_vocabulary_prompt().recognize(x, "en", 6) == "581406"
    assert seen[2:] == [1000]


def test_window_is_per_thread_and_reset(monkeypatch, generator, whisper):
    seen = _encoded_frames(monkeypatch, whisper)
    short = generator.speak("en", "2931", seed=5)
    long = np.concatenate([generator.speak("en", "581406", seed=22)] * 4)  # about 12 s
    out: dict[str, str] = {}
    threads = [threading.Thread(target=lambda k=k, x=x: out.update({k: whisper.recognize(
        x, "en", 6 if k == "long" else 4)})) for k, x in (("short", short), ("long", long))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == sorted([encoder_window_frames(len(short) / 16000),
                                   encoder_window_frames(len(long) / 16000)])
    assert out["short"] == "2931"
    assert getattr(whisper._window, "frames", None) is None  # nothing left for the next call
