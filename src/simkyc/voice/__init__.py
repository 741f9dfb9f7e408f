"""Voice challenge (step 4): random digits read aloud, checked language-independently.

Public verb: :func:`check_spoken_digits`. Models: :func:`load_voice_models`.
Challenges: :func:`new_challenge`, :func:`make_prompt`, :func:`prompt_audio`.
"""

from simkyc.voice.accessibility import AssistedOverride, NextStep, approve_override, next_step
from simkyc.voice.challenge import (
    DigitChallenge,
    Prompt,
    make_prompt,
    new_challenge,
    prompt_audio,
)
from simkyc.voice.check import REASONS, VoiceResult, check_spoken_digits
from simkyc.voice.languages import LANGUAGES, DigitLanguage, get_language, require_language
from simkyc.voice.models import VoiceModels, load_voice_models

__all__ = [
    "LANGUAGES",
    "REASONS",
    "AssistedOverride",
    "DigitChallenge",
    "DigitLanguage",
    "NextStep",
    "Prompt",
    "VoiceModels",
    "VoiceResult",
    "approve_override",
    "check_spoken_digits",
    "get_language",
    "require_language",
    "load_voice_models",
    "make_prompt",
    "new_challenge",
    "next_step",
    "prompt_audio",
]
