"""Which keys the catalogue must hold, and why: the source of ``locales/messages.pot``.

Reason codes are declared by each stage (``simkyc.<stage>.reasons``) and, for
the registration rules, here; error codes, prompts, statuses and page strings
are declared here. :func:`declared_keys` gathers them with a note for the
translator; ``python -m simkyc.i18n template`` writes the template from it and
the tests check that the committed template, every catalogue and the code
agree. Used by that tool and the tests only: the service reads the ``.po``
files, never this module (it imports the stage packages).
"""

from __future__ import annotations

from collections.abc import Iterable

#: Reasons the application layer gives (registration rules, attempt caps, time-outs, lockouts).
RULE_REASONS: tuple[str, ...] = (
    "identity_unknown", "too_many_numbers_for_identity", "upper_body_missing",
    "too_many_attempts", "session_timeout", "video_missing",
    "service_id_in_use", "iccid_in_use",
)

#: Every ``error`` code of the API's error envelope ``{"error": <code>, "detail": <text>}``.
ERROR_CODES: tuple[str, ...] = (
    "malformed_json", "invalid_input", "invalid_request", "unauthorized", "forbidden",
    "not_found", "conflict", "illegal_transition", "challenge_rejected", "evidence_destroyed",
    "evidence_unreadable", "payload_too_large", "unsupported_media_type", "locked_out",
    "too_many_requests", "internal_error", "method_not_allowed", "configuration_error",
    "csrf_failed", "service_invalid", "reader_record_refused",
)

#: Liveness prompts besides one per action: looking ahead between actions, the still
#: start, and the notice that the screen will flash colours.
LIVENESS_EXTRA_PROMPTS: tuple[str, ...] = ("neutral", "hold", "screen_flash")

#: The voice step's sentences (``voice.<key>``) and what each is for.
VOICE_KEYS: dict[str, str] = {
    "instruction": "Above the digits: read them aloud, one by one, at one's own pace.",
    "read_now": "Short prompt while recording the digits.",
    "retry": "After a failed answer, above the new (slower, repeated) prompt.",
    "attempt": "Which attempt this is, e.g. 'Attempt 2 of 3'.",
    "supervisor_override": "Attempts used up: call a supervisor (the 'next' value "
                           "'supervisor_override').",
    "done": "The answer passed.",
    "text_only": "For a language without a spoken prompt: read the digits shown.",
}

#: The capture page's labels and buttons (``ui.<key>``) and where each appears.
UI_KEYS: dict[str, str] = {
    "title": "Page title.",
    "ui_language": "Label of the page-language selector.",
    "signin": "Heading: the agent signs in.",
    "token": "Label: the agent's access token.",
    "start": "Heading of step 1: start a registration.",
    "consent": "Checkbox: the customer consents to capture and processing.",
    "service_kind": "Label: the kind of service registered.",
    "service_kind_mobile": "Service kind: a mobile number.",
    "service_kind_landline": "Service kind: a fixed line.",
    "service_kind_broadband": "Service kind: broadband internet.",
    "service_id": "Label: the number being registered.",
    "customer_language": "Label: the customer's language (prompts, digits).",
    "btn_start": "Button: start.",
    "document": "Heading of step 2: the identity document.",
    "doc_photo": "Label: a photo of the document.",
    "doc_kind": "Label: the kind of document.",
    "doc_kind_auto": "Document kind: decided from the photo.",
    "doc_kind_cn_id_front": "Document kind: front of a Chinese resident identity card.",
    "doc_kind_passport": "Document kind: a passport.",
    "doc_kind_td1": "Document kind: an ICAO TD1 identity card (three MRZ lines).",
    "btn_check": "Button: check the document.",
    "reader_record": "Label: instead of a photo, the card reader's record (a JSON file).",
    "camera": "Heading of step 3: the face.",
    "btn_camera": "Button: open the camera.",
    "btn_live_face": "Button: take the face photo.",
    "btn_liveness": "Button: start the liveness check.",
    "voice": "Heading of step 4: read the digits aloud.",
    "btn_voice_start": "Button: get digits and start recording.",
    "btn_voice_stop": "Button: the customer has finished reading.",
    "finish": "Heading of step 5: face match and registration.",
    "btn_match": "Button: compare the face with the document photo.",
    "btn_register": "Button: complete the registration.",
    "registration": "Label: the registration's id.",
    "status": "Label: the registration's status.",
    "passed": "A step's result: passed.",
    "failed": "A step's result: failed.",
    "error": "Log prefix of an error.",
}

_NAMESPACES = ("reason", "error", "liveness", "voice", "status", "ui")


def stage_reasons() -> dict[str, tuple[str, ...]]:
    """``{stage: reason codes}`` from each stage's ``reasons`` module, plus the rules'."""
    from simkyc.document import reasons as document
    from simkyc.face import reasons as face
    from simkyc.liveness import reasons as liveness
    from simkyc.services import service_numbers
    from simkyc.voice import reasons as voice

    return {"document": document.REASONS, "face": face.REASONS, "liveness": liveness.REASONS,
            "voice": voice.REASONS, "registration rules": RULE_REASONS,
            "service": service_numbers.REASONS}


def declared_reasons() -> frozenset[str]:
    """Every reason code any stage or rule declares."""
    return frozenset(c for codes in stage_reasons().values() for c in codes)


def liveness_prompts() -> tuple[str, ...]:
    """``liveness.<key>`` keys: one per challenge action, then the extra prompts."""
    from simkyc.liveness.challenge import ACTIONS

    return (*ACTIONS, *LIVENESS_EXTRA_PROMPTS)


def _add(out: dict[str, str], keys: Iterable[str], comment: str) -> None:
    for k in keys:
        out.setdefault(k, comment)


def declared_keys() -> dict[str, str]:
    """``{key: note for the translator}`` for every key the catalogue must hold, in order."""
    from simkyc.domain.registration import RegistrationStatus

    out: dict[str, str] = {}
    stages: dict[str, list[str]] = {}
    for stage, codes in stage_reasons().items():
        for c in codes:
            stages.setdefault(c, []).append(stage)
    for c, where in stages.items():
        _add(out, (f"reason.{c}",), f"Reason code ({', '.join(where)}): why a step failed.")
    _add(out, (f"error.{c}" for c in ERROR_CODES),
         "API error code: why a request was refused.")
    _add(out, (f"liveness.{a}" for a in liveness_prompts()),
         "Liveness prompt over the camera picture while recording (short).")
    for k, note in VOICE_KEYS.items():
        _add(out, (f"voice.{k}",), f"Voice step: {note}")
    _add(out, (f"status.{s.value}" for s in RegistrationStatus),
         "Registration status, as the agent reads it.")
    for k, note in UI_KEYS.items():
        _add(out, (f"ui.{k}",), f"Capture page: {note}")
    from simkyc.i18n.counter_keys import COUNTER_UI_KEYS

    for k, note in COUNTER_UI_KEYS.items():
        _add(out, (f"ui.{k}",), f"Counter app: {note}")
    from simkyc.i18n.compliance_keys import COMPLIANCE_UI_KEYS

    for k, note in COMPLIANCE_UI_KEYS.items():
        _add(out, (f"ui.{k}",), f"Compliance pages: {note}")
    assert all(k.split(".", 1)[0] in _NAMESPACES for k in out)
    return out


__all__ = ["ERROR_CODES", "LIVENESS_EXTRA_PROMPTS", "RULE_REASONS", "UI_KEYS", "VOICE_KEYS",
           "declared_keys", "declared_reasons", "liveness_prompts", "stage_reasons"]
