"""The whole verification offline, through the same steps, on one customer's bundle.

``simkyc verify`` reads a folder into a :class:`Bundle` and calls
:func:`verify_bundle` on a throw-away context (a temporary SQLite file and
evidence folder): the steps run exactly as over HTTP, with the challenge the
bundle was recorded for instead of a freshly drawn one. It stops at the first
step that does not pass; the verdict names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from simkyc.domain.errors import InputError
from simkyc.domain.parties import Agent
from simkyc.domain.registration import RegistrationStatus
from simkyc.media.images import encode_png
from simkyc.services import challenges
from simkyc.services.context import ServiceContext
from simkyc.services.media_input import video_input
from simkyc.services.ports import StageModels
from simkyc.services.registrations import start_registration
from simkyc.services.steps import (
    DocumentPhoto,
    LiveCapture,
    LivenessVideo,
    ReaderRecord,
    StepResult,
    VoiceAnswer,
    run_document,
    run_face_match,
    run_live_face,
    run_liveness,
    run_voice,
)

T = TypeVar("T")


@dataclass(frozen=True)
class BundleChallenge:
    """The challenge the bundle's media answer (``challenge.json``)."""

    actions: tuple[str, ...]
    screen_colours: tuple[str, ...]
    colour_ms: int
    digits: str
    language: str

    @classmethod
    def from_json(cls, data: Any) -> BundleChallenge:
        """Parse and check ``challenge.json``; :class:`InputError` naming what is wrong."""
        from simkyc.liveness.challenge import ACTIONS, SCREEN_COLOURS
        from simkyc.voice import require_language

        if not isinstance(data, dict):
            raise InputError("challenge.json: not a JSON object")
        actions = data.get("actions")
        if not (isinstance(actions, list) and actions and all(a in ACTIONS for a in actions)):
            raise InputError(f"challenge.json: actions must be a list of {', '.join(ACTIONS)}")
        colours = data.get("screen_colours") or []
        if not (isinstance(colours, list) and all(c in SCREEN_COLOURS for c in colours)):
            raise InputError("challenge.json: screen_colours must be a list of "
                             f"{', '.join(SCREEN_COLOURS)}")
        colour_ms = data.get("colour_ms", 400)
        if not isinstance(colour_ms, int) or not 50 <= colour_ms <= 5000:
            raise InputError("challenge.json: colour_ms must be an integer 50..5000")
        digits = data.get("digits")
        if not (isinstance(digits, str) and digits.isdigit() and 4 <= len(digits) <= 12):
            raise InputError("challenge.json: digits must be a string of 4 to 12 digits")
        language = data.get("language")
        if not isinstance(language, str):
            raise InputError("challenge.json: language is missing")
        try:
            require_language(language)
        except InputError as exc:
            raise InputError(f"challenge.json: {exc}") from None
        return cls(tuple(actions), tuple(colours), colour_ms, digits, language)


@dataclass(frozen=True)
class Bundle:
    """One customer's recorded session: the document (a photo or a reader record), the
    liveness video, the voice answer (and the video recorded with it), optionally a live
    photo, and the challenge they answer."""

    challenge: BundleChallenge
    liveness_video: bytes
    voice_audio: bytes
    voice_video: bytes | None = None
    document_image: bytes | None = None
    reader_record: dict[str, Any] | None = None
    live_image: bytes | None = None
    #: The public key (raw 32 bytes) of the reader that signed ``reader_record``
    #: (``reader.pub``): enrolled in the throw-away context before the steps run.
    reader_public_key: bytes | None = None


@dataclass(frozen=True)
class BundleVerdict:
    """``passed``: every step passed (the registration reached ``face_matched``).
    ``failed_step``: the first step that did not pass. ``steps``: each step's result."""

    passed: bool
    status: RegistrationStatus
    failed_step: str | None
    steps: tuple[StepResult, ...]
    policy_version: str
    flow_version: str


