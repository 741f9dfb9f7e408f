"""Face stage: detection, quality and 1:1 matching.

Public verbs (models are loaded by the caller with :func:`load_face_models`):

- :func:`assess_face_quality` (image, models) -> :class:`FaceQuality`
- :func:`match_faces` (reference, live, models) -> :class:`FaceMatch`
- :func:`detect_faces`, :func:`embed_face`, :func:`face_distance` (lower level)
"""

from simkyc.face.detection import DetectedFace, FaceBox, detect_faces, embed_face, face_distance
from simkyc.face.matching import FaceMatch, ReferenceCache, match_faces
from simkyc.face.models import FaceModels, load_face_models, open_face_mesh
from simkyc.face.quality import FaceQuality, assess_face_quality

__all__ = [
    "DetectedFace",
    "FaceBox",
    "FaceMatch",
    "FaceModels",
    "FaceQuality",
    "ReferenceCache",
    "assess_face_quality",
    "detect_faces",
    "embed_face",
    "face_distance",
    "load_face_models",
    "match_faces",
    "open_face_mesh",
]
