"""Customer instructions for each face reason code, in the customer's language.

``MESSAGES[code][lang]`` is a short instruction shown on the capture page.
Languages: ``zh`` (Simplified Chinese), ``zh-Hant`` (Traditional Chinese, e.g.
Cantonese speakers in Hong Kong), ``en`` (English). Placeholders such as
``{count}`` are filled by :func:`customer_message`.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Languages every reason code has a message in.
LANGUAGES = ("zh", "zh-Hant", "en")
DEFAULT_LANGUAGE = "en"

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "no_face": {
        "zh": "未检测到人脸，请正对摄像头。",
        "zh-Hant": "未偵測到人臉，請正對鏡頭。",
        "en": "No face found. Please look into the camera.",
    },
    "multiple_faces": {
        "zh": "画面中有 {count} 张人脸，请确保只有您一人在画面中。",
        "zh-Hant": "畫面中有 {count} 張人臉，請確保只有您一人在畫面中。",
        "en": "{count} faces in view. Only one person should be in view.",
    },
    "face_too_small": {
        "zh": "人脸太小，请靠近摄像头。",
        "zh-Hant": "人臉太小，請靠近鏡頭。",
        "en": "Your face is too small. Please move closer to the camera.",
    },
    "face_cut_off": {
        "zh": "人脸不完整，请将整张脸置于画面中央。",
        "zh-Hant": "人臉不完整，請將整張臉置於畫面中央。",
        "en": "Part of your face is outside the picture. Please centre your face.",
    },
    "face_blurry": {
        "zh": "画面模糊，请保持不动并擦拭镜头。",
        "zh-Hant": "畫面模糊，請保持不動並抹乾淨鏡頭。",
        "en": "The picture is blurry. Please hold still and wipe the camera lens.",
    },
    "face_too_dark": {
        "zh": "光线太暗，请面向光源。",
        "zh-Hant": "光線太暗，請面向光源。",
        "en": "Too dark. Please face the light.",
    },
    "face_too_bright": {
        "zh": "光线太强，请避开强光直射。",
        "zh-Hant": "光線太強，請避開強光直射。",
        "en": "Too bright. Please move out of direct light.",
    },
    "head_turned": {
        "zh": "请正视摄像头，不要左右转头。",
        "zh-Hant": "請正視鏡頭，不要左右轉頭。",
        "en": "Please look straight at the camera, not to the side.",
    },
    "head_tilted": {
        "zh": "请平视摄像头，不要抬头或低头。",
        "zh-Hant": "請平視鏡頭，不要抬頭或低頭。",
        "en": "Please keep your head level, not looking up or down.",
    },
    "eyes_closed": {
        "zh": "请睁开眼睛。",
        "zh-Hant": "請張開眼睛。",
        "en": "Please open your eyes.",
    },
    "face_not_clear": {
        "zh": "无法看清面部，请摘下口罩或帽子并正对摄像头。",
        "zh-Hant": "無法看清面部，請除下口罩或帽子並正對鏡頭。",
        "en": "Your face cannot be seen clearly. "
              "Please remove any mask or hat and face the camera.",
    },
    "face_mismatch": {
        "zh": "人脸与证件照片不一致。",
        "zh-Hant": "人臉與證件相片不一致。",
        "en": "The face does not match the document photo.",
    },
    "reference_unusable": {
        "zh": "证件照片中的人脸无法使用，请重新拍摄证件。",
        "zh-Hant": "證件相片中的人臉無法使用，請重新拍攝證件。",
        "en": "The face on the document cannot be used. Please photograph the document again.",
    },
}


def customer_message(code: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The instruction for reason ``code`` in ``lang`` (falls back to English, then the code).

    ``lang`` may be a tag such as ``zh-CN``, ``en-GB`` or a registration's
    language code (``cmn`` -> ``zh``; ``yue``, ``zh-HK``, ``zh-TW`` -> ``zh-Hant``):
    the exact tag is tried first, then its primary language.
    """
    texts = MESSAGES.get(code)
    if texts is None:
        return code
    tag = lang.strip()
    candidates = [tag]
    if tag.lower() in {"zh-hk", "zh-tw", "zh-mo", "zh-hant", "yue", "yue-hk"}:
        candidates.append("zh-Hant")
    primary = tag.split("-")[0].lower()
    candidates += ["zh" if primary in {"cmn", "zho", "chi"} else primary, DEFAULT_LANGUAGE]
    for cand in candidates:
        if cand in texts:
            text = texts[cand]
            try:
                return text.format(**params)
            except (KeyError, IndexError):
                return text
    return code


def customer_messages(code: str, **params: object) -> dict[str, str]:
    """The instruction for ``code`` in every language: ``{lang: text}``."""
    return {lang: customer_message(code, lang, **params) for lang in LANGUAGES}


__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "MESSAGES", "customer_message", "customer_messages"]