def _about(what: str, call: Callable[[], T]) -> T:
    """Run a step; an input it cannot check is named by the bundle file it came from."""
    try:
        return call()
    except InputError as exc:
        raise type(exc)(f"{what}: {exc}") from exc


def _first_frame(ctx: ServiceContext, video: bytes) -> bytes:
    _, clip = video_input(video, ctx.limits, max_seconds=ctx.policy.liveness.max_video_seconds,
                          what="liveness video")
    return encode_png(clip.frames[0])


def verify_bundle(ctx: ServiceContext, models: StageModels, *, actor: Agent,
                  bundle: Bundle) -> BundleVerdict:
    """Run document, live face, liveness, voice and the 1:1 match on ``bundle``.

    Without a live photo, the liveness video's first frame (the customer facing
    the camera before the first action) is the live capture. Raises
    :class:`InputError` when a file cannot be checked.
    """
    if (bundle.document_image is None) == (bundle.reader_record is None):
        raise InputError("the bundle needs exactly one of document.jpg and reader.json")
    c = bundle.challenge
    if bundle.reader_public_key is not None and actor.outlet_id is not None:
        from simkyc.document.reader_signature import signature_of
        from simkyc.services.readers import enroll_reader

        signer = None
        if isinstance(bundle.reader_record, dict) and "signature" in bundle.reader_record:
            signer = _about("reader.json", lambda: signature_of(bundle.reader_record or {}))
        enroll_reader(ctx, outlet=actor.outlet_id, public_key=bundle.reader_public_key,
                      device_id=signer.device_id if signer else None)
    reg = start_registration(ctx, actor=actor, consent=True, language=c.language)
    rid = reg.id
    results: list[StepResult] = []

    def done(result: StepResult) -> bool:
        results.append(result)
        return not result.passed

    doc = (DocumentPhoto(image=bundle.document_image) if bundle.document_image is not None
           else ReaderRecord(record=bundle.reader_record or {}, recorded=True))
    doc_file = "document photo" if bundle.document_image is not None else "reader.json"
    stopped = done(_about(doc_file, lambda: run_document(
        ctx, models, actor=actor, registration_id=rid, submission=doc)))
    if not stopped:
        live = bundle.live_image or _about("liveness video",
                                           lambda: _first_frame(ctx, bundle.liveness_video))
        stopped = done(_about("live photo", lambda: run_live_face(
            ctx, models, actor=actor, registration_id=rid, submission=LiveCapture(image=live))))
    if not stopped:
        nonce = ctx.new_id()
        challenges.issue(ctx, actor=actor, registration_id=rid, kind="liveness", nonce=nonce,
                         payload={"actions": list(c.actions),
                                  "screen_colours": list(c.screen_colours),
                                  "colour_ms": c.colour_ms},
                         ttl_seconds=ctx.policy.liveness.challenge_ttl_seconds)
        stopped = done(_about("liveness video", lambda: run_liveness(
            ctx, models, actor=actor, registration_id=rid,
            submission=LivenessVideo(nonce=nonce, video=bundle.liveness_video))))
    if not stopped:
        nonce = ctx.new_id()
        challenges.issue(ctx, actor=actor, registration_id=rid, kind="voice", nonce=nonce,
                         payload={"digits": c.digits, "language": c.language, "attempt": 1},
                         ttl_seconds=ctx.policy.voice.challenge_ttl_seconds)
        stopped = done(_about("voice file", lambda: run_voice(
            ctx, models, actor=actor, registration_id=rid,
            submission=VoiceAnswer(nonce=nonce, audio=bundle.voice_audio,
                                   video=bundle.voice_video))))
    if not stopped:
        done(run_face_match(ctx, models, actor=actor, registration_id=rid))
    last = results[-1]
    failed = next((r.step for r in results if not r.passed), None)
    return BundleVerdict(passed=failed is None, status=last.status, failed_step=failed,
                         steps=tuple(results), policy_version=ctx.policy.version,
                         flow_version=ctx.flow.version)


__all__ = ["Bundle", "BundleChallenge", "BundleVerdict", "verify_bundle"]
