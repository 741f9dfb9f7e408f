"""Customer instructions per reason code and language."""

from __future__ import annotations

from simkyc.face.messages import LANGUAGES, MESSAGES, customer_message, customer_messages


def test_every_code_has_every_language_and_no_empty_text():
    for code, texts in MESSAGES.items():
        for lang in LANGUAGES:
            assert texts[lang].strip(), (code, lang)


def test_language_tags_fall_back_sensibly():
    assert customer_message("face_too_dark", "zh-CN") == MESSAGES["face_too_dark"]["zh"]
    assert customer_message("face_too_dark", "zh-HK") == MESSAGES["face_too_dark"]["zh-Hant"]
    assert customer_message("face_too_dark", "en-GB") == MESSAGES["face_too_dark"]["en"]
    assert customer_message("face_too_dark", "cmn") == MESSAGES["face_too_dark"]["zh"]
    assert customer_message("face_too_dark", "yue") == MESSAGES["face_too_dark"]["zh-Hant"]
    assert customer_message("face_too_dark", "fr") == MESSAGES["face_too_dark"]["en"]
    assert customer_message("not_a_code", "zh") == "not_a_code"


def test_count_placeholder_filled():
    texts = customer_messages("multiple_faces", count=3)
    assert texts["en"].startswith("3 faces") and "3" in texts["zh"] and "3" in texts["zh-Hant"]
