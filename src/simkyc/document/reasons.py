"""Every reason code the document stage can emit (declarations only).

Each code has a text in every language of the message catalogue
(:mod:`simkyc.i18n`, key ``reason.<code>``); ``tests/i18n`` checks that every
reason literal in this package is declared here. Codes built from a template
(``id_number_<error>``, ``mrz_check_digit_<check>``) are listed expanded.
"""

from __future__ import annotations

#: The identity number's ``error`` values (:mod:`simkyc.document.id_number`).
ID_NUMBER_ERRORS: tuple[str, ...] = ("format", "checksum", "birth_date", "region")
#: The MRZ check digits (:func:`simkyc.document.mrz.parse_mrz`, ``checks`` keys).
MRZ_CHECKS: tuple[str, ...] = (
    "document_number", "birth_date", "expiry_date", "optional_data", "composite")

#: Chinese ID card (front, back, card-reader record) field checks.
CN_ID_REASONS: tuple[str, ...] = (
    "id_number_missing",
    *(f"id_number_{e}" for e in ID_NUMBER_ERRORS),
    "name_missing", "name_unreadable",
    "sex_missing", "sex_mismatch",
    "ethnicity_missing", "ethnicity_unknown",
    "birth_date_missing", "birth_date_in_future", "birth_date_mismatch",
    "address_missing",
    "issuing_authority_missing", "issuing_authority_unreadable",
    "validity_period_missing", "validity_period_invalid", "not_yet_valid",
)
#: Machine-readable zone (passport, TD1, TD2) checks.
MRZ_REASONS: tuple[str, ...] = (
    *(f"mrz_check_digit_{c}" for c in MRZ_CHECKS),
    "mrz_birth_date_invalid", "mrz_expiry_date_invalid",
)
#: Checks on every kind of document, and policy refusals.
COMMON_REASONS: tuple[str, ...] = (
    "document_expired", "document_kind_mismatch", "photo_missing", "under_minimum_age")

#: A card-reader record refused for its origin (signature, device, freshness, replay).
READER_REASONS: tuple[str, ...] = (
    "reader_unsigned", "reader_unknown", "reader_revoked", "reader_wrong_outlet",
    "reader_bad_signature", "reader_stale", "reader_clock_ahead", "reader_replayed",
)

#: Every code, in the order above.
REASONS: tuple[str, ...] = CN_ID_REASONS + MRZ_REASONS + COMMON_REASONS + READER_REASONS

__all__ = ["CN_ID_REASONS", "COMMON_REASONS", "ID_NUMBER_ERRORS", "MRZ_CHECKS", "MRZ_REASONS",
           "READER_REASONS", "REASONS"]
