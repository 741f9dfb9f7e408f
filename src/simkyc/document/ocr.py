"""The OCR engine (rapidocr 3.x, PP-OCR ONNX models bundled in the wheel) and the
face detector used to find a document's photo (dlib HOG, from ``dlib-bin``).

Load once per process with :func:`load_document_models` and pass the result to
:func:`~simkyc.document.reading.read_document`. Nothing is loaded at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class OcrLine:
    """One recognised text box: ``text``, recognition ``score`` in [0, 1], and its
    axis-aligned ``box`` ``(x0, y0, x1, y1)`` in image pixels."""

    text: str
    score: float
    box: tuple[int, int, int, int]
    #: Height of the text itself (the detected quadrilateral's left edge), which
    #: stays small when a long line is slightly rotated, unlike the box height.
    text_height: float = 0.0
    #: Slope of the text baseline (dy/dx of the quadrilateral's top edge).
    slope: float = 0.0

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def height(self) -> float:
        return self.text_height or float(self.box[3] - self.box[1])


@dataclass(frozen=True)
class DocumentModels:
    """The loaded OCR engine and face detector; ``model_id`` names the OCR models."""

    ocr: Any  # rapidocr.RapidOCR
    face_detector: Any  # dlib.fhog_object_detector
    model_id: str


def load_document_models() -> DocumentModels:
    """Load rapidocr (PP-OCR det + rec, ONNX runtime) and dlib's HOG face detector.

    Takes well under a second; the models ship inside the installed packages.
    """
    from importlib.metadata import version

    import dlib
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "error"})
    model_id = f"rapidocr-{version('rapidocr')}/{_model_names(engine)}"
    # rapidocr loads its sessions lazily: run once on a blank image so the
    # (one-off) loading cost is paid here, not inside the first reading.
    engine(np.full((64, 256, 3), 255, np.uint8), use_cls=False)
    return DocumentModels(ocr=engine, face_detector=dlib.get_frontal_face_detector(),
                          model_id=str(model_id))


def _model_names(engine: Any) -> str:
    """Models in use, e.g. ``PP-OCRv6-det-small+PP-OCRv6-rec-small``."""
    names = []
    for part, tag in (("Det", "det"), ("Rec", "rec")):
        cfg = engine.cfg[part]
        ver, size = (getattr(cfg.get(k), "value", cfg.get(k))
                     for k in ("ocr_version", "model_type"))
        names.append(f"{ver}-{tag}-{size}")
    return "+".join(names)


def recognise(models: DocumentModels, image: np.ndarray) -> list[OcrLine]:
    """Detect and read every text line of an RGB ``uint8`` image.

    The orientation classifier is off (``use_cls=False``): documents are
    photographed upright, and the classifier flips MRZ lines of ``<`` fillers.
    """
    # rapidocr expects OpenCV's BGR order for arrays.
    result = models.ocr(np.ascontiguousarray(image[..., ::-1]), use_cls=False)
    if result.boxes is None or result.txts is None:
        return []
    lines = []
    for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        (x0q, y0q), (x1q, y1q), (x3q, y3q) = quad[0], quad[1], quad[3]
        slope = float((y1q - y0q) / (x1q - x0q)) if abs(x1q - x0q) > 1 else 0.0
        lines.append(OcrLine(str(text), float(score),
                             (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys))),
                             float(np.hypot(x3q - x0q, y3q - y0q)), slope))
    return lines


def rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Group text boxes into visual rows (top to bottom, each row left to right).

    Two boxes share a row when their vertical centres are closer than half the
    smaller text height (boxes side by side on a slightly rotated image still
    share a row; lines above one another do not).
    """
    # Undo the page's rotation first: the median baseline slope of the longer boxes.
    long_ones = [ln.slope for ln in lines if ln.box[2] - ln.box[0] > 3 * ln.height]
    slope = float(np.median(long_ones)) if long_ones else 0.0

    def level(ln: OcrLine) -> float:
        return ln.cy - slope * ln.cx

    out: list[list[OcrLine]] = []
    for line in sorted(lines, key=level):
        for row in out:
            ref = row[-1]
            if abs(level(ref) - level(line)) < 0.5 * min(ref.height, line.height):
                row.append(line)
                break
        else:
            out.append([line])
    return [sorted(r, key=lambda ln: ln.box[0]) for r in out]


__all__ = ["DocumentModels", "OcrLine", "load_document_models", "recognise", "rows"]
