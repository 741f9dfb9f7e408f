"""Identity documents: read, validate, and extract the face photo (stage 1).

Public verbs (one per input):

- :func:`check_id_number`: a Chinese resident identity number (python-stdnum).
- :func:`parse_mrz`: an ICAO 9303 MRZ (TD1/TD2/TD3) and its check digits.
- :func:`read_document`: a photographed document (rapidocr OCR + dlib face finder);
  load models once with :func:`load_document_models`.
- :func:`check_reader_record`: what an identity-card reader SDK returns.

Importing this package loads no model.
"""

from simkyc.document.id_number import IdNumberCheck, check_id_number
from simkyc.document.mrz import MrzReading, parse_mrz
from simkyc.document.ocr import DocumentModels, load_document_models
from simkyc.document.reader_record import check_reader_record
from simkyc.document.reading import READ_KINDS, DocumentReading, read_document
from simkyc.document.validation import FieldCheck

__all__ = [
    "READ_KINDS",
    "DocumentModels",
    "DocumentReading",
    "FieldCheck",
    "IdNumberCheck",
    "MrzReading",
    "check_id_number",
    "check_reader_record",
    "load_document_models",
    "parse_mrz",
    "read_document",
]
