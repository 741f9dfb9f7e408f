"""One module per step of the flow, each with one verb (``run_<step>``).

Every verb takes the :class:`~simkyc.services.context.ServiceContext`, the
loaded models where it needs them, the acting account and a typed
submission, checks everything itself (role, outlet, status, lockout,
challenge, input) and returns a :class:`StepResult`. The HTTP routes, the
CLI (``simkyc verify``) and the workers all call these.
"""

from simkyc.services.steps.attach import Attachment, attach_evidence
from simkyc.services.steps.common import StepResult
from simkyc.services.steps.document import DocumentPhoto, ReaderRecord, run_document
from simkyc.services.steps.face_match import run_face_match
from simkyc.services.steps.live_face import LiveCapture, run_live_face
from simkyc.services.steps.liveness import (
    IssuedLivenessChallenge,
    LivenessVideo,
    issue_liveness_challenge,
    run_liveness,
)
from simkyc.services.steps.register import ServiceToRegister, run_register
from simkyc.services.steps.voice import (
    IssuedVoiceChallenge,
    OverrideApproval,
    VoiceAnswer,
    approve_voice_override,
    issue_voice_challenge,
    run_voice,
)

__all__ = [
    "Attachment",
    "DocumentPhoto",
    "IssuedLivenessChallenge",
    "IssuedVoiceChallenge",
    "LiveCapture",
    "LivenessVideo",
    "OverrideApproval",
    "ReaderRecord",
    "ServiceToRegister",
    "StepResult",
    "VoiceAnswer",
    "approve_voice_override",
    "attach_evidence",
    "issue_liveness_challenge",
    "issue_voice_challenge",
    "run_document",
    "run_face_match",
    "run_live_face",
    "run_liveness",
    "run_register",
    "run_voice",
]
