"""1:1 matching of a live face against a reference (document or chip) photo.

:func:`match_faces` decodes each image once, detects and aligns once, embeds
with the matcher ``policy.model`` selects (``"dlib"``: 128-d dlib ResNet on the
grey 150x150 dlib chip; ``"sface"``: 128-d SFace on the grey 112x112 crop aligned
on YuNet's landmarks; the reference prepared once per session as
:mod:`simkyc.face.pipelines` describes), scales the embeddings to unit length and
compares their Euclidean distance (0..2) with the policy's calibrated
``match_threshold`` for that matcher (lower distance = more alike). The
reference's analysis can be kept in a :class:`ReferenceCache` for the session,
so repeated live captures against the same document cost one embedding each.

Outcomes:

- ``decided`` is false when either image does not hold exactly one face (no
  face, several faces): no distance, no decision (CLI exit 2).
- otherwise ``match`` is true when the distance is at or below the threshold
  *and* both images pass their quality gate (live: full gate; reference:
  lenient). Reasons say why not.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from simkyc.domain.policy import FacePolicy
from simkyc.face.detection import face_distance
from simkyc.face.models import FaceModels
from simkyc.face.pipelines import (
    DEFAULT_PREPROCESSING,
    Preprocessing,
    check_pipeline,
    embed_for_match,
    pipeline_id,
)
from simkyc.face.quality import FaceQuality, FaceRole, assess_with_chip
from simkyc.media.images import decode_image

#: What a caller may pass as an image: encoded bytes (decoded once) or an RGB array.
ImageInput = bytes | np.ndarray


@dataclass(frozen=True)
class FaceAnalysis:
    """One image, analysed once: its quality verdict and (one face only) its embedding."""

    quality: FaceQuality
    embedding: np.ndarray | None


@dataclass(frozen=True)
class FaceMatch:
    """The 1:1 decision.

    ``distance`` is the Euclidean distance of the unit-length embeddings (0..2; ``None`` if not
    decided); ``threshold`` the policy's match threshold for the matcher used; ``model`` the
    pipeline that decided, ``<embedding model>+<detector>+<preprocessing>`` (e.g.
    ``sface_2021dec_int8bq+yunet_2023mar_int8bq+grey-refblur0.6-refmirror``). ``reasons`` are codes
    such as ``face_mismatch`` or ``live:face_blurry`` / ``reference:no_face``.
    """

    match: bool
    decided: bool
    distance: float | None
    threshold: float
    model: str
    reference: FaceQuality
    live: FaceQuality
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The CLI/JSON view (server side: it carries the distance)."""
        return {
            "match": self.match,
            "decided": self.decided,
            "distance": None if self.distance is None else round(self.distance, 4),
            "threshold": self.threshold,
            "model": self.model,
            "reasons": list(self.reasons),
            "reference": self.reference.to_dict(),
            "live": self.live.to_dict(),
        }


def _key(image: ImageInput, role: str) -> str:
    h = hashlib.sha256(role.encode())
    if isinstance(image, bytes):
        h.update(b"bytes:")
        h.update(image)
    else:
        arr = np.ascontiguousarray(image)
        h.update(f"array:{arr.shape}:{arr.dtype}:".encode())
        h.update(arr.tobytes())
    return h.hexdigest()


class ReferenceCache:
    """Analyses (quality + embedding) keyed by content hash, for one session.

    Keep one per registration session and drop it (or :meth:`clear`) when the
    session ends: simkyc keeps no face template longer than verification needs.
    At most ``max_entries`` are kept (least recently used dropped first).
    """

    def __init__(self, max_entries: int = 4) -> None:
        self._items: OrderedDict[str, FaceAnalysis] = OrderedDict()
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> FaceAnalysis | None:
        item = self._items.get(key)
        if item is None:
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end(key)
        return item

    def put(self, key: str, analysis: FaceAnalysis) -> None:
        self._items[key] = analysis
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def analyze_face(
    image: ImageInput,
    models: FaceModels,
    *,
    policy: FacePolicy,
    role: FaceRole,
    mesh: Any = None,
    preprocessing: Preprocessing | None = None,
) -> FaceAnalysis:
    """Decode (if bytes), assess quality and embed the single face of one image with
    the matcher ``policy.model`` (``preprocessing``: its default unless given, e.g. by
    the benchmark's variants).

    Raises:
        InputError: the bytes are not a readable image (see ``decode_image``).
    """
    check_pipeline(policy.model, policy.detector)
    prep = preprocessing or DEFAULT_PREPROCESSING[policy.model]
    rgb = decode_image(image) if isinstance(image, bytes) else image
    quality, chip = assess_with_chip(rgb, models, policy=policy, mesh=mesh, role=role)
    if chip is None or quality.face is None:
        embedding = None
    else:
        embedding = embed_for_match(rgb, quality.face, models, model=policy.model, role=role,
                                    prep=prep, chip=chip)
    return FaceAnalysis(quality=quality, embedding=embedding)


def match_faces(
    reference: ImageInput,
    live: ImageInput,
    models: FaceModels,
    *,
    policy: FacePolicy | None = None,
    mesh: Any = None,
    cache: ReferenceCache | None = None,
) -> FaceMatch:
    """Compare the live face with the reference (document) face, 1:1.

    Args:
        reference: the document portrait or chip photo (bytes or RGB array).
        live: the live capture (bytes or RGB array), e.g. a 640x480 frame.
        models: from :func:`simkyc.face.models.load_face_models`.
        policy: ``FacePolicy`` (default ``DEFAULT_POLICY.face``): ``model`` picks the
            matcher (``"dlib"`` or ``"sface"``), ``match_threshold`` is its largest
            distance that still matches.
        mesh: optional mediapipe FaceMesh for the live quality checks.
        cache: optional per-session :class:`ReferenceCache` for the reference.

    Raises:
        InputError: an image cannot be decoded. Everything else is a result.
    """
    policy = policy or FacePolicy()
    check_pipeline(policy.model, policy.detector)
    model_id = pipeline_id(policy.model, policy.detector, DEFAULT_PREPROCESSING[policy.model])
    key = _key(reference, f"reference:{model_id}") if cache is not None else ""
    ref = cache.get(key) if cache is not None else None
    if ref is None:
        ref = analyze_face(reference, models, policy=policy, role="reference")
        if cache is not None:
            cache.put(key, ref)
    lv = analyze_face(live, models, policy=policy, role="live", mesh=mesh)

    reasons = [f"reference:{r}" for r in ref.quality.reasons]
    reasons += [f"live:{r}" for r in lv.quality.reasons]
    if ref.embedding is None or lv.embedding is None:
        return FaceMatch(False, False, None, policy.match_threshold, model_id,
                         ref.quality, lv.quality, tuple(reasons))
    distance = face_distance(ref.embedding, lv.embedding)
    close = distance <= policy.match_threshold
    if not close:
        reasons.insert(0, "face_mismatch")
    match = close and ref.quality.passed and lv.quality.passed
    return FaceMatch(match, True, distance, policy.match_threshold, model_id,
                     ref.quality, lv.quality, tuple(reasons))


__all__ = [
    "FaceAnalysis",
    "FaceMatch",
    "ImageInput",
    "ReferenceCache",
    "analyze_face",
    "match_faces",
]
