"""Each language is written in its own script: Uyghur in the Uyghur Arabic alphabet (UEY),
Simplified and Traditional Chinese apart, English in plain ASCII."""

from __future__ import annotations

import re
import unicodedata

import hanzidentifier
import pytest

from simkyc.i18n.catalogues import load_catalogue

#: The Uyghur Arabic alphabet (Uyghur Ereb Yéziqi, 1983 standard): 32 letters and the hamza
#: (U+0626) that opens a syllable beginning with a vowel. Look-alike Arabic and Persian letters
#: (ه U+0647, ی U+06CC, ة, ث, ح, ...) are not in it.
UEY_LETTERS = frozenset(
    "\u0627\u06d5\u0628\u067e\u062a\u062c\u0686\u062e\u062f\u0631\u0632\u0698\u0633\u0634"
    "\u063a\u0641\u0642\u0643\u06af\u06ad\u0644\u0645\u0646\u06be\u0648\u06c7\u06c6\u06c8"
    "\u06cb\u06d0\u0649\u064a\u0626")
#: UEY vowel letters: a, e, o, u, ö, ü, é, i.
UEY_VOWELS = frozenset("\u0627\u06d5\u0648\u06c7\u06c6\u06c8\u06d0\u0649")
HAMZA = "\u0626"
#: Latin tokens kept as they are in Uyghur text (file formats, ICAO document names, SIM/ICCID).
LATIN_TOKENS = re.compile(r"\b(JSON|TD1|PDF|SIM|ICCID)\b")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

#: Characters whose Simplified and Traditional forms differ, used in both catalogues.
SIMPLIFIED_TRADITIONAL = [
    ("请", "請"), ("脸", "臉"), ("证", "證"), ("数", "數"), ("读", "讀"), ("头", "頭"),
    ("录", "錄"), ("码", "碼"), ("检", "檢"), ("动", "動"), ("张", "張"), ("开", "開"),
    ("时", "時"), ("过", "過"), ("败", "敗"), ("号", "號"), ("记", "記"), ("验", "驗"),
]


def _texts(lang: str) -> dict[str, str]:
    return dict(load_catalogue(lang))


def _uyghur_words(text: str) -> list[str]:
    return re.findall(r"[\u0600-\u06ff]+", text)


def uey_problems(text: str) -> list[str]:
    """What is wrong with ``text`` as Uyghur in UEY (empty: nothing found)."""
    rest = LATIN_TOKENS.sub("", PLACEHOLDER.sub("", text))
    letters = [c for c in rest if unicodedata.category(c).startswith("L")]
    problems = [f"not a UEY letter: {c} U+{ord(c):04X}" for c in letters if c not in UEY_LETTERS]
    if not letters:
        problems.append("no letters")
    for w in _uyghur_words(rest):
        if w[0] in UEY_VOWELS:
            problems.append(f"word begins with a vowel without hamza: {w}")
        if any(a in UEY_VOWELS and b in UEY_VOWELS for a, b in zip(w, w[1:], strict=False)):
            problems.append(f"two vowels without a hamza between them: {w}")
    if re.search(r"[,;?]", rest):
        problems.append("Latin punctuation (use ، ؛ ؟)")
    first = next((c for c in rest if unicodedata.bidirectional(c) in ("L", "R", "AL")), "")
    if first and unicodedata.bidirectional(first) != "AL" and not LATIN_TOKENS.match(text):
        problems.append("does not start right to left")
    return problems


def test_uyghur_texts_are_uey() -> None:
    """Only the UEY alphabet; a word-initial vowel carries the hamza (ئا، ئە ...); two vowels
    in a row have a hamza between them (سائەت، مەسئۇل); Arabic punctuation; the first strong
    character is right to left."""
    bad = {key: p for key, text in _texts("ug").items() if (p := uey_problems(text))}
    assert not bad


@pytest.mark.parametrize(("text", "problem"), [
    ("هذا", "not a UEY letter"),  # Arabic letters
    ("کتابی", "not a UEY letter"),  # Persian kaf and yeh
    ("ادەم", "without hamza"),  # should be ئادەم
    ("ساات", "two vowels"),
    ("ياق, بار", "Latin punctuation"),
    ("Hello", "not a UEY letter"),
])
def test_the_uey_check_catches_mistakes(text: str, problem: str) -> None:
    assert any(problem in p for p in uey_problems(text))


def test_the_uey_check_accepts_good_uyghur() -> None:
    assert uey_problems("ئادەم سائەت مەسئۇل، {count} JSON") == []


@pytest.mark.parametrize(("lang", "allowed"), [
    ("zh-Hans", {hanzidentifier.SIMPLIFIED, hanzidentifier.BOTH}),
    ("zh-Hant", {hanzidentifier.TRADITIONAL, hanzidentifier.BOTH}),
])
def test_chinese_texts_are_in_their_script(lang: str, allowed: set[int]) -> None:
    bad = {k: t for k, t in _texts(lang).items() if hanzidentifier.identify(t) not in allowed}
    assert not bad


def test_simplified_and_traditional_differ_where_the_characters_do() -> None:
    hans, hant = _texts("zh-Hans"), _texts("zh-Hant")
    for s, t in SIMPLIFIED_TRADITIONAL:
        assert any(s in v for v in hans.values()), s
        assert not any(s in v for v in hant.values()), s
        assert any(t in v for v in hant.values()), t
        assert not any(t in v for v in hans.values()), t
    for key, text in hans.items():
        if "请" in text:
            assert "請" in hant[key], key
    assert hans["liveness.turn_left"] == "请向左转头"
    assert hant["liveness.turn_left"] == "請向左轉頭"


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_texts_use_full_width_punctuation(lang: str) -> None:
    for key, text in _texts(lang).items():
        assert not re.search(r"[,.;:!?]", PLACEHOLDER.sub("", text)), key


def test_english_texts_are_plain_ascii() -> None:
    for key, text in _texts("en").items():
        assert text.isascii() and text.isprintable(), key
